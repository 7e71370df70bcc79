import Foundation
import GRDB

/// What a new history took over from the damaged one it replaced.
public struct CarriedOver: Sendable, Equatable {
    public var transitions = 0
    public var samples = 0
    /// Rows of the hours' figures (one per agent and hour).
    public var hours = 0
    /// Rows of usage (one per service and minute).
    public var usageMinutes = 0

    public init(transitions: Int = 0, samples: Int = 0, hours: Int = 0, usageMinutes: Int = 0) {
        self.transitions = transitions
        self.samples = samples
        self.hours = hours
        self.usageMinutes = usageMinutes
    }

    /// "with 12 transitions, 3,400 samples and 40 hours' figures carried over", or "with nothing carried over".
    var phrase: String {
        let parts = [(transitions, "transition", "transitions"), (samples, "sample", "samples"),
                     (hours, "hour's figures", "hours' figures"), (usageMinutes, "minute of usage", "minutes of usage")]
            .filter { $0.0 > 0 }
            .map { "\(Self.grouped($0.0)) \($0.0 == 1 ? $0.1 : $0.2)" }
        guard let last = parts.last else { return "with nothing carried over" }
        let list = parts.count == 1 ? last : parts.dropLast().joined(separator: ", ") + " and " + last
        return "with \(list) carried over"
    }

    /// 3400 as "3,400".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }
}

extension HistoryStore {
    /// The samples carried over from a damaged file go back this far (the hours' figures hold the day and the week).
    static let samplesCarriedFor: TimeInterval = 86_400

    /// Copies into this (new, empty) history what SQLite can still read of the damaged one at `old`, within the
    /// retention: the agents, the transitions, the hours' figures, the usage and the last day's samples. Each table is
    /// read by its key in chunks, newest first until the end or the first error, then oldest first up to where that stopped:
    /// the rows on both sides of one damaged stretch. Rows that cannot be read, or do not fit the table, are skipped.
    func carryOver(from old: String, now: Date) -> CarriedOver {
        var carried = CarriedOver()
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(1)
        guard let source = try? DatabaseQueue(path: old, configuration: config) else { return carried }
        defer { try? source.close() }
        let cutoff = now.addingTimeInterval(-retention).millis
        let samplesFrom = max(cutoff, now.addingTimeInterval(-Self.samplesCarriedFor).millis)
        do {
            carried.transitions = try copy(from: source, table: "transition", key: "id",
                                           columns: ["id", "time", "agent", #""from""#, #""to""#, "reason", "actor"],
                                           where: "time >= ?", arguments: [cutoff])
            // By the table, else by its index of names (which holds each agent's id too).
            let agents = (try? source.read { db in try Row.fetchAll(db, sql: "SELECT id, key, url FROM agent") })
                ?? (try? source.read { db in
                    try Row.fetchAll(db, sql: "SELECT id, key, '' FROM agent INDEXED BY sqlite_autoindex_agent_1 ORDER BY key")
                }) ?? []
            var ids: [Int64] = []
            try pool.write { db in
                for agent in agents {
                    guard let id = Int64.fromDatabaseValue(agent[0] as DatabaseValue),
                          let key = String.fromDatabaseValue(agent[1] as DatabaseValue) else { continue }
                    try db.execute(sql: "INSERT OR IGNORE INTO agent (id, key, url) VALUES (?, ?, ?)",
                                   arguments: [id, key, String.fromDatabaseValue(agent[2] as DatabaseValue) ?? ""])
                    if db.changesCount > 0 { ids.append(id) }
                }
            }
            for id in ids {
                carried.hours += try copy(from: source, table: "hourly", key: "hour",
                                          columns: ["agent", "hour", "samples", "ok", "latencies"],
                                          where: "agent = ? AND hour >= ?", arguments: [id, cutoff / 3_600_000])
                carried.samples += try copy(from: source, table: "sample", key: "time",
                                            columns: ["agent", "time", "ok", "latency", "status", "reason", "unreachable"],
                                            where: "agent = ? AND time >= ?", arguments: [id, samplesFrom])
                // Usage is missing from a file older than its table, and reading it then fails at once.
                carried.usageMinutes += try copy(from: source, table: "usage", key: "minute",
                                                 columns: ["agent", "minute", "memory", "cpu", "cpu_readings"],
                                                 where: "agent = ? AND minute >= ?", arguments: [id, cutoff / 60_000])
            }
        } catch {
            // The new file cannot take more (a full disk): what is in is kept.
        }
        return carried
    }

    /// Copies the rows of `table` that match `filter` from `source` into this history, by `key` both ways (see
    /// `carryOver`); returns how many went in. Throws only when this history cannot be written.
    private func copy(from source: DatabaseQueue, table: String, key: String, columns: [String], where filter: String,
                      arguments: StatementArguments) throws -> Int {
        let list = columns.joined(separator: ", ")
        let insert = "INSERT OR IGNORE INTO \(table) (\(list)) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        let keyIndex = columns.firstIndex(of: key) ?? 0
        let chunk = 5_000
        var copied = 0
        var low = Int64.min, high = Int64.max
        // Newest first, then (after an error) oldest first up to the newest's stop.
        for descending in [true, false] {
            while low <= high {
                let (rows, failed) = Self.read(source, sql: """
                    SELECT \(list) FROM \(table) WHERE \(filter) AND \(key) >= ? AND \(key) <= ?
                    ORDER BY \(key) \(descending ? "DESC" : "ASC") LIMIT \(chunk)
                    """, arguments: arguments + [low, high])
                copied += try insertRows(rows, sql: insert)
                if let last = rows.last.flatMap({ Int64.fromDatabaseValue($0[keyIndex] as DatabaseValue) }) {
                    if descending {
                        guard last > Int64.min else { return copied }
                        high = last - 1
                    } else {
                        guard last < Int64.max else { return copied }
                        low = last + 1
                    }
                }
                if failed { break }
                if rows.count < chunk { return copied }
            }
        }
        return copied
    }

    /// The rows a query gives until the end or the first error, and whether it stopped on one.
    private static func read(_ source: DatabaseQueue, sql: String, arguments: StatementArguments) -> ([Row], Bool) {
        var rows: [Row] = []
        do {
            try source.read { db in
                let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
                while let row = try cursor.next() { rows.append(row.copy()) }
            }
            return (rows, false)
        } catch {
            return (rows, true)
        }
    }

    /// Inserts `rows` in one transaction, skipping those the table refuses (a damaged value in a column that must
    /// hold one). Throws when the file cannot take them.
    private func insertRows(_ rows: [Row], sql: String) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        return try pool.write { db in
            let statement = try db.cachedStatement(sql: sql)
            var inserted = 0
            for row in rows {
                do {
                    try statement.execute(arguments: StatementArguments(Array(row.databaseValues)))
                    inserted += db.changesCount
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT || error.resultCode == .SQLITE_MISMATCH {
                    continue
                }
            }
            return inserted
        }
    }
}
