import ClawtopCore
import Foundation
import Testing
@testable import WarrenSource

/// Warren's admin API payloads, captured from the real server (Fixtures/README.md), in the model's terms.
struct WarrenWireTests {
    func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return Array(try Data(contentsOf: url))
    }

    @Test func agentsAsWarrenListsThem() throws {
        let agents = try #require(WarrenWire.agents(try fixture("agents.json")))
        let byName = Dictionary(agents.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["alpha"] == WarrenAgent(name: "alpha", hostname: "alpha.example.com", policy: "always-on",
                                              backend: "http://127.0.0.1:1", containerName: "openclaw_alpha",
                                              healthURL: "http://127.0.0.1:1/health", idleTimeout: "0s", state: "degraded"))
        #expect(byName["beta"]?.state == "sleeping" && byName["beta"]?.idleTimeout == "30m0s" && byName["beta"]?.health == .asleep)
        #expect(byName["gamma"]?.containerName == nil && byName["gamma"]?.health == .healthy, "unmanaged: always ready")
    }

    @Test func healthAsWarrenCountsIt() throws {
        let status = try #require(WarrenWire.status(try fixture("health.json")))
        #expect(status.agents == 3 && status.ready == 1 && status.sleeping == 1 && status.webSockets == 0)
        #expect(status.uptime > 5 && status.uptime < 6)
    }

    @Test func whatIsNotWarrenIsNotTakenForIt() {
        #expect(WarrenWire.status(Array(#"{"status":"ok"}"#.utf8)) == nil)
        #expect(WarrenWire.status(Array("<html>".utf8)) == nil)
        #expect(WarrenWire.agents(Array(#"{"error":"unauthorized"}"#.utf8)) == nil)
        #expect(WarrenWire.agents(Array("[{\"no\":\"name\"}]".utf8)) == [])
    }

    @Test func eventsFromTheStream() throws {
        let lines = String(decoding: try fixture("events.txt"), as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("data:") }
        let now = Date()
        let events = lines.compactMap { WarrenWire.event(String($0.dropFirst(5)), now: now) }
        #expect(events.map(\.type) == ["agent.health_failed", "agent.degraded", "agent.health_failed"])
        #expect(events[0].agent == "alpha" && events[0].fields["error"]?.contains("connection refused") == true)
        // Go's nine fractional digits and the offset: the time is Warren's, not the moment clawtop read it.
        #expect(events[0].time != now && abs(events[0].time.timeIntervalSince(events[1].time)) < 0.001)
        // Each parsed (nil would equal nil), and equal to the time it names.
        let noon = Date(timeIntervalSince1970: 1_796_003_091)
        #expect(WarrenWire.date("2026-11-30T01:44:51Z") == noon)
        #expect(WarrenWire.date("2026-11-30T01:44:51.611667821Z").map { abs($0.timeIntervalSince(noon) - 0.611) < 0.0005 } == true)
        #expect(WarrenWire.date("2026-11-30T01:44:51.611Z").map { abs($0.timeIntervalSince(noon) - 0.611) < 0.0005 } == true)
        #expect(WarrenWire.date("2026-11-30T02:44:51+01:00") == noon)
        #expect(WarrenWire.event("not json", now: now) == nil)
    }
}
