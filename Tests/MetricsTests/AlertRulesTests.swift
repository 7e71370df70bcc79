import Foundation
import Testing

/// The alert rules in deploy/prometheus, checked and unit-tested by Prometheus' own promtool (Debian's `prometheus`,
/// which scripts/test installs): every alert with a series that fires it and one that does not.
struct AlertRulesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/prometheus").path

    func promtool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["promtool"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Self.directory)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func theRulesAreValidAndEveryAlertIsTested() throws {
        let check = try promtool(["check", "rules", "clawtop-rules.yml"])
        #expect(check.status == 0, "promtool (scripts/test installs Debian's prometheus): \(check.output)")
        let test = try promtool(["test", "rules", "clawtop-rules.test.yml"])
        #expect(test.status == 0 && test.output.contains("SUCCESS"), "\(test.output)")
        // Every alert has a test that expects it to fire.
        let rules = try String(contentsOfFile: Self.directory + "/clawtop-rules.yml", encoding: .utf8)
        let tests = try String(contentsOfFile: Self.directory + "/clawtop-rules.test.yml", encoding: .utf8)
        let alerts = rules.split(separator: "\n").compactMap { line in line.firstRange(of: "- alert: ").map { String(line[$0.upperBound...]) } }
        #expect(alerts.count == 8)
        for alert in alerts { #expect(tests.contains("alertname: \(alert)\n        exp_alerts:\n          - exp_labels"), "\(alert)") }
    }
}
