import ClawtopCore
import Screen
import Dashboard
import Foundation
import Testing
import TestSupport

/// `snapshot --format json|ansi` of the sample fleet: the same state gives the same bytes.
struct SnapshotFormatTests {
    static let goldens = ["snapshot-json", "snapshot-ansi-80x24"]

    @Test func jsonIsStableAndDocumented() throws {
        let (fleet, now) = sampleFleet()
        let json = FleetReport(fleet, now: now).json()
        #expect(json == FleetReport(fleet, now: now).json(), "the same state gives the same bytes")
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(Set(object.keys) == ["generatedAt", "endpoint", "connection", "nodes", "agents", "services", "healthFrom", "timeline", "audit", "auditSilenced"])
        let agents = try #require(object["agents"] as? [[String: Any]])
        #expect(agents.map { $0["name"] as? String } == fleet.agentRows(now: now).map(\.agent.name), "the table's order")
        #expect(agents.first?["health"] as? String == "unhealthy")
        try assertGolden(String(decoding: json, as: UTF8.self) + "\n", "snapshot-json")
    }

    @Test func theExitStatusSaysWhetherAnythingIsFailingUnhealthyOrMissing() {
        let (fleet, now) = sampleFleet()
        #expect(StatusReport(rows: fleet.agentRows(now: now), endpoint: "", now: now).exitStatus == 1)
        var healthy = FleetState(endpoint: "x", setup: AgentSetup(showAll: true))
        reduce(&healthy, .docker(.snapshot(nodes: [], services: [ServiceInfo(id: "a", name: "a", image: "i", mode: .replicated,
                                                                      desired: 0, running: 0, createdAt: now)],
                                   tasks: [], at: now)))
        #expect(StatusReport(rows: healthy.agentRows(now: now), endpoint: "", now: now).exitStatus == 0, "asleep is not failing")
    }

    @Test func ansiCarriesTheColourThemeAndTheSameText() throws {
        let (fleet, now) = sampleFleet()
        var ui = UIState()
        ui.selectedID = "alpha"
        let frame = render(fleet, ui: ui, width: 80, height: 24, now: now)
        let ansi = ansiText(frame)
        let stripped = ansi.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped.split(separator: "\n", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: #" +$"#, with: "", options: .regularExpression) }
                == frame.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        #expect(ansi.contains("\u{1B}[0;1;31m✗ unhealthy"), "unhealthy in bold red")
        try assertGolden(ansi, "snapshot-ansi-80x24")
    }
}
