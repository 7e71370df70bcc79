import ArgumentParser
import ClawtopCore
import CursesTerminal
import Dashboard
import Foundation
import FleetSource
import Health

struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "console", abstract: "The live console (the default).")

    @OptionGroup var display: DisplayOptions

    @Flag(name: .customLong("read-only"), help: "Refuse every action (restart, scale, wake, sleep).")
    var readOnly = false

    func run() throws {
        try display.withBackend(run)
    }

    private func run(setup: AgentSetup, backend: any FleetBackend, warren: (any WarrenLink)?) throws {
        if let problem = Console.check() { throw Failure(problem.description) }
        let first = try firstRead(backend)
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
        var model = ConsoleModel(fleet: fleet, ui: ui, width: size.width, height: size.height, now: Date())

        // The sources post to the inbox; the loop feeds what they post to `update` and runs what it returns.
        let inbox = console.makeInbox(of: Message.self)
        let scheduler = HealthScheduler(prober: backend.prober)
        let logs = LogFollower(backend: backend,
                               status: { service, problem in inbox.post(.logStatus(service: service, problem)) },
                               post: { service, entries in inbox.post(.logLines(service: service, entries)) })
        let effects = EffectRunner(
            console: console, scheduler: scheduler, logs: logs,
            actions: ActionRunner(backend: backend, warren: warren,
                                  log: display.demo ? nil : ActionLog(endpoint: backend.displayName), post: inbox.post))
        func send(_ event: ConsoleEvent) -> Bool { effects.run(update(&model, event, now: Date())) }

        for message in first { _ = send(.fleet(message)) }
        let watching = Task.detached { await backend.watch(post: inbox.post) }
        let probing = Task.detached { await scheduler.run(post: inbox.post) }
        let hearing = Task.detached { await warren?.watch(post: inbox.post) }
        let reason = console.run(
            onWake: { inbox.drain().allSatisfy { send(.fleet($0)) } },
            onKey: { key in send(.key(key)) },
            frame: { width, height in
                if width != model.width || height != model.height { _ = send(.resize(width: width, height: height)) }
                _ = send(.tick)
                return view(model)
            })
        console.close()
        logs.stop()
        watching.cancel()
        probing.cancel()
        hearing.cancel()
        if case .signal = reason {
            // Leave at once with the conventional status, as the signal would have; the terminal is restored.
            Foundation.exit(reason.status)
        }
        _ = runBlocking { () async throws(SourceError) -> Bool in
            await probing.value
            await hearing.value
            await backend.shutdown()
            await warren?.shutdown()
            return true
        }
        if reason.status != 0 { throw ExitCode(reason.status) }
    }
}
