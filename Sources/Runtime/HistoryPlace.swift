import ClawtopCore
import Foundation
import HistoryStore
import OrchestratorConfig

/// Where the swarms' histories live and how much of each is kept, as the command line says (`off`: none, as
/// `--no-history` asks). The runtime opens them through it: no command names the store.
public struct HistoryPlace: Sendable {
    /// The folder of the histories (`--history-dir`), else CLAWTOP_HISTORY_DIR, else the XDG state folder.
    public var directory: String?
    public var retention: TimeInterval = HistoryStore.defaultRetention
    public var maxBytes: Int64 = 1024 << 20
    /// `--no-history`: none is read or written.
    public var off = false

    public init() {}

    /// No history: none is read or written.
    public static var none: HistoryPlace {
        var place = HistoryPlace()
        place.off = true
        return place
    }

    /// `7d` (days), else a Go duration (`168h`, `90m`).
    public static func seconds(_ text: String) -> TimeInterval? {
        if text.hasSuffix("d"), let days = Double(text.dropLast()), days > 0 { return days * 86_400 }
        return GoDuration.parse(text)
    }

    /// The database of the swarm named `swarm`.
    public func path(swarm: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard let directory = directory ?? environment["CLAWTOP_HISTORY_DIR"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return HistoryStore.defaultPath(swarm: swarm, environment: environment)
        }
        return HistoryStore.path(swarm: swarm, in: directory)
    }

    /// The swarm's history for a run that writes it (created if need be); none with `--no-history`. Whatever is wrong
    /// with it (a damaged file, set aside and started anew; a directory that cannot be written; a file from a newer
    /// clawtop; a lock held too long) never stops the live view: the store comes back with a notice of what clawtop
    /// did, or none does.
    public func open(swarm: String) -> HistoryOpening {
        open(swarm: swarm, as: .writer)
    }

    /// The swarm's history if there is one already, for `snapshot` and `status`: they create, move and write nothing.
    public func openExisting(swarm: String) -> HistoryOpening {
        guard FileManager.default.fileExists(atPath: path(swarm: swarm)) else { return HistoryOpening.none }
        return open(swarm: swarm, as: .reader)
    }

    /// As `open`, for the console: what is wrong is said in its status line, so the folder is left out of it (the
    /// reason must fit).
    public func openForConsole(swarm: String) -> (store: HistoryStore?, notice: String?) {
        let opening = open(swarm: swarm)
        let folder = (path(swarm: swarm) as NSString).deletingLastPathComponent + "/"
        return (opening.store, opening.notice.map { $0.replacingOccurrences(of: folder, with: "") })
    }

    private func open(swarm: String, as role: HistoryRole) -> HistoryOpening {
        guard !off else { return HistoryOpening.none }
        return HistoryStore.open(path: path(swarm: swarm), retention: retention, maxBytes: maxBytes, as: role)
    }

    /// A recorder's line for `status`, while one writes the swarm's history: nothing need be asked of Docker.
    public func recorderStatus(swarm: String, now: Date) -> StatusReport? {
        guard !off else { return nil }
        return HistoryStore.recorderStatus(path: path(swarm: swarm), now: now)?.report
    }
}
