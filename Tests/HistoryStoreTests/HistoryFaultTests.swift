import ClawtopCore
import Foundation
import GRDB
@testable import HistoryStore
import Testing

/// A history that cannot be opened, read or written: what `open` gives, what it does to the files, and what the
/// writer does when writes fail. Real files in a scratch directory; other processes are Python's sqlite3.
struct HistoryFaultTests {
    /// A history holding 3 agents' samples of the last ~33 minutes (1,200), their hours' figures (3 rows) and 20
    /// transitions, closed.
    func filledHistory(_ path: String) throws {
        let store = try HistoryStore(path: path)
        var samples: [RecordedSample] = []
        for i in 0..<400 {
            let secondsAgo = Double(5 + i * 5)
            for key in ["a", "b", "c"] { samples.append(sample(key, secondsAgo, ok: i % 7 != 0)) }
        }
        var transitions: [Transition] = []
        for i in 0..<20 {
            let time = now.addingTimeInterval(Double(i * 10 - 3_000))
            let up = i % 2 == 1
            transitions.append(Transition(time: time, agent: "a", from: up ? .failing : .healthy, to: up ? .healthy : .failing))
        }
        try store.write(samples: samples, transitions: transitions)
        try store.pool.close()
    }

    /// `count` bytes of garbage written over the file at `offset`; the file as it is after.
    @discardableResult
    func damage(_ path: String, at offset: UInt64 = 4_096, count: Int = 5_000) throws -> Data {
        let file = try #require(FileHandle(forUpdatingAtPath: path))
        try file.seek(toOffset: offset)
        try file.write(contentsOf: Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }))
        try file.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Runs `sql` (statements separated by `;`) through Python's sqlite3 on `path`; its output.
    @discardableResult
    func python(_ path: String, _ sql: String) throws -> String {
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            for statement in sys.argv[2].split(";"):
                for row in db.execute(statement): print("|".join(str(v) for v in row))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path, sql]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return text
    }

    @Test func aHealthyHistoryOpensWithoutANoticeAndAReaderCreatesNothing() throws {
        let scratch = Scratch()
        let deeper = scratch.directory + "/state/history/swarm.sqlite"
        let reading = HistoryStore.open(path: deeper, as: .reader)
        #expect(reading.store == nil && reading.notice == nil && !FileManager.default.fileExists(atPath: scratch.directory))
        let opening = HistoryStore.open(path: deeper, as: .writer)
        let store = try #require(opening.store)
        #expect(opening.notice == nil && opening.fault == nil && !store.isReadOnly)
        try store.write(samples: [sample("a", 10)], transitions: [])
        let reader = try #require(HistoryStore.open(path: deeper, as: .reader).store)
        #expect(try reader.loadPast(capacity: 10).samples["a"]?.count == 1)
        #expect(reader.isReadOnly)
        #expect(throws: HistoryError.self) { try reader.write(samples: [sample("a", 5)], transitions: []) }
    }

    /// The brief's case: 5,000 bytes overwritten at 4096 (the migrations' table and the start of its index, in a file
    /// laid out by `v1`). The writer keeps the damaged file beside itself, starts anew and carries over all the rows
    /// that sit elsewhere.
    @Test func aDamagedFileIsSetAsideByTheWriterWithWhatCanBeReadCarriedOver() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        try damage(scratch.path)
        // What clawtop did before: stop (and the throwing `init` still does, having written to the file).
        #expect(throws: HistoryError.self) { try HistoryStore(path: scratch.path) }
        let damaged = try Data(contentsOf: URL(fileURLWithPath: scratch.path))

        let opening = HistoryStore.open(path: scratch.path, as: .writer, now: now)
        let store = try #require(opening.store)
        #expect(opening.fault == .damaged)
        let aside = try #require(opening.setAside)
        // Kept as it was, beside itself, named by the UTC time.
        #expect(aside.range(of: #"\.corrupt-\d{8}-\d{6}$"#, options: .regularExpression) != nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: aside)) == damaged)
        #expect(opening.carriedOver == CarriedOver(transitions: 20, samples: 1_200, hours: 3))
        #expect(opening.notice == "history \(scratch.path) was damaged (database disk image is malformed): kept as \(aside), "
                + "started anew with 20 transitions, 1,200 samples and 3 hours' figures carried over")
        // The counts are what the new file holds, and it is whole and takes writes.
        let past = try store.loadPast(capacity: 1_000, transitions: 100)
        #expect(past.samples.values.map(\.count).reduce(0, +) == 1_200 && past.transitions.count == 20)
        #expect(past.urls["a"] == "http://127.0.0.1:1/health")
        #expect(try store.windows(now: now)["a"]?.hour.samples == 400)
        #expect(try store.integrityCheck() == "ok")
        try store.write(samples: [sample("a", 1)], transitions: [])
        // Opened again: nothing wrong any more, and nothing set aside twice.
        try store.pool.close()
        let again = HistoryStore.open(path: scratch.path, as: .writer, now: now)
        #expect(again.store != nil && again.notice == nil)
        #expect(files(in: scratch.directory).filter { $0.contains(".corrupt-") && !$0.hasSuffix("-shm") && !$0.hasSuffix("-wal") }
                == [(aside as NSString).lastPathComponent])
    }

    /// A file whose header is gone (not a database at all): set aside, started anew, nothing to carry over.
    @Test func aFileThatIsNoDatabaseIsSetAsideWithNothingCarriedOver() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        let damaged = try damage(scratch.path, at: 0)
        let opening = HistoryStore.open(path: scratch.path, as: .writer, now: now)
        let store = try #require(opening.store)
        let aside = try #require(opening.setAside)
        #expect(try Data(contentsOf: URL(fileURLWithPath: aside)) == damaged)
        #expect(opening.carriedOver == CarriedOver())
        #expect(opening.notice == "history \(scratch.path) was damaged (file is not a database): kept as \(aside), "
                + "started anew with nothing carried over")
        try store.write(samples: [sample("a", 1)], transitions: [])
        #expect(try store.integrityCheck() == "ok")
    }

    /// A reader (snapshot, status) moves nothing: no store, a notice, the file as it was.
    @Test func aReaderLeavesADamagedFileAloneAndSaysSo() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        let damaged = try damage(scratch.path)
        let opening = HistoryStore.open(path: scratch.path, as: .reader)
        #expect(opening.store == nil && opening.fault == .damaged)
        #expect(opening.notice == "history \(scratch.path) is damaged (database disk image is malformed); showing live data "
                + "until the console or recorder sets it aside")
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path)) == damaged)
        #expect(!files(in: scratch.directory).contains { $0.contains(".corrupt-") })
    }

    /// Damage deep in a table, which opening does not read: SQLite's whole check (`verify`) finds it.
    @Test func theWholeCheckFindsDamageThatOpeningDoesNotRead() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        // A page of sample rows in the middle of the table (opening reads the first and the last).
        let leaves = try python(scratch.path, "SELECT pageno FROM dbstat WHERE name = 'sample' AND pagetype = 'leaf' ORDER BY path")
            .split(separator: "\n").compactMap { UInt64($0) }
        #expect(leaves.count >= 5)
        let page = leaves[leaves.count / 2]
        let onThePage = try #require(Int(try python(scratch.path, "SELECT ncell FROM dbstat WHERE pageno = \(page)").dropLast()))
        try damage(scratch.path, at: (page - 1) * 4_096, count: 4_096)
        #expect(HistoryStore.open(path: scratch.path, as: .reader).store != nil, "the edges of each table read well")
        let checked = HistoryStore.open(path: scratch.path, as: .reader, verify: true)
        #expect(checked.store == nil && checked.fault == .damaged)
        let writer = HistoryStore.open(path: scratch.path, as: .writer, verify: true, now: now)
        #expect(writer.store != nil && writer.setAside != nil)
        let carried = try #require(writer.carriedOver)
        // All but that page's: the rows on both sides of it.
        #expect(carried == CarriedOver(transitions: 20, samples: 1_200 - onThePage, hours: 3))
        #expect(try writer.store?.loadPast(capacity: 1_000).samples.values.map(\.count).reduce(0, +) == carried.samples)
    }

    /// A file a newer clawtop migrated further (a new table, a new column, a migration this one does not know):
    /// never migrated, read as it is, written never.
    @Test func aFileFromANewerClawtopIsOnlyRead() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        try python(scratch.path, """
            CREATE TABLE region (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            ALTER TABLE sample ADD COLUMN region INTEGER NOT NULL DEFAULT 1;
            INSERT INTO grdb_migrations VALUES ('v2-regions')
            """)
        let look = "SELECT identifier FROM grdb_migrations ORDER BY identifier; SELECT name, sql FROM sqlite_master ORDER BY name"
        let before = try python(scratch.path, look)
        #expect(before.contains("v2-regions"))

        let opening = HistoryStore.open(path: scratch.path, as: .writer, now: now)
        let store = try #require(opening.store)
        #expect(opening.fault == .newer && store.isReadOnly)
        #expect(opening.notice == "history \(scratch.path) was written by a newer clawtop: read only")
        #expect(try store.loadPast(capacity: 1_000).samples["a"]?.count == 400)
        #expect(try store.windows(now: now)["b"]?.hour.samples == 400)
        let error = #expect(throws: HistoryError.self) { try store.write(samples: [sample("a", 1)], transitions: []) }
        #expect(error?.description == "history \(scratch.path): written by a newer clawtop: read only" && error?.fault == .newer)
        #expect(throws: HistoryError.self) { try store.claimRecorder(pid: 1, host: "h", now: now) }
        // A reader reads it too, without a word.
        let reading = HistoryStore.open(path: scratch.path, as: .reader)
        #expect(reading.store != nil && reading.notice == nil && reading.fault == .newer)
        #expect(try python(scratch.path, look) == before)
        #expect(try python(scratch.path, "SELECT count(*) FROM sample") == "1200\n")
    }

    /// A newer clawtop that took away a column this one reads: no store, a notice, the file as it was.
    @Test func aFileFromANewerClawtopThatThisOneCannotReadGivesLiveDataOnly() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        try python(scratch.path, "ALTER TABLE sample DROP COLUMN reason; INSERT INTO grdb_migrations VALUES ('v3-no-reasons')")
        let before = try Data(contentsOf: URL(fileURLWithPath: scratch.path))
        for role in [HistoryRole.writer, .reader] {
            let opening = HistoryStore.open(path: scratch.path, as: role, now: now)
            #expect(opening.store == nil && opening.fault == .newer)
            #expect(opening.notice == "history \(scratch.path) was written by a newer clawtop and this one cannot read it "
                    + "(no such column: reason); showing live data")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path)) == before)
        #expect(!files(in: scratch.directory).contains { $0.contains(".corrupt-") })
    }

    /// Where the state directory should be is a regular file (what root, who may write anywhere, can still be kept
    /// from): a notice, no store, no throw, and the file left alone.
    @Test func aStateDirectoryThatCannotBeCreatedGivesANoticeNotAThrow() throws {
        let scratch = Scratch()
        try FileManager.default.createDirectory(atPath: scratch.directory, withIntermediateDirectories: true)
        let plain = scratch.directory + "/state"
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: plain))
        let path = plain + "/history/swarm.sqlite"
        let opening = HistoryStore.open(path: path, as: .writer)
        #expect(opening.store == nil && opening.fault == .unwritable)
        #expect(opening.notice == "cannot write the history in \(plain)/history: Not a directory; showing live data only")
        let reading = HistoryStore.open(path: path, as: .reader)
        #expect(reading.store == nil && reading.notice == nil)
        #expect(try String(contentsOfFile: plain, encoding: .utf8) == "not a directory")
        #expect(throws: HistoryError.self) { try HistoryStore(path: path) }
    }

    /// A directory mounted read-only (which root cannot write either, as CI runs): the file is read, nothing is
    /// written; without a file, live data only.
    @Test(.enabled(if: geteuid() == 0, "mounting needs root; the next test is for other users"))
    func aReadOnlyDirectoryGivesAReadOnlyStoreOrNone() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        let empty = scratch.directory + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        func mount(_ arguments: [String]) throws -> Int32 {
            let process = try Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: arguments)
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(try mount(["mount", "--bind", scratch.directory, scratch.directory]) == 0)
        defer { _ = try? mount(["umount", "-l", scratch.directory]) }
        #expect(try mount(["mount", "-o", "remount,bind,ro", scratch.directory, scratch.directory]) == 0)
        let opening = HistoryStore.open(path: scratch.path, as: .writer)
        let store = try #require(opening.store, "\(opening.notice ?? "")")
        #expect(opening.fault == .unwritable && store.isReadOnly)
        #expect(opening.notice == "cannot write the history in \(scratch.directory): Read-only file system; reading \(scratch.path) only")
        #expect(try store.loadPast(capacity: 1_000).samples["c"]?.count == 400)
        let none = HistoryStore.open(path: empty + "/swarm.sqlite", as: .writer)
        #expect(none.store == nil && none.fault == .unwritable)
        #expect(none.notice == "cannot write the history in \(empty): Read-only file system; showing live data only")
    }

    /// A directory or a file the user may not write (root may: the test above is root's): the file is read, nothing
    /// is written; without a file, live data only.
    @Test(.enabled(if: geteuid() != 0, "root writes anywhere; the test above is root's"))
    func aDirectoryThatCannotBeWrittenGivesAReadOnlyStoreOrNone() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        let empty = scratch.directory + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        for directory in [scratch.directory, empty] {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory)
        }
        defer {
            for directory in [scratch.directory, empty] {
                try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
            }
        }
        let opening = HistoryStore.open(path: scratch.path, as: .writer)
        let store = try #require(opening.store)
        #expect(opening.fault == .unwritable && store.isReadOnly)
        #expect(opening.notice == "cannot write the history in \(scratch.directory): Permission denied; reading \(scratch.path) only")
        #expect(try store.loadPast(capacity: 1_000).samples["c"]?.count == 400)
        let none = HistoryStore.open(path: empty + "/swarm.sqlite", as: .writer)
        #expect(none.store == nil && none.fault == .unwritable)
        #expect(none.notice == "cannot write the history in \(empty): Permission denied; showing live data only")
        // A file the user may not write, in a directory it may.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.directory)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: scratch.path)
        let file = HistoryStore.open(path: scratch.path, as: .writer)
        #expect(file.store?.isReadOnly == true && file.fault == .unwritable)
        #expect(file.notice == "cannot write the history in \(scratch.directory): Permission denied; reading \(scratch.path) only")
    }

    /// Python's sqlite3 holding the file's lock until told to stop: `BEGIN EXCLUSIVE` (a writer's lock, readers
    /// still read in WAL mode), or with `exclusive` SQLite's exclusive locking mode (no one else reads either).
    final class LockHolder {
        let process = Process()
        let input = Pipe()

        init(_ path: String, exclusiveMode: Bool) throws {
            let script = """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1], isolation_level=None)
                if sys.argv[2] == "1":
                    db.execute("PRAGMA locking_mode=EXCLUSIVE")
                stuck = 'INSERT INTO transition (time, agent, "from", "to") VALUES (0, "stuck", "healthy", "failing")'
                db.execute(stuck)  # committed: the journal is not empty, so opening for writing need not write
                db.execute("BEGIN EXCLUSIVE")
                db.execute(stuck)
                print("locked", flush=True)
                sys.stdin.read()
                """
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, path, exclusiveMode ? "1" : "0"]
            let out = Pipe()
            process.standardOutput = out
            process.standardInput = input
            try process.run()
            var said = Data()
            while !said.contains(UInt8(ascii: "\n")) {
                let more = out.fileHandleForReading.availableData
                if more.isEmpty { break }
                said += more
            }
            #expect(String(decoding: said, as: UTF8.self) == "locked\n")
        }

        func release() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }

        deinit {
            if process.isRunning { process.terminate() }
        }
    }

    @Test func aLockHeldByAStuckProcessIsWaitedForABoundedTime() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        let holder = try LockHolder(scratch.path, exclusiveMode: false)
        let opening = HistoryStore.open(path: scratch.path, as: .writer, lockWait: 0.5)
        #expect(opening.store == nil && opening.fault == .locked)
        #expect(opening.notice == "history \(scratch.path) is locked by another process (waited 0.5 s); showing live data")
        // Readers still read under a writer's lock (WAL).
        let reader = try #require(HistoryStore.open(path: scratch.path, as: .reader, lockWait: 0.5).store)
        #expect(try reader.loadPast(capacity: 1_000).samples["a"]?.count == 400)
        holder.release()
        #expect(HistoryStore.open(path: scratch.path, as: .writer, lockWait: 0.5).store != nil)
    }

    @Test func aLockInExclusiveModeKeepsReadersOutForABoundedTimeToo() throws {
        let scratch = Scratch()
        try filledHistory(scratch.path)
        let holder = try LockHolder(scratch.path, exclusiveMode: true)
        for role in [HistoryRole.reader, .writer] {
            let opening = HistoryStore.open(path: scratch.path, as: role, lockWait: 0.5)
            #expect(opening.store == nil && opening.fault == .locked)
            #expect(opening.notice == "history \(scratch.path) is locked by another process (waited 0.5 s); showing live data")
        }
        holder.release()
        #expect(HistoryStore.open(path: scratch.path, as: .reader, lockWait: 0.5).store != nil)
    }

    @Test func numbersInNoticesAreGroupedByThousands() {
        #expect([0, 7, 999, 1_000, 3_400, 1_234_567].map(CarriedOver.grouped) == ["0", "7", "999", "1,000", "3,400", "1,234,567"])
        #expect(CarriedOver(transitions: 1, samples: 0, hours: 2).phrase == "with 1 transition and 2 hours' figures carried over")
    }
}
