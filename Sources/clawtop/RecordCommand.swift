import ArgumentParser
import ClawtopCore
import Foundation
import FleetSource
import Health
import HistoryStore
import Synchronization

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Probe and watch the swarm without a terminal, writing its history: for a systemd unit or a Swarm service on a manager.",
        discussion: """
            Writes every probe result and every transition to the swarm's history, as the console does, and what \
            `clawtop status` prints while it runs. A console opened on the same swarm shows the recorder's results \
            and probes nothing itself; when the recorder stops, the console probes again. One recorder per swarm: \
            a second one exits with status 2 while the first lives. Takes no action on the swarm. \
            Stops on SIGTERM or SIGINT, with what it gathered written.
            """)

    @OptionGroup var display: DisplayOptions
    @OptionGroup var history: HistoryOptions
    @OptionGroup var alerting: AlertOptions

    func validate() throws {
        if display.demo { throw ValidationError("record writes a real swarm's history; --demo has none") }
        if history.off { throw ValidationError("record writes the history; leave out --no-history") }
    }

    func run() throws {
        try display.withBackend { setup, backend, warren in
            guard let store = try history.open(swarm: backend.displayName) else { return }
            let recorder = Recorder(store: store, backend: backend, warren: warren, setup: setup,
                                    alerts: Alerts(options: alerting, swarm: backend.displayName, bell: nil, complain: Recorder.say))
            try recorder.run()
        }
    }
}

/// The recorder's loop: the first read and the history under it, then the watcher's and the prober's messages into
/// the fleet's state, the probes and the transitions into the history, and a heartbeat with the fleet's status line.
final class Recorder: Sendable {
    let store: HistoryStore
    let backend: any FleetBackend
    let warren: (any WarrenLink)?
    let setup: AgentSetup
    let alerts: Alerts
    let pid = getpid()
    let host = ProcessInfo.processInfo.hostName

    enum Event: Sendable {
        case message(Message)
        case tick
        case stop(Int32)
    }

    init(store: HistoryStore, backend: any FleetBackend, warren: (any WarrenLink)?, setup: AgentSetup, alerts: Alerts) {
        self.store = store
        self.backend = backend
        self.warren = warren
        self.setup = setup
        self.alerts = alerts
    }

    static func say(_ text: String) {
        FileHandle.standardError.write(Data("clawtop record: \(text)\n".utf8))
    }

    func run() throws(Failure) {
        let holder: RecorderInfo?
        do { holder = try store.claimRecorder(pid: pid, host: host, now: Date()) } catch { throw Failure(error.description) }
        if let holder {
            throw Failure("another recorder writes \(store.path): pid \(holder.pid) on \(sanitize(holder.host)), seen \(formatAge(Date().timeIntervalSince(holder.heartbeat))) ago")
        }
        let startup: [Message]
        do throws(Failure) { startup = try firstRead(backend) } catch {
            try? store.releaseRecorder(pid: pid, host: host)
            throw error
        }
        Self.say("writing the history of \(sanitize(backend.displayName)) to \(store.path) (pid \(pid))")
        let (events, feed) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        let signals = [SIGTERM, SIGINT, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { feed.yield(.stop(number)) }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        let outcome = runBlocking { [self] () async throws(SourceError) -> String? in
            await loop(startup: startup, events: events, feed: feed)
        }
        if case .success(let problem?) = outcome { throw Failure(problem) }
    }

    /// The lease's heartbeat with the fleet's line, on a thread of its own: a wait for another process's lock must
    /// not hold a thread the watcher and the probes need.
    private func beat(now: Date, status: StatusReport) async -> Result<Bool, HistoryError> {
        let (store, pid, host) = (store, pid, host)
        return await withCheckedContinuation { done in
            DispatchQueue.global().async {
                done.resume(returning: Result { () throws(HistoryError) -> Bool in
                    try store.beat(pid: pid, host: host, now: now, status: status)
                })
            }
        }
    }

    /// Runs until a stop signal (nil) or a lost lease (why).
    private func loop(startup: [Message], events: AsyncStream<Event>, feed: AsyncStream<Event>.Continuation) async -> String? {
        var state = FleetState(endpoint: backend.displayName, setup: setup)
        state.warren = warren.map { WarrenView(address: $0.address) }
        for message in startup { reduce(&state, message) }
        if let past = try? store.loadPast(capacity: setup.historySize) { reduce(&state, .past(past)) }
        let writer = HistoryWriter(store: store) { problem in if let problem { Self.say(problem) } }
        let scheduler = HealthScheduler(prober: backend.prober)
        var targets = state.probeTargets
        scheduler.setTargets(targets)
        let post: @Sendable (Message) -> Void = { feed.yield(.message($0)) }
        let (backend, warren) = (backend, warren)
        let tasks: [Task<Void, Never>] = [
            Task.detached { await backend.watch(post: post) },
            Task.detached { [post] in await scheduler.run(post: writer.recording(post)) },
            Task.detached { await warren?.watch(post: post) },
            Task.detached { await writer.run() },
            Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    feed.yield(.tick)
                }
            },
        ]
        var lastBeat = Date.distantPast
        var problem: String?
        for await event in events {
            switch event {
            case .message(let message):
                reduce(&state, message)
                if message.changesAgents, state.probeTargets != targets {
                    targets = state.probeTargets
                    scheduler.setTargets(targets)
                }
                continue
            case .stop(let number):
                Self.say("stopping (signal \(number))")
            case .tick:
                let now = Date()
                let rows = state.agentRows(now: now)
                let seen = state.noteTransitions(rows: rows, now: now)
                for t in seen {
                    Self.say("\(sanitize(t.agent)): \(t.from.rawValue) → \(t.to.rawValue)" + (t.reason.map { " (\(sanitize($0)))" } ?? ""))
                }
                writer.add(seen)
                alerts.take(seen, now: now)
                alerts.tick(now: now)
                guard now.timeIntervalSince(lastBeat) >= HistoryStore.heartbeatEvery else { continue }
                lastBeat = now
                let report = StatusReport(rows: rows, endpoint: state.endpoint, now: now)
                switch await beat(now: now, status: report) {
                case .success(true): continue
                case .success(false): problem = "another recorder has taken over \(store.path)"
                case .failure(let error):
                    Self.say(error.description)
                    continue
                }
            }
            break
        }
        for task in tasks { task.cancel() }
        for task in tasks.dropFirst() { await task.value }
        try? store.releaseRecorder(pid: pid, host: host)
        await backend.shutdown()
        await warren?.shutdown()
        return problem
    }
}
