import Foundation
import Testing
import TestSupport

/// A history in whatever state on disk never stops the live view. For each fault (a damaged file, a schema from a
/// newer clawtop, a full disk, a state directory that cannot be written, a lock held by a stuck process), through
/// the binary: `snapshot` and `status` print the fleet with the exit status the agents deserve (0: `kept` answers
/// 200) and say on standard error, once, what is wrong; `record` keeps probing; the console in tmux shows the fleet
/// and one line about the history. Before, each exited 2 with SQLite's message.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct HistoryFaultEndToEndTests {
    typealias Setup = HistoryEndToEndTests.Setup

    /// The second private swarm: the exit status must be `kept`'s alone, and on the first one other tests' labelled
    /// agents come and go (one failing made `status` exit 1).
    static func quietSwarm() throws -> String { try TestDocker.require(TestDocker.swarm2Host, "CLAWTOP_TEST_SWARM2_DOCKER_HOST") }

    /// A test's history: its folder, its options, and the database file a recorder wrote there.
    struct History {
        let setup: Setup
        let folder: String
        var options: [String] { ["--config", setup.config, "--history-dir", folder] }
        var file: String {
            get throws {
                let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".sqlite") })
                return folder + "/" + name
            }
        }

        /// A real history first: a recorder writes some probes, then stops.
        init(_ setup: Setup, folder: String? = nil) async throws {
            self.setup = setup
            self.folder = folder ?? setup.directory + "/history"
            let recorder = try BackgroundProcess(try clawtopBinary(), ["record", "--config", setup.config, "--history-dir", self.folder],
                                                 environment: setup.environment)
            let before = try await setup.probes("recorder")
            try await TestDocker.waitUntil("a recorder probing", timeout: 60) { try await setup.probes("recorder") >= before + 3 }
            #expect(recorder.stop() == 0, "\(recorder.printed)")
        }
    }

    /// How a command is started: as it is, or inside something (a mount namespace).
    struct Launch {
        var prefix: [String] = []
        func command(_ arguments: [String]) throws -> (String, [String]) {
            let all = prefix + [try clawtopBinary()] + arguments
            return (all[0], Array(all.dropFirst()))
        }
        func shell(_ arguments: [String]) throws -> String {
            let (executable, rest) = try command(arguments)
            return ([executable] + rest).map { "'\($0)'" }.joined(separator: " ")
        }
    }

    /// The headless commands with `notice` on standard error (nil: nothing said); `record` keeps probing, saying
    /// `recordSays`; the console shows the fleet and `line`.
    func liveViewStands(_ history: History, launch: Launch = Launch(), notice: String?, recordSays: String?,
                        line: String?) async throws {
        let setup = history.setup
        for command in [["snapshot", "--format", "json"], ["status"]] {
            let (executable, arguments) = try launch.command(command + history.options)
            let result = try await run(executable, arguments, environment: setup.environment)
            // status counts the swarm's labelled agents too (other tests' services, "◐ 1 · ● 2"): "● N", N ≥ 1.
            let fleet = command[0] == "status" ? result.stdout.range(of: "● [1-9]", options: .regularExpression) != nil
                                               : result.stdout.contains("\"kept\"")
            #expect(result.status == 0 && fleet,
                    "\(command[0]): \(result.status) \(result.stdout) \(result.stderr)")
            if let notice {
                #expect(result.stderr.components(separatedBy: notice).count == 2, "once, \(command[0]): \(result.stderr)")
            } else {
                #expect(result.stderr.isEmpty, "\(command[0]): \(result.stderr)")
            }
        }

        let (executable, arguments) = try launch.command(["record"] + history.options)
        let recorder = try BackgroundProcess(executable, arguments, environment: setup.environment)
        let probed = try await setup.probes("recorder")
        try await TestDocker.waitUntil("the recorder probing on", timeout: 60) { try await setup.probes("recorder") >= probed + 3 }
        #expect(recorder.stop() == 0, "\(recorder.printed)")
        if let recordSays { #expect(recorder.printed.contains(recordSays), "\(recorder.printed)") }

        let tmux = try Tmux(width: 200, height: 30, environment: setup.environment)
        try tmux.type(try launch.shell(history.options))
        let screen = try await tmux.waitFor("kept", timeout: 30)
        #expect(screen.contains("kept"))
        if let line {
            let shown = try await tmux.waitFor(line, timeout: 30)
            #expect(shown.contains("kept"), "\(shown)")
        }
        try tmux.keys("q")
        try await TestDocker.waitUntil("the console gone") { try tmux.childPID() == nil }
    }

    /// 5,000 bytes overwritten, as a torn write or a bad sector would, with no journal left to mend them.
    func damage(_ path: String) throws {
        for journal in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + journal) }
        let file = try #require(FileHandle(forWritingAtPath: path))
        try file.seek(toOffset: 100)
        file.write(Data(repeating: 0x5A, count: 5000))
        try file.close()
    }

    /// The readers leave the damaged file as it is; the first writer (the console here) sets it aside, keeps it, and
    /// starts anew; damaged again, the recorder does the same and probes on.
    @Test func aDamagedFile() async throws {
        let setup = try await Setup(host: try Self.quietSwarm())
        defer { setup.remove() }
        let history = try await History(setup)
        let path = try history.file
        try damage(path)
        let damaged = try Data(contentsOf: URL(fileURLWithPath: path))
        for command in [["snapshot"], ["status"]] {
            let result = try await run(try clawtopBinary(), command + history.options, environment: setup.environment)
            #expect(result.status == 0 && result.stderr.contains("is damaged"), "\(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == damaged, "the readers left it as it was")

        let tmux = try Tmux(width: 200, height: 30, environment: setup.environment)
        try tmux.type(try Launch().shell(history.options))
        let shown = try await tmux.waitFor("was damaged", timeout: 30)
        #expect(shown.contains("kept"), "\(shown)")
        try tmux.keys("q")
        try await TestDocker.waitUntil("the console gone") { try tmux.childPID() == nil }
        let aside = try FileManager.default.contentsOfDirectory(atPath: history.folder).filter { $0.contains(".sqlite.corrupt-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }
        #expect(aside.count == 1, "\(aside)")
        if let kept = aside.first {
            #expect(try Data(contentsOf: URL(fileURLWithPath: history.folder + "/" + kept)) == damaged, "kept byte for byte")
        }

        try damage(path)
        try await liveViewStands(history, notice: "is damaged", recordSays: "was damaged", line: nil)
        let kept = try FileManager.default.contentsOfDirectory(atPath: history.folder).filter {
            $0.contains(".sqlite.corrupt-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm")
        }
        #expect(kept.count == 2, "each damaged file kept: \(kept)")
    }

    /// A file whose schema this clawtop does not know (a newer one's migration): read, never migrated or written.
    @Test func aSchemaFromTheFuture() async throws {
        let setup = try await Setup(host: try Self.quietSwarm())
        defer { setup.remove() }
        let history = try await History(setup)
        let path = try history.file
        let sql = try await run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("INSERT INTO grdb_migrations VALUES ('v99-from-the-future')")
            db.execute("CREATE TABLE future (x)")
            db.commit()
            print(db.execute("SELECT count(*) FROM sample").fetchone()[0])
            """, path])
        let samples = sql.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(sql.status == 0 && Int(samples) ?? 0 > 0, "\(sql.stderr)")
        try await liveViewStands(history, notice: nil, recordSays: "written by a newer clawtop: read only", line: "written by a newer clawtop")
        let after = try await run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("SELECT count(*) FROM sample").fetchone()[0], ",".join(r[0] for r in db.execute("SELECT identifier FROM grdb_migrations ORDER BY identifier")))
            """, path])
        #expect(after.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(samples) v1,v2,v99-from-the-future", "nothing written, nothing migrated: \(after.stdout) \(after.stderr)")
    }

    /// A state directory that cannot be written (a read-only mount: root ignores permissions, not that).
    @Test func aStateDirectoryThatCannotBeWritten() async throws {
        let setup = try await Setup(host: try Self.quietSwarm())
        defer { setup.remove() }
        let history = try await History(setup)
        let folder = history.folder
        let readOnly = Launch(prefix: ["/usr/bin/unshare", "-m", "/bin/sh", "-c",
                                       "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" \"$1\" && shift && exec \"$@\"",
                                       "sh", folder])
        try await liveViewStands(history, launch: readOnly, notice: nil, recordSays: "probing without writing the history",
                                 line: "cannot write the history")
    }

    /// A lock held by a stuck process: a bounded wait, then live data.
    @Test func aLockHeldByAStuckProcess() async throws {
        let setup = try await Setup(host: try Self.quietSwarm())
        defer { setup.remove() }
        let history = try await History(setup)
        let holder = try BackgroundProcess("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            time.sleep(600)
            """, try history.file], environment: ["PATH": "/usr/bin:/bin"])
        defer { holder.stop(SIGKILL) }
        try await TestDocker.waitUntil("the lock held") { holder.printed.contains("locked") }
        try await liveViewStands(history, notice: nil, recordSays: "is locked by another process", line: "is locked by another process")
    }

    /// A tmpfs of a few hundred KiB, filled while the recorder writes: it keeps probing, says so once, and writes
    /// again when there is room.
    @Test func aFullDisk() async throws {
        let setup = try await Setup(host: try Self.quietSwarm())
        defer { setup.remove() }
        let folder = setup.directory + "/small"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let mounted = try await run("/bin/mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", folder])
        #expect(mounted.status == 0, "\(mounted.stderr)")
        defer { _ = try? TestSupport.run("/bin/umount", ["-l", folder]) as ProcessResult }
        let history = try await History(setup, folder: folder)
        let recorder = try BackgroundProcess(try clawtopBinary(), ["record"] + history.options, environment: setup.environment)
        defer { recorder.stop() }
        try await TestDocker.waitUntil("the recorder writing", timeout: 30) { recorder.printed.contains("writing its history") }
        // Fill what is left (dd stops at the end of the room).
        _ = try await run("/bin/dd", ["if=/dev/zero", "of=\(folder)/filler", "bs=4096"])
        try await TestDocker.waitUntil("the recorder says the disk is full", timeout: 60) { recorder.printed.contains("full") }
        let probed = try await setup.probes("recorder")
        try await TestDocker.waitUntil("the recorder probing on", timeout: 60) { try await setup.probes("recorder") >= probed + 12 }
        #expect(recorder.printed.components(separatedBy: "disk is full").count == 2, "said once: \(recorder.printed)")
        // The console and the headless commands meanwhile.
        for command in [["snapshot"], ["status"]] {
            let result = try await run(try clawtopBinary(), command + history.options, environment: setup.environment)
            #expect(result.status == 0, "\(command[0]): \(result.stderr)")
        }
        try FileManager.default.removeItem(atPath: folder + "/filler")
        #expect(recorder.stop() == 0, "\(recorder.printed)")
        let samples = try await run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM sample").fetchone()[0])
            """, try history.file])
        #expect(Int(samples.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 > 0, "the good rows kept: \(samples.stdout) \(samples.stderr)")
    }
}
