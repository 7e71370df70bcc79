import ClawtopCore
import Foundation
import GRDB

/// One swarm's history on disk: a SQLite database (WAL) under `$XDG_STATE_HOME/clawtop/history/`.
///
/// - `sample`: every probe result, by agent (or replica) and time; `hourly`: per agent and clock hour, the count, the
///   ok count and the latencies in buckets, for the windows of a day and a week without reading every sample;
///   `usage`: per service and clock minute, the peak memory and the mean CPU of its readings;
///   `transition`: the timeline; `recorder`: the lease of the `clawtop record` writing the history, and `status`: the
///   fleet in a few words as it last saw it.
/// - Writes come in batches, one transaction each: a crash or `kill -9` loses at most the batch being written, and
///   SQLite's journal keeps the file whole. Any number of processes may open one database; they wait their turn to
///   write (busy timeout) and read while another writes.
/// - Samples older than the retention go, and the oldest go first when the file holds more than its bound.
/// - `open(path:…as:)` never throws: a damaged file is set aside (by the writer) and started anew, a newer
///   clawtop's file is only read, an unwritable place or a stuck lock gives no store; each with a notice.
public final class HistoryStore: Sendable {
    public let path: String
    public let retention: TimeInterval
    public let maxBytes: Int64
    let pool: DatabasePool

    /// Set when the store may only be read (a file from a newer clawtop, one this process may not write, or one opened
    /// as a reader): what every write throws.
    let readOnly: HistoryError?

    public static let defaultRetention: TimeInterval = 7 * 86_400
    public static let defaultMaxBytes: Int64 = 1 << 30

    /// Opens (creating if need be) and migrates the history at `path`; throws on any problem. `open(path:…as:)` is
    /// the way that never throws and says what it did about a damaged, locked, unwritable or newer file.
    public convenience init(path: String, retention: TimeInterval = HistoryStore.defaultRetention,
                            maxBytes: Int64 = HistoryStore.defaultMaxBytes) throws(HistoryError) {
        let pool: DatabasePool
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            pool = try Self.makePool(path: path, readonly: false, busy: 10)
            try Self.migrator.migrate(pool)
        } catch {
            throw HistoryError(path: path, error)
        }
        self.init(path: path, retention: retention, maxBytes: maxBytes, pool: pool, readOnly: nil)
    }

    init(path: String, retention: TimeInterval, maxBytes: Int64, pool: DatabasePool, readOnly: HistoryError?) {
        self.path = path
        self.retention = retention
        self.maxBytes = maxBytes
        self.pool = pool
        self.readOnly = readOnly
    }

    /// Whether writes throw (see `readOnly`): a writer has nothing to keep for such a store.
    public var isReadOnly: Bool { readOnly != nil }

    /// A pool on `path`: WAL, with `busy` seconds of waiting for another process's lock.
    static func makePool(path: String, readonly: Bool, busy: TimeInterval) throws -> DatabasePool {
        var config = Configuration()
        config.readonly = readonly
        config.busyMode = .timeout(busy)
        config.label = "clawtop-history"
        config.prepareDatabase { db in
            // WAL with NORMAL: a committed batch survives the process dying; only power loss may undo the last.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            db.add(function: Self.mergeLatencies)
        }
        return try DatabasePool(path: path, configuration: config)
    }

    /// The database of the swarm named `swarm` (its docker context or daemon address) under the state directory:
    /// `$XDG_STATE_HOME/clawtop/history/NAME.sqlite` (`~/.local/state/…` by default).
    public static func defaultPath(swarm: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return path(swarm: swarm, in: state + "/clawtop/history")
    }

    /// The database of the swarm named `swarm` in `directory`.
    public static func path(swarm: String, in directory: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + fileName(swarm) + ".sqlite"
    }

    /// A file name for a swarm's name: letters, digits, `-`, `_` and `.` kept, anything else as `%XX`.
    static func fileName(_ swarm: String) -> String {
        let kept = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        let name = swarm.utf8.map { kept.contains(Character(UnicodeScalar($0))) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
        return name.isEmpty || name.hasPrefix(".") ? "_" + name : name
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE agent (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, url TEXT NOT NULL DEFAULT '');
                CREATE TABLE sample (
                    agent INTEGER NOT NULL,
                    time INTEGER NOT NULL,      -- milliseconds since 1970
                    ok INTEGER NOT NULL,
                    latency INTEGER,            -- microseconds; NULL when nothing answered
                    status INTEGER,
                    reason TEXT,
                    unreachable INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (agent, time)) WITHOUT ROWID;
                CREATE TABLE hourly (
                    agent INTEGER NOT NULL,
                    hour INTEGER NOT NULL,      -- hours since 1970
                    samples INTEGER NOT NULL,
                    ok INTEGER NOT NULL,
                    latencies TEXT NOT NULL,    -- LatencyBuckets
                    PRIMARY KEY (agent, hour)) WITHOUT ROWID;
                CREATE TABLE transition (
                    id INTEGER PRIMARY KEY,
                    time INTEGER NOT NULL,
                    agent TEXT NOT NULL,
                    "from" TEXT NOT NULL,
                    "to" TEXT NOT NULL,
                    reason TEXT,
                    actor TEXT);
                CREATE INDEX transition_by_time ON transition(time);
                CREATE TABLE recorder (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    pid INTEGER NOT NULL,
                    host TEXT NOT NULL,
                    started INTEGER NOT NULL,
                    heartbeat INTEGER NOT NULL);
                CREATE TABLE status (id INTEGER PRIMARY KEY CHECK (id = 1), time INTEGER NOT NULL, report BLOB NOT NULL);
                """)
        }
        migrator.registerMigration("v2") { db in
            // A service's usage per clock minute, under its name in `agent`: the peak memory of its readings, and
            // their CPU (cores) summed, with how many had a CPU figure.
            try db.execute(sql: """
                CREATE TABLE usage (
                    agent INTEGER NOT NULL,
                    minute INTEGER NOT NULL,    -- minutes since 1970
                    memory INTEGER NOT NULL,    -- bytes
                    cpu REAL NOT NULL,
                    cpu_readings INTEGER NOT NULL,
                    PRIMARY KEY (agent, minute)) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    /// `clawtop_merge_latencies(a, b)`: two hours' latency buckets as one, for adding a batch to its hour in one
    /// statement.
    static let mergeLatencies = DatabaseFunction("clawtop_merge_latencies", argumentCount: 2, pure: true) { values in
        var merged = LatencyBuckets(text: String.fromDatabaseValue(values[0]) ?? "")
        merged.merge(LatencyBuckets(text: String.fromDatabaseValue(values[1]) ?? ""))
        return merged.text
    }

    /// Runs `body` in a write transaction, with SQLite's errors as `HistoryError`s.
    func write<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        if let readOnly { throw readOnly }
        do { return try pool.write(body) } catch { throw HistoryError(path: path, error) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do { return try pool.read(body) } catch { throw HistoryError(path: path, error) }
    }

    /// Drops what is older than the retention, then the oldest hours while the file holds more than its bound.
    /// Freed pages are used again by the next writes, so the file stops growing.
    public func prune(now: Date) throws(HistoryError) {
        let cutoff = now.addingTimeInterval(-retention)
        try write { db in try Self.delete(before: cutoff, in: db) }
        for _ in 0..<24 * 7 * 4 {
            // The hours' figures and the usage say which is the oldest hour (the samples have no index by time alone).
            let oldest = try read { db in
                try Int64.fetchOne(db, sql: "SELECT min(hour) FROM (SELECT min(hour) AS hour FROM hourly UNION ALL SELECT min(minute) / 60 FROM usage)")
            }
            guard try usedBytes() > maxBytes, let oldest else { return }
            // An hour at a time, the oldest first.
            try write { db in try Self.delete(before: Date(millis: (oldest + 1) * 3_600_000), in: db) }
        }
    }

    /// The bytes of the pages in use (the file less its free pages).
    public func usedBytes() throws(HistoryError) -> Int64 {
        try read { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            return (pages - free) * (try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096)
        }
    }

    static func delete(before cutoff: Date, in db: Database) throws {
        let ms = cutoff.millis
        // Agent by agent, so that each delete walks the (agent, time) index rather than the whole table.
        let usage = try db.tableExists("usage")
        for agent in try Int64.fetchAll(db, sql: "SELECT id FROM agent") {
            try db.execute(sql: "DELETE FROM sample WHERE agent = ? AND time < ?", arguments: [agent, ms])
            if usage { try db.execute(sql: "DELETE FROM usage WHERE agent = ? AND minute < ?", arguments: [agent, ms / 60_000]) }
        }
        try db.execute(sql: "DELETE FROM hourly WHERE hour < ?", arguments: [ms / 3_600_000])
        try db.execute(sql: "DELETE FROM transition WHERE time < ?", arguments: [ms])
    }

    /// SQLite's own check of the file: "ok" when it is whole.
    public func integrityCheck() throws(HistoryError) -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// The bytes the database and its journal take on disk.
    public var bytesOnDisk: Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
        }
    }
}

