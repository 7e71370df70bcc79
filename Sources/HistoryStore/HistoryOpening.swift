import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who opens a history, which says what it may do about one in trouble.
public enum HistoryRole: Sendable {
    /// The one process that writes (the recorder, or a console where no recorder runs): it may create the directory
    /// and the file, and set a damaged file aside and start anew.
    case writer
    /// `snapshot` and `status`: it creates nothing and moves nothing, and never writes.
    case reader
}

/// What opening a history came to: the store, if there is one to use, and one plain line for the operator when
/// something was wrong (what, and what clawtop did about it). No store and no notice: there is no history yet (a
/// reader), or nothing to say.
public struct HistoryOpening: Sendable {
    public let store: HistoryStore?
    public let notice: String?
    /// What was wrong, if anything.
    public let fault: HistoryFault?
    /// Where a damaged file was moved (`….corrupt-<UTC time>`, beside itself), and what was carried over from it.
    public let setAside: String?
    public let carriedOver: CarriedOver?

    /// No history, and nothing wrong: `--no-history`, or none written yet.
    public static let none = HistoryOpening(store: nil)

    init(store: HistoryStore?, notice: String? = nil, fault: HistoryFault? = nil, setAside: String? = nil,
         carriedOver: CarriedOver? = nil) {
        self.store = store
        self.notice = notice
        self.fault = fault
        self.setAside = setAside
        self.carriedOver = carriedOver
    }
}

extension HistoryStore {
    /// How long opening waits for another process's lock before it gives up and says so.
    public static let defaultLockWait: TimeInterval = 3

    /// Opens the history at `path` and never throws: whatever is wrong, the caller gets a store to use (perhaps one
    /// that only reads) or none, and a notice.
    ///
    /// - A damaged file: a writer moves it (and its `-wal` and `-shm`) aside to `<path>.corrupt-<UTC yyyyMMdd-HHmmss>`,
    ///   never deleting it, starts a new one and carries over what SQLite can still read of it (transitions, hours'
    ///   figures, the usage, the last day's samples). A reader gets no store: live data until the writer has done that.
    /// - A file from a newer clawtop (migrations this one does not know): never migrated; a store that only reads,
    ///   or none when this one cannot read its tables.
    /// - A directory that cannot be created or written, or a file that cannot be written: a store that only reads
    ///   when the file is there and readable, else none.
    /// - A lock held by another process: waited for `lockWait` seconds, then no store.
    ///
    /// Damage SQLite finds on the way (opening, the first and last rows of each table) is caught; damage deeper in
    /// the file shows up as `HistoryFault.damaged` errors later. `verify` runs SQLite's whole check as well: for a
    /// file that gave such an error, since it reads every page (about 15 s for 1 GB).
    public static func open(path: String, retention: TimeInterval = HistoryStore.defaultRetention,
                            maxBytes: Int64 = HistoryStore.defaultMaxBytes, as role: HistoryRole,
                            lockWait: TimeInterval = HistoryStore.defaultLockWait, verify: Bool = false,
                            now: Date = Date()) -> HistoryOpening {
        let opener = Opener(path: path, retention: retention, maxBytes: maxBytes, lockWait: lockWait, verify: verify, now: now)
        switch role {
        case .writer: return opener.openForWriting(maySetAside: true)
        case .reader: return opener.openForReading()
        }
    }

