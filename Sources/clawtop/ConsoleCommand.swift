import ArgumentParser
import ClawtopCore
import CursesTerminal
import Dashboard
import Foundation
import FleetSource
import DockerSource
import Health
import HistoryStore

struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console", abstract: "The live console (the default).")

    @OptionGroup var display: DisplayOptions

    @Flag(name: .customLong("read-only"), help: "Refuse every action (restart, scale, wake, sleep).")
    var readOnly = false

    @Flag(help: "Ring the terminal's bell when an agent becomes unhealthy, missing or crash-looping, or recovers (tmux marks the window).")
    var bell = false

    @OptionGroup var history: HistoryOptions
    @OptionGroup var alerting: AlertOptions

    func run() throws {
        try display.withBackend(run)
    }

    private func run(setup: AgentSetup, backend: any FleetBackend, warren: (any WarrenLink)?) throws {
        if let problem = Console.check() { throw Failure(problem.description) }
        let startup = try firstRead(backend)
        // The demo keeps no history: its fleet is new each time.
        let (history, demo) = (self.history, display.demo)
        let openStore = { (name: String) throws(Failure) -> HistoryStore? in demo ? nil : try history.open(swarm: name) }
        let firstStore = try openStore(backend.displayName)
        let console: Console
        do {
            console = try Console(forceASCII: display.ascii,
                                  noColor: !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty)
        } catch {
            throw Failure(error.description)
        }
        var ui = UIState(glyphs: console.unicode ? .unicode : .ascii, readOnly: readOnly)
        ui.sort = display.sort
        let size = console.size
        var fleet = FleetState(endpoint: backend.displayName, setup: setup)
        fleet.warren = warren.map { WarrenView(address: $0.address) }
        let first = display.initialSwarm
        var model = ConsoleModel(fleet: fleet, ui: ui, width: size.width, height: size.height, now: Date(), swarm: first)

        // The sources post to the inbox; the loop feeds what they post to `update` and runs what it returns.
        let inbox = console.makeInbox(of: ConsoleEvent.self)
        let display = display
        func actionLog(_ backend: any FleetBackend) -> ActionLog? {
            display.demo ? nil : ActionLog(endpoint: backend.displayName)
        }
        let openSwarm = { (name: String) throws(Failure) -> SwarmSession in
            let docker = try display.dockerBackend(context: name)
            // Warren goes with the swarm it was named for.
            let link: (any WarrenLink)?
            do throws(Failure) { link = name == first ? try display.warrenLink(forwards: docker.forwards) : nil } catch {
                shutdownBlocking(docker)
                throw error
            }
            let kept: HistoryStore?
            do throws(Failure) { kept = try openStore(docker.displayName) } catch {
                shutdownBlocking(docker)
                throw error
            }
            return SwarmSession(name: name, backend: docker, warren: link, actionLog: actionLog(docker), history: kept,
                                post: inbox.post)
        }
        let ring: (@Sendable () -> Void)? = bell ? { @Sendable in inbox.post(.alert) } : nil
        let alerts = Alerts(options: alerting, swarm: backend.displayName, bell: ring)
        let session = SwarmSession(name: first, backend: backend, warren: warren, actionLog: actionLog(backend),
                                   history: firstStore, post: inbox.post)
        let effects = EffectRunner(
            console: console,
            session: session,
            // Several --context: those; else every docker context.
            listSwarms: { display.demo ? [] : DockerContexts.list(only: display.contexts.count > 1 ? display.contexts : []) },
            openSwarm: openSwarm,
            alerts: alerts,
            post: inbox.post)
        func send(_ event: ConsoleEvent) -> Bool { effects.run(update(&model, event, now: Date())) }

        for message in startup { _ = send(.fleet(message)) }
        effects.session.start()
        let reason = console.run(
            onWake: { inbox.drain().allSatisfy { send($0) } },
            onKey: { key in send(.key(key)) },
            frame: { width, height in
                if width != model.width || height != model.height { _ = send(.resize(width: width, height: height)) }
                _ = send(.tick)
                return view(model)
            })
        console.close()
        if case .signal = reason {
            // Leave at once with the conventional status, as the signal would have; the terminal is restored and
            // the history written.
            effects.session.flushHistory()
            Foundation.exit(reason.status)
        }
        _ = runBlocking { () async throws(SourceError) -> Bool in
            await effects.stop()
            return true
        }
        if reason.status != 0 { throw ExitCode(reason.status) }
    }
}
