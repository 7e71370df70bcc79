import ClawtopCore
import Dashboard
import FleetSource
import Foundation
import HistoryStore

extension Runtime {
    /// `record`: the runtime with no view, writing the history to `store` (when it can be opened: else it probes and
    /// tells all the same), until a stop signal or until another recorder takes it over. A `Failure` when another
    /// recorder holds the history, or when this one was replaced.
    /// `publish`: given the model once a second (`--metrics-listen`).
    public static func record(_ fleet: OpenFleet, store: HistoryStore?, alerting: Alerting, notifier: Notifier?,
                              headless: Headless, publish: ((ConsoleModel) -> Void)? = nil) throws(Failure) {
        let (pid, host) = (RecorderIdentity.pid, RecorderIdentity.host)
        var startup = try fleet.firstMessages()
        if let store {
            let holder: RecorderInfo?
            do { holder = try store.claimRecorder(pid: pid, host: host, now: Date()) } catch { throw Failure(error.description) }
            if let holder {
                throw Failure("another recorder writes \(store.path): pid \(holder.pid) on \(sanitize(holder.host)), seen \(formatAge(Date().timeIntervalSince(holder.heartbeat))) ago")
            }
            if let past = try? store.loadPast(capacity: fleet.setup.historySize) { startup.append(.history(.past(past))) }
        }
        defer { try? store?.releaseRecorder(pid: pid, host: host) }
        var model = fleet.model(ui: UIState(), width: 0, height: 0)
        model.historyDuty = .record
        model.alerting = alerting
        let runtime = Runtime(model: model, options: RuntimeOptions(notify: notifier), frontend: headless,
                              wake: headless.wake) { post in
            fleet.sources(history: store, follow: false, post: post)
        }
        headless.say("watching \(sanitize(fleet.name))" + (store.map { ", writing its history to \($0.path)" } ?? ", keeping no history") + " (pid \(pid))")
        runtime.start(firstRead: startup)
        if let number = headless.run(runtime, publish: publish) { headless.say("stopping (signal \(number))") }
        runtime.stopBlocking()
        if let problem = runtime.model.stopped { throw Failure(problem) }
    }
}
