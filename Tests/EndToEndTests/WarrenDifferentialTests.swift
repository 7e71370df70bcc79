import Foundation
import Testing
import TestSupport

/// The corpus: small orchestrator.yaml files, one rule each, plus Warren's own example configs. The first line of
/// each says what Warren does with it (`# accept: ...` or `# reject: ...`) and which rule it exercises.
enum WarrenCorpus {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("WarrenCorpus")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// What the file's first line says Warren does: true (accept), false (reject), nil (no such line).
    static func expectation(_ name: String) -> Bool? {
        let first = ((try? String(contentsOfFile: path(name), encoding: .utf8)) ?? "").prefix { $0 != "\n" }
        if first.hasPrefix("# accept: ") { return true }
        if first.hasPrefix("# reject: ") { return false }
        return nil
    }
}

/// `clawtop check-config` against the real Warren: for every file of the corpus, both accept it or both reject it.
@Suite(.enabled(if: WarrenServer.shouldRun))
struct WarrenDifferentialTests {
    @Test func theCorpusIsLargeSafeAndMixed() throws {
        let files = WarrenCorpus.files
        #expect(files.count >= 40, "the corpus has \(files.count) files")
        let expectations = files.map(WarrenCorpus.expectation)
        #expect(expectations.filter { $0 == true }.count >= 10)
        #expect(expectations.filter { $0 == false }.count >= 10)
        for name in files {
            let text = try String(contentsOfFile: WarrenCorpus.path(name), encoding: .utf8)
            #expect(WarrenCorpus.expectation(name) != nil, "\(name) does not start with `# accept: ` or `# reject: `")
            // Warren must never listen beyond loopback, reach a database or NATS, or call Alexandria elsewhere.
            #expect(text.contains("listen: \"127.0.0.1:"), "\(name) has no listen on 127.0.0.1")
            #expect(text.contains("alexandria: {url: \"http://127.0.0.1:") || text.contains("alexandria:\n  url: \"http://127.0.0.1:"),
                    "\(name) does not point alexandria at loopback")
            #expect(!text.contains("database_url") && !text.contains("enabled: true"), "\(name) enables a database or NATS")
        }
    }

    @Test(arguments: WarrenCorpus.files)
    func clawtopAndWarrenAgree(on name: String) async throws {
        let warrenServer = try WarrenServer.requireBinary()
        let path = WarrenCorpus.path(name)
        let warren = try await offPool { try WarrenJudge.judge(warrenServer, config: path) }
        let clawtop = try await run(clawtopBinary(), ["check-config", path])
        #expect(clawtop.status == 0 || clawtop.status == 1, "\(name): clawtop check-config exited \(clawtop.status)\n\(clawtop.stderr)")
        let clawtopAccepts = clawtop.status == 0
        func verdict(_ accepts: Bool) -> String { accepts ? "accepts" : "rejects" }
        #expect(warren.accepted == clawtopAccepts, """
            \(name): Warren \(verdict(warren.accepted)) it (exit \(warren.status)) but clawtop check-config \(verdict(clawtopAccepts)) it
            --- warren-server output:
            \(warren.output)
            --- clawtop check-config output:
            \(clawtop.stdout)
            """)
        #expect(warren.accepted == WarrenCorpus.expectation(name), """
            \(name): its first line says Warren \(verdict(WarrenCorpus.expectation(name) ?? false)) it, but Warren \(verdict(warren.accepted)) it (exit \(warren.status))
            \(warren.output)
            """)
        // Every problem clawtop reports has its line and column.
        let lines = clawtop.stdout.split(separator: "\n")
        for line in lines where !line.hasPrefix("OK: ") {
            #expect(line.range(of: #"^\#(NSRegularExpression.escapedPattern(for: path)):[0-9]+:[0-9]+: "#, options: .regularExpression) != nil,
                    "\(name): a problem without its line and column: \(line)")
        }
    }
}
