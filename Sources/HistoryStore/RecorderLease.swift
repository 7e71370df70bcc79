import ClawtopCore
import Foundation
import GRDB

/// The `clawtop record` writing a swarm's history: who it is and when it last said it was alive.
public struct RecorderInfo: Sendable, Equatable {
    public var pid: Int32
    public var host: String
    public var started: Date
    public var heartbeat: Date

    /// Whether it beat recently enough to be alive at `now` (one silent for `HistoryStore.staleAfter` is gone).
    public func isAlive(at now: Date) -> Bool { now.timeIntervalSince(heartbeat) < HistoryStore.staleAfter }

    /// "4242@mgr1", for the header.
    public var description: String { "\(pid)@\(host)" }
}

extension HistoryStore {
    /// A recorder beats at least this often; one silent for `staleAfter` is gone (killed, or its host is).
    public static let heartbeatEvery = RecorderTiming.heartbeatEvery
    public static let staleAfter = RecorderTiming.staleAfter

    /// Takes the recorder's lease for this process, unless another live recorder holds it: then returns that one.
    public func claimRecorder(pid: Int32, host: String, now: Date) throws(HistoryError) -> RecorderInfo? {
        try write { db in
            if let holder = try Self.recorder(in: db), holder.pid != pid || holder.host != host, holder.isAlive(at: now) {
                return holder
            }
            try db.execute(sql: "INSERT OR REPLACE INTO recorder (id, pid, host, started, heartbeat) VALUES (1, ?, ?, ?, ?)",
                           arguments: [pid, host, now.millis, now.millis])
            return nil
        }
    }

    /// Says the recorder is alive, with the fleet as it sees it (what `status` prints while it lives). False when
    /// another process has taken the lease (this one was thought dead).
    public func beat(pid: Int32, host: String, now: Date, status: StatusReport) throws(HistoryError) -> Bool {
        try write { db in
            guard let holder = try Self.recorder(in: db), holder.pid == pid, holder.host == host else { return false }
            try db.execute(sql: "UPDATE recorder SET heartbeat = ? WHERE id = 1", arguments: [now.millis])
            try db.execute(sql: "INSERT OR REPLACE INTO status (id, time, report) VALUES (1, ?, ?)",
                           arguments: [now.millis, status.json()])
            return true
        }
    }

    /// Gives the lease back (the recorder is stopping): consoles take over probing at once.
    public func releaseRecorder(pid: Int32, host: String) throws(HistoryError) {
        try write { db in
            try db.execute(sql: "DELETE FROM recorder WHERE id = 1 AND pid = ? AND host = ?", arguments: [pid, host])
        }
    }

    /// The recorder writing this history, if one is alive.
    public func liveRecorder(now: Date) throws(HistoryError) -> RecorderInfo? {
        try read { db in
            try Self.recorder(in: db).flatMap { $0.isAlive(at: now) ? $0 : nil }
        }
    }

    /// The fleet as a live recorder last saw it, read from the database at `path` without opening it for writing
    /// (what `status` does first, in a few milliseconds); nil when there is no such file or no live recorder.
    public static func recorderStatus(path: String, now: Date) -> (recorder: RecorderInfo, report: StatusReport)? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(2)
        guard let db = try? DatabaseQueue(path: path, configuration: config) else { return nil }
        return try? db.read { db in
            guard let holder = try recorder(in: db), holder.isAlive(at: now),
                  let data = try Data.fetchOne(db, sql: "SELECT report FROM status WHERE id = 1"),
                  let report = StatusReport(json: data) else { return nil }
            return (holder, report)
        }
    }

    static func recorder(in db: Database) throws -> RecorderInfo? {
        try Row.fetchOne(db, sql: "SELECT pid, host, started, heartbeat FROM recorder WHERE id = 1").map { row in
            RecorderInfo(pid: row[0], host: row[1], started: Date(millis: row[2]), heartbeat: Date(millis: row[3]))
        }
    }
}