/// The history could not be opened, read or written: which file, SQLite's reason, and what kind of trouble it is.
public struct HistoryError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public let fault: HistoryFault

    init(path: String, _ reason: String, fault: HistoryFault = .other) {
        description = "history \(path): \(reason)"
        self.fault = fault
    }

    init(path: String, _ error: any Error) {
        self.init(path: path, HistoryFault.reason(of: error), fault: HistoryFault(error))
    }
}

/// What kind of trouble a history is in.
public enum HistoryFault: Sendable, Equatable {
    /// The file is damaged (SQLite says malformed, or not a database).
    case damaged
    /// A newer clawtop wrote it, with migrations this one does not know: it is only read.
    case newer
    /// Opened for reading only (`HistoryRole.reader`).
    case readOnly
    /// The directory or the file cannot be created or written (permissions, a read-only file system, a file where a
    /// directory should be).
    case unwritable
    /// Another process holds the lock longer than clawtop waits.
    case locked
    /// The disk (or the file's bound) is full.
    case diskFull
    case other

    init(_ error: any Error) {
        guard let error = error as? DatabaseError else {
            self = error is Damage ? .damaged : .other
            return
        }
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: self = .damaged
        case .SQLITE_BUSY, .SQLITE_LOCKED: self = .locked
        case .SQLITE_FULL: self = .diskFull
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH: self = .unwritable
        default: self = .other
        }
    }

    /// SQLite's words for `error`, without GRDB's decoration.
    static func reason(of error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        if let error = error as? Damage { return error.reason }
        return "\(error)"
    }
}

/// SQLite's own check found the file damaged, without an error code of its own.
struct Damage: Error {
    var reason: String
}

extension Date {
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}
