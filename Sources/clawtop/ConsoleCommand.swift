import ArgumentParser
import ClawtopCore
import CursesTerminal
import Dashboard
import Foundation
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
        try fleet.connection.withFleet(run)
    }

    private func run(_ open: OpenFleet) throws {
        if let problem = Terminal.check() { throw Failure(problem.description) }
        let startup = try open.firstMessages()
        let connection = fleet.connection
        // The demo keeps no history: its fleet is new each time.
        let place = connection.demo ? HistoryPlace.none : history.place
        let (firstStore, firstNotice) = place.openForConsole(swarm: open.name)
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
        let first = connection.initialSwarm
        var model = open.model(ui: ui, width: size.width, height: size.height, swarm: first)
        model.historyDuty = place.off ? .none : .write
        model.alerting = alerting.alerting(bell: bell)

        let options = RuntimeOptions(
            // Several --context: those; else every docker context.
            listSwarms: { connection.swarms() },
            openSwarm: { name, post throws(Failure) in
                try connection.openSwarm(name, first: first, history: place, post: post)
            },
            notify: alerting.notifier)
        let runtime = Runtime(model: model, options: options, frontend: TerminalFrontend(terminal), wake: terminal.waker) { post in
            open.sources(swarm: first, history: firstStore, follow: true, post: post)
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
        runtime.stopBlocking()
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
    func runAside(_ command: DockerCommand) -> Result<Int32, Failure>? {
        terminal.runAside(command.arguments, environment: command.environment).mapError { Failure($0.description) }
    }
}
