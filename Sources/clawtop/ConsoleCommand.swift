import ArgumentParser
import ClawtopCore
import CursesTerminal
import Dashboard
import Foundation
import FleetSource
import DockerSource
import Health
import HistoryStore
import Runtime

struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console", abstract: "The live console (the default).")

    @OptionGroup var fleet: FleetOptions

    @Flag(name: .customLong("read-only"), help: "Refuse every action: restart, scale (+, -, =), wake, sleep, rollback, and a node's drain, pause or activate.")
    var readOnly = false

    @Flag(help: "Ring the terminal's bell when an agent becomes unhealthy, missing or crash-looping, or recovers (tmux marks the window).")
    var bell = false

    @OptionGroup var history: HistoryOptions
    @OptionGroup var alerting: AlertOptions

    func run() throws {
        try fleet.withBackend(run)
    }

    private func run(setup: AgentSetup, backend: any FleetBackend, warren: (any WarrenLink)?) throws {
        if let problem = Terminal.check() { throw Failure(problem.description) }
        let startup = try firstRead(backend)
        // The demo keeps no history: its fleet is new each time.
        let (history, demo) = (self.history, fleet.demo)
        // What is wrong with a history is said in the status line, its folder left out: the reason must fit.
        let openStore = { @Sendable (name: String) -> (store: HistoryStore?, notice: String?) in
            guard !demo else { return (nil, nil) }
            let opening = history.open(swarm: name)
            let folder = (history.path(swarm: name) as NSString).deletingLastPathComponent + "/"
            return (opening.store, opening.notice.map { $0.replacingOccurrences(of: folder, with: "") })
        }
        let (firstStore, firstNotice) = openStore(backend.displayName)
        let terminal: Terminal
        do {
            terminal = try Terminal(forceASCII: fleet.ascii,
                                  noColor: !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty)
        } catch {
            throw Failure(error.description)
        }
        var ui = UIState(glyphs: terminal.unicode ? .unicode : .ascii, readOnly: readOnly)
        ui.sort = fleet.sort
        let size = terminal.size
        let first = fleet.initialSwarm
        var model = ConsoleModel(fleet: FleetState(endpoint: backend.displayName, setup: setup), ui: ui,
                                 width: size.width, height: size.height, now: Date(), swarm: first)
        model.fleet.warren = warren.map { WarrenView(address: $0.address) }
        model.historyDuty = demo || self.history.off ? .none : .write
        model.alerting = alerting.alerting(bell: bell)

        let fleet = fleet
        @Sendable func actionLog(_ backend: any FleetBackend) -> ActionLog? {
            fleet.demo ? nil : ActionLog(endpoint: backend.displayName)
        }
        let options = RuntimeOptions(
            // Several --context: those; else every docker context.
            listSwarms: { fleet.demo ? [] : DockerContexts.list(only: fleet.contexts.count > 1 ? fleet.contexts : []) },
            openSwarm: { name, post throws(Failure) in
                let docker = try fleet.dockerBackend(context: name)
                // Warren goes with the swarm it was named for.
                let link: (any WarrenLink)?
                do throws(Failure) {
                    link = name == first ? try fleet.warrenLink(forwards: docker.forwards) : nil
                } catch {
                    shutdownBlocking(docker)
                    throw error
                }
                let (kept, notice) = openStore(docker.displayName)
                if let notice { post(.swarmMessage(name, .history(.problem(notice)))) }
                return SwarmSources(name: name, backend: docker, warren: link, actionLog: actionLog(docker), history: kept,
                                    follow: true, post: post)
            },
            notify: alerting.notifier)
        let runtime = Runtime(model: model, options: options, frontend: TerminalFrontend(terminal), wake: terminal.waker) { post in
            SwarmSources(name: first, backend: backend, warren: warren, actionLog: actionLog(backend), history: firstStore,
                         follow: true, post: post)
        }
        runtime.start(firstRead: startup + (firstNotice.map { [.history(.problem($0))] } ?? []))
        let reason = terminal.run(
            onWake: { runtime.drain() },
            onKey: { key in runtime.send(.key(key)) },
            frame: { width, height in runtime.frame(width: width, height: height) })
        terminal.close()
        if case .signal = reason {
            // Leave at once with the conventional status, as the signal would have; the terminal is restored and
            // the history written.
            runtime.flushHistory()
            Foundation.exit(reason.status)
        }
        _ = runBlocking { () async throws(SourceError) -> Bool in
            await runtime.stop()
            return true
        }
        if reason.status != 0 { throw ExitCode(reason.status) }
    }
}

/// The terminal, as the runtime sees it.
final class TerminalFrontend: Frontend {
    let terminal: Terminal
    init(_ terminal: Terminal) { self.terminal = terminal }
    func bell() { terminal.bell() }
    func repaint() { terminal.repaint() }
    func say(_ line: String) {}
}
