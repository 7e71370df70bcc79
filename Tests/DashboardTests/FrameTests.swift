import ClawtopCore
import Dashboard
import Foundation
import Testing

/// A fixed fleet at a fixed time: one of each condition, hostile text included.
func sampleFleet() -> (FleetState, Date) {
    let created = Date(timeIntervalSince1970: 1_795_545_132)
    let now = created.addingTimeInterval(3 * 3600 + 125)
    func svc(_ name: String, _ desired: Int, _ running: Int, mode: ServiceMode = .replicated, update: String? = nil,
             image: String = "ghcr.io/openclaw/agent:2026.11.2") -> ServiceInfo {
        ServiceInfo(id: "id-\(name)", name: name, image: image, mode: mode, desired: desired, running: running,
                    createdAt: created, updateState: update)
    }
    func task(_ name: String, _ state: String, desired: String = "running", error: String? = nil, exit: Int? = nil,
              ago: TimeInterval = 600) -> TaskInfo {
        TaskInfo(id: "t-\(name)-\(state)", serviceID: "id-\(name)", slot: 1, nodeID: "node1", state: state,
                 desiredState: desired, error: error, exitCode: exit, timestamp: now.addingTimeInterval(-ago))
    }
    var fleet = FleetState(endpoint: "prod-manager-1")
    reduce(&fleet, .snapshot(
        nodes: [NodeInfo(id: "node1", hostname: "manager-1", role: "manager", state: "ready"),
                NodeInfo(id: "node2", hostname: "worker-1", role: "worker", state: "down")],
        services: [svc("openclaw_alpha", 1, 1), svc("openclaw_beta", 1, 0), svc("openclaw_gamma", 0, 0),
                   svc("openclaw_delta", 2, 1), svc("openclaw_epsilon", 1, 1, update: "updating"),
                   svc("node-exporter", 2, 2, mode: .global, image: "prom/node-exporter:v1.8.2"),
                   svc("openclaw_\u{1B}[2Jevil", 1, 0)],
        tasks: [task("openclaw_alpha", "running"),
                task("openclaw_beta", "failed", desired: "shutdown", error: "task: non-zero exit (3)", exit: 3, ago: 20),
                task("openclaw_beta", "ready", desired: "ready"),
                task("openclaw_delta", "running"),
                task("openclaw_epsilon", "running"),
                task("openclaw_\u{1B}[2Jevil", "failed", desired: "shutdown",
                     error: "boom\u{1B}]0;pwned\u{07} \u{1B}[31mred\u{1B}[0m", exit: 1, ago: 10)],
        at: now))
    return (fleet, now)
}

struct FrameTests {
    static let sizes = [(80, 24), (120, 40), (50, 12), (20, 4), (10, 3)]

    @Test(arguments: sizes)
    func unicodeFrame(width: Int, height: Int) throws {
        let (fleet, now) = sampleFleet()
        var ui = UIState(glyphs: .unicode)
        ui.selectedID = "id-openclaw_alpha"
        try assertGolden(render(fleet, ui: ui, width: width, height: height, now: now).text, "table-unicode-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func asciiFrame(width: Int, height: Int) throws {
        let (fleet, now) = sampleFleet()
        let text = render(fleet, ui: UIState(glyphs: .ascii), width: width, height: height, now: now).text
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII frames hold ASCII only")
        try assertGolden(text, "table-ascii-\(width)x\(height)")
    }

    @Test func hostileTextIsDrawnInert() {
        let (fleet, now) = sampleFleet()
        let text = render(fleet, ui: UIState(), width: 160, height: 20, now: now).text
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(text.contains("openclaw_evil"))
        #expect(text.contains("boom red"))
    }

    @Test func selectionIsMarkedAndFollowsKeys() {
        let (fleet, now) = sampleFleet()
        let rows = fleet.summaries(now: now)
        var ui = UIState()
        #expect(handle(.down, ui: &ui, rows: rows, pageSize: 5) == .redraw)
        #expect(ui.selectedID == rows[1].service.id)
        _ = handle(.char("G"), ui: &ui, rows: rows, pageSize: 5)
        #expect(ui.selectedID == rows.last?.service.id)
        _ = handle(.down, ui: &ui, rows: rows, pageSize: 5)
        #expect(ui.selectedID == rows.last?.service.id)
        _ = handle(.char("g"), ui: &ui, rows: rows, pageSize: 5)
        #expect(ui.selectedID == rows.first?.service.id)
        #expect(handle(.char("q"), ui: &ui, rows: rows, pageSize: 5) == .quit)

        // The selected row is drawn with the selection role, and scrolled into view in a short pane.
        _ = handle(.char("G"), ui: &ui, rows: rows, pageSize: 5)
        let buf = render(fleet, ui: ui, width: 80, height: 6, now: now)
        let selectedRows = (0..<buf.height).filter { y in buf[10, y].role == .selection }
        #expect(selectedRows.count == 1)
        if let y = selectedRows.first { #expect(buf.lines[y].contains(rows.last!.service.name.prefix(10))) }
    }
}

/// Compares with `Golden/NAME.txt` beside this file; `RECORD_GOLDEN=1` writes it instead. A missing golden fails.
func assertGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).txt")
    if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("no golden frame \(url.path); run with RECORD_GOLDEN=1 and review it", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "frame differs from \(name).txt:\n\(actual)", sourceLocation: sourceLocation)
}
