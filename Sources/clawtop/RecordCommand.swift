import ArgumentParser
import ClawtopCore
import Foundation
import FleetSource
import Health
import HistoryStore
import Dashboard
import Runtime

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

    @OptionGroup var fleet: FleetOptions
    @OptionGroup var history: HistoryOptions
    @OptionGroup var alerting: AlertOptions

    func validate() throws {
        if fleet.demo { throw ValidationError("record writes a real swarm's history; --demo has none") }
        if history.off { throw ValidationError("record writes the history; leave out --no-history") }
    }

    func run() throws {
        let headless = Headless(name: "clawtop record")
        try fleet.withBackend { setup, backend, warren in
            let opening = history.open(swarm: backend.displayName)
            HistoryOptions.complain(opening.notice)
            // A history it may only read (a newer clawtop's, one in a directory it may not write) is no recorder's.
            let store = opening.store.flatMap { $0.isReadOnly ? nil : $0 }
            if opening.store != nil, store == nil { HistoryOptions.complain("probing without writing the history") }
            try record(store: store, setup: setup, backend: backend, warren: warren, headless: headless)
        }
    }

    /// The runtime with no view, writing the history (when it can be opened: else it probes and tells all the
    /// same), until a stop signal or until another recorder takes it over.
    private func record(store: HistoryStore?, setup: AgentSetup, backend: any FleetBackend, warren: (any WarrenLink)?,
                        headless: Headless) throws {
        let (pid, host) = (RecorderIdentity.pid, RecorderIdentity.host)
        var startup = try firstRead(backend)
        if let store {
            let holder: RecorderInfo?
            do { holder = try store.claimRecorder(pid: pid, host: host, now: Date()) } catch { throw Failure(error.description) }
            if let holder {
                throw Failure("another recorder writes \(store.path): pid \(holder.pid) on \(sanitize(holder.host)), seen \(formatAge(Date().timeIntervalSince(holder.heartbeat))) ago")
            }
            if let past = try? store.loadPast(capacity: setup.historySize) { startup.append(.history(.past(past))) }
        }
        defer { try? store?.releaseRecorder(pid: pid, host: host) }
        var model = ConsoleModel(fleet: FleetState(endpoint: backend.displayName, setup: setup), ui: UIState(),
                                 width: 0, height: 0, now: Date(), swarm: backend.displayName)
        model.fleet.warren = warren.map { WarrenView(address: $0.address) }
        model.historyDuty = .record
        model.alerting = alerting.alerting(bell: false)
        let runtime = Runtime(model: model, options: RuntimeOptions(notify: alerting.notifier), frontend: headless,
                              wake: headless.wake) { post in
            SwarmSources(name: backend.displayName, backend: backend, warren: warren, actionLog: nil, history: store,
                         follow: false, post: post)
        }
        headless.say("watching \(sanitize(backend.displayName))" + (store.map { ", writing its history to \($0.path)" } ?? ", keeping no history") + " (pid \(pid))")
        runtime.start(firstRead: startup)
        if let number = headless.run(runtime) { headless.say("stopping (signal \(number))") }
        _ = runBlocking { () async throws(SourceError) -> Bool in
            await runtime.stop()
            return true
        }
        if let problem = runtime.model.stopped { throw Failure(problem) }
    }
}