    /// The first and last rows of each table, by the columns this version reads (SQLite walks each tree's edges),
    /// and with `verify` SQLite's whole check. Throws what SQLite finds.
    static func probe(_ db: Database, verify: Bool) throws {
        for sql in [
            "SELECT id, key, url FROM agent ORDER BY id LIMIT 1", "SELECT id FROM agent ORDER BY id DESC LIMIT 1",
            "SELECT id, key FROM agent ORDER BY key LIMIT 1",
            "SELECT agent, time, ok, latency, status, reason, unreachable FROM sample ORDER BY agent, time LIMIT 1",
            "SELECT agent, time FROM sample ORDER BY agent DESC, time DESC LIMIT 1",
            "SELECT agent, hour, samples, ok, latencies FROM hourly ORDER BY agent, hour LIMIT 1",
            "SELECT agent, hour FROM hourly ORDER BY agent DESC, hour DESC LIMIT 1",
            #"SELECT id, time, agent, "from", "to", reason, actor FROM transition ORDER BY id LIMIT 1"#,
            "SELECT id FROM transition ORDER BY id DESC LIMIT 1", "SELECT time FROM transition ORDER BY time DESC LIMIT 1",
            "SELECT pid, host, started, heartbeat FROM recorder", "SELECT time, report FROM status",
        ] {
            _ = try Row.fetchAll(db, sql: sql)
        }
        // A file from before usage was kept has no such table until a writer migrates it.
        if try db.tableExists("usage") {
            for sql in ["SELECT agent, minute, memory, cpu, cpu_readings FROM usage ORDER BY agent, minute LIMIT 1",
                        "SELECT agent, minute FROM usage ORDER BY agent DESC, minute DESC LIMIT 1"] {
                _ = try Row.fetchAll(db, sql: sql)
            }
        }
        if verify {
            let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
            if check != ["ok"] { throw Damage(reason: check.first ?? "quick_check failed") }
        }
    }
}

/// Opens one history for one role, and says what it did.
struct Opener {
    let path: String
    let retention: TimeInterval
    let maxBytes: Int64
    let lockWait: TimeInterval
    let verify: Bool
    let now: Date

    var directory: String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    // MARK: - Writer

    func openForWriting(maySetAside: Bool) -> HistoryOpening {
        if let reason = Self.makeDirectory(directory) {
            return HistoryOpening(store: nil, notice: "cannot write the history in \(directory): \(reason); showing live data only",
                                  fault: .unwritable)
        }
        if access(directory, W_OK) != 0 { return readOnly(because: Self.errnoText()) }
        let identity = Self.identity(path)
        // A file already there is looked at before anything writes to it (opening for writing does: the journal's
        // first frame): one that is damaged, or a newer clawtop's, is kept as it is.
        if identity != nil {
            do {
                let pool = try HistoryStore.makePool(path: path, readonly: true, busy: lockWait)
                let applied: Set<String>
                do {
                    // On the pool's own connection, which waits for a lock no longer than `lockWait`.
                    applied = try pool.writeWithoutTransaction { db in try HistoryStore.migrator.appliedIdentifiers(db) }
                    if applied.contains(Self.base) && applied.isSubset(of: Self.known) {
                        try pool.writeWithoutTransaction { db in try HistoryStore.probe(db, verify: verify) }
                    }
                } catch {
                    try? pool.close()
                    throw error
                }
                try? pool.close()
                if !applied.isSubset(of: Self.known) { return newer(asWriter: true) }
            } catch {
                return failedForWriting(error, identity: identity, maySetAside: maySetAside)
            }
        }
        let pool: DatabasePool
        do {
            pool = try HistoryStore.makePool(path: path, readonly: false, busy: lockWait)
        } catch {
            return failedForWriting(error, identity: identity, maySetAside: maySetAside)
        }
        do {
            try HistoryStore.migrator.migrate(pool)
            // Migrating a file that needs nothing takes no lock: this says whether it can be written now. Then the
            // store's own writes wait as long as they always did.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "ROLLBACK")
                try db.execute(sql: "PRAGMA busy_timeout = 10000")
            }
        } catch {
            try? pool.close()
            return failedForWriting(error, identity: identity, maySetAside: maySetAside)
        }
        return HistoryOpening(store: HistoryStore(path: path, retention: retention, maxBytes: maxBytes, pool: pool, readOnly: nil))
    }

    private func failedForWriting(_ error: any Error, identity: FileIdentity?, maySetAside: Bool) -> HistoryOpening {
        let reason = HistoryFault.reason(of: error)
        switch HistoryFault(error) {
        case .damaged:
            guard maySetAside else {
                return HistoryOpening(store: nil, notice: "history \(path) is damaged (\(reason)); showing live data", fault: .damaged)
            }
            return setAside(because: reason, identity: identity)
        case .locked:
            return locked()
        case .unwritable:
            return readOnly(because: Self.writeProblem(path: path, directory: directory) ?? reason)
        case .diskFull:
            return HistoryOpening(store: nil, notice: "cannot write the history in \(directory): \(reason); showing live data only",
                                  fault: .diskFull)
        case .newer, .readOnly, .other:
            return HistoryOpening(store: nil, notice: "history \(path) cannot be opened (\(reason)); showing live data", fault: .other)
        }
    }

    /// Moves the damaged file aside, starts anew, carries over what can be read.
    private func setAside(because reason: String, identity: FileIdentity?) -> HistoryOpening {
        // Another writer set it aside between our look and now: open what is there now.
        if let identity, Self.identity(path) != identity { return openForWriting(maySetAside: false) }
        let aside = Self.asidePath(for: path, now: now)
        var moved: [(String, String)] = []
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            guard rename(path + suffix, aside + suffix) == 0 else {
                let why = Self.errnoText()
                // Whole or not at all: a journal left behind would be played into the new file.
                for (from, to) in moved.reversed() { _ = rename(to, from) }
                return HistoryOpening(store: nil, notice: "history \(path) is damaged (\(reason)) and could not be set aside "
                                      + "(\(why)); showing live data", fault: .damaged)
            }
            moved.append((path + suffix, aside + suffix))
        }
        let fresh = openForWriting(maySetAside: false)
        guard let store = fresh.store else {
            return HistoryOpening(store: nil, notice: "history \(path) was damaged (\(reason)): kept as \(aside); "
                                  + (fresh.notice ?? "showing live data"), fault: .damaged, setAside: aside)
        }
        let carried = store.carryOver(from: aside, now: now)
        return HistoryOpening(store: store, notice: "history \(path) was damaged (\(reason)): kept as \(aside), started anew "
                              + carried.phrase, fault: .damaged, setAside: aside, carriedOver: carried)
    }

    /// The file, for reading only, when it cannot be written.
    private func readOnly(because reason: String) -> HistoryOpening {
        let cannot = "cannot write the history in \(directory): \(reason)"
        let found = FileManager.default.fileExists(atPath: path) && access(path, R_OK) == 0
            ? try? readable(readOnly: HistoryError(path: path, "cannot write here (\(reason)): read only", fault: .unwritable))
            : nil
        guard let store = found?.0 else {
            return HistoryOpening(store: nil, notice: cannot + "; showing live data only", fault: .unwritable)
        }
        return HistoryOpening(store: store, notice: cannot + "; reading \(path) only", fault: .unwritable)
    }

    // MARK: - Reader

    func openForReading() -> HistoryOpening {
        guard FileManager.default.fileExists(atPath: path) else { return HistoryOpening(store: nil) }
        do {
            guard let (store, newer) = try readable(readOnly: HistoryError(path: path, "opened for reading only", fault: .readOnly)) else {
                return HistoryOpening(store: nil)
            }
            return HistoryOpening(store: store, fault: newer ? .newer : nil)
        } catch let failure as NewerUnreadable {
            return newerUnreadable(failure.error)
        } catch {
            let reason = HistoryFault.reason(of: error)
            switch HistoryFault(error) {
            case .damaged:
                return HistoryOpening(store: nil, notice: "history \(path) is damaged (\(reason)); showing live data until the "
                                      + "console or recorder sets it aside", fault: .damaged)
            case .locked:
                return locked()
            case let fault:
                return HistoryOpening(store: nil, notice: "history \(path) cannot be read (\(reason)); showing live data", fault: fault)
            }
        }
    }

    /// The file opened for reading only, checked as far as `probe` goes; nil when it holds no history yet (a writer
    /// created it and has not set it up). True with it when a newer clawtop wrote it.
    private func readable(readOnly: HistoryError) throws -> (HistoryStore, Bool)? {
        let pool = try readOnlyPool()
        do {
            let applied = try pool.writeWithoutTransaction { db in try HistoryStore.migrator.appliedIdentifiers(db) }
            guard applied.contains(Self.base) else {
                try? pool.close()
                return nil
            }
            let newer = !applied.isSubset(of: Self.known)
            do {
                try pool.writeWithoutTransaction { db in try HistoryStore.probe(db, verify: verify) }
            } catch let error where newer && HistoryFault(error) != .locked {
                throw NewerUnreadable(error: error)
            }
            let store = HistoryStore(path: path, retention: retention, maxBytes: maxBytes, pool: pool,
                                     readOnly: newer ? HistoryError(path: path, "written by a newer clawtop: read only", fault: .newer)
                                                     : readOnly)
            return (store, newer)
        } catch {
            try? pool.close()
            throw error
        }
    }

    /// A pool that only reads. SQLite reads a WAL file through the journal's index (`-shm`), which it cannot make in
    /// a directory this process may not write; when there is no journal either (no one has the file open to write
    /// it), the file is read as immutable, without locks (where SQLite takes `file:` names).
    private func readOnlyPool() throws -> DatabasePool {
        do {
            return try HistoryStore.makePool(path: path, readonly: true, busy: lockWait)
        } catch let error as DatabaseError where [.SQLITE_CANTOPEN, .SQLITE_READONLY].contains(error.resultCode)
                                                 && access(directory, W_OK) != 0
                                                 && !FileManager.default.fileExists(atPath: path + "-wal") {
            let escaped = path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f")
                .replacingOccurrences(of: "#", with: "%23")
            return try HistoryStore.makePool(path: "file:\(escaped)?immutable=1", readonly: true, busy: lockWait)
        }
    }

    // MARK: - Both

    /// Never migrated: read as it is, if this version can.
    private func newer(asWriter: Bool) -> HistoryOpening {
        do {
            guard let (store, _) = try readable(readOnly: HistoryError(path: path, "written by a newer clawtop: read only",
                                                                       fault: .newer)) else {
                return HistoryOpening(store: nil)
            }
            return HistoryOpening(store: store, notice: asWriter ? "history \(path) was written by a newer clawtop: read only" : nil,
                                  fault: .newer)
        } catch let failure as NewerUnreadable {
            return newerUnreadable(failure.error)
        } catch {
            return HistoryOpening(store: nil, notice: "history \(path) was written by a newer clawtop and cannot be opened "
                                  + "(\(HistoryFault.reason(of: error))); showing live data", fault: .newer)
        }
    }

    private func newerUnreadable(_ error: any Error) -> HistoryOpening {
        HistoryOpening(store: nil, notice: "history \(path) was written by a newer clawtop and this one cannot read it "
                       + "(\(HistoryFault.reason(of: error))); showing live data", fault: .newer)
    }

    private func locked() -> HistoryOpening {
        let waited = lockWait == lockWait.rounded() ? "\(Int(lockWait))" : String(format: "%.1f", lockWait)
        return HistoryOpening(store: nil, notice: "history \(path) is locked by another process (waited \(waited) s); showing live data",
                              fault: .locked)
    }

    struct NewerUnreadable: Error {
        var error: any Error
    }

    /// The migration every history has; the ones this version knows.
    static let base = "v1"
    static var known: Set<String> { Set(HistoryStore.migrator.migrations) }

    // MARK: - Files

    /// Creates `directory` and its parents (0700); the system's reason when it cannot.
    static func makeDirectory(_ directory: String) -> String? {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") where !component.isEmpty {
            prefix += "/" + component
            var info = stat()
            if stat(prefix, &info) == 0 {
                if info.st_mode & S_IFMT != S_IFDIR { return String(cString: strerror(ENOTDIR)) }
                continue
            }
            if mkdir(prefix, 0o700) != 0, errno != EEXIST { return errnoText() }
        }
        return nil
    }

    /// Why `path` (or its directory) cannot be written, as the system says it; nil when it can.
    static func writeProblem(path: String, directory: String) -> String? {
        if access(directory, W_OK) != 0 { return errnoText() }
        if FileManager.default.fileExists(atPath: path), access(path, W_OK) != 0 { return errnoText() }
        return nil
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    static func identity(_ path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// `<path>.corrupt-<UTC yyyyMMdd-HHmmss>`, with `-2`, `-3`… when that is taken.
    static func asidePath(for path: String, now: Date) -> String {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyyMMdd-HHmmss"
        let base = "\(path).corrupt-\(format.string(from: now))"
        var candidate = base
        var n = 2
        while ["", "-wal", "-shm"].contains(where: { FileManager.default.fileExists(atPath: candidate + $0) }) {
            candidate = "\(base)-\(n)"
            n += 1
        }
        return candidate
    }
}
