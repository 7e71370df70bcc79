import ClawtopCore
import Screen
@testable import Dashboard
import Foundation
import Testing
import TestSupport

/// A fixed fleet at a fixed time: one agent in each health state, hostile text included.
func sampleFleet() -> (FleetState, Date) {
    let created = Date(timeIntervalSince1970: 1_795_545_132)
    let now = created.addingTimeInterval(3 * 3600 + 125)
    func svc(_ name: String, _ desired: Int, _ running: Int, mode: ServiceMode = .replicated, update: String? = nil,
             image: String = "ghcr.io/openclaw/agent:2026.11.2", labels: [String: String] = [:],
             spec: ServiceSpecSummary = ServiceSpecSummary()) -> ServiceInfo {
        ServiceInfo(id: "id-\(name)", name: name, image: image, mode: mode, desired: desired, running: running,
                    createdAt: created, labels: labels, updateState: update, spec: spec)
    }
    let betaSpec = ServiceSpecSummary(restartCondition: "on-failure", restartDelay: 5, restartMaxAttempts: 3, restartWindow: 120,
                                      cpuLimit: 0.5, memoryLimit: 512 << 20, memoryReservation: 256 << 20,
                                      envNames: ["OPENCLAW_GATEWAY_PORT", "OPENCLAW_GATEWAY_TOKEN"], secrets: ["gateway_token"],
                                      healthcheck: "wget -q -O- http://127.0.0.1:18080/api/health", healthcheckInterval: 2,
                                      forceUpdate: 2)
    func task(_ name: String, _ state: String, desired: String = "running", error: String? = nil, exit: Int? = nil,
              ago: TimeInterval = 600, health: ContainerHealth? = nil) -> TaskInfo {
        TaskInfo(id: "t-\(name)-\(state)", serviceID: "id-\(name)", slot: 1, nodeID: "node1", state: state,
                 desiredState: desired, error: error, exitCode: exit, timestamp: now.addingTimeInterval(-ago),
                 createdAt: now.addingTimeInterval(-ago), containerHealth: health)
    }
    func agent(_ name: String, url: String? = nil, policy: String = "always-on") -> AgentDefinition {
        AgentDefinition(name: name, serviceName: "openclaw_\(name)", policy: policy,
                        healthURL: url ?? "http://127.0.0.1:18800/health", checkInterval: 10, startupTimeout: 60,
                        maxFailures: 3, source: .config)
    }
    let setup = AgentSetup(configured: [agent("alpha"), agent("beta"), agent("gamma", policy: "on-demand"), agent("delta"),
                                        agent("epsilon", url: "http://tasks.openclaw_epsilon:18789/health"), agent("zeta")])
    var fleet = FleetState(endpoint: "prod-manager-1", setup: setup)
    reduce(&fleet, .docker(.snapshot(
        nodes: [NodeInfo(id: "node1", hostname: "manager-1", role: "manager", state: "ready", leader: true,
                         address: "10.0.0.11", engine: "28.2.2"),
                NodeInfo(id: "node2", hostname: "worker-1", role: "worker", state: "down", address: "10.0.0.12", engine: "28.2.2"),
                NodeInfo(id: "node3", hostname: "worker-2", role: "worker", state: "ready", availability: "drain",
                         address: "10.0.0.13", engine: "28.2.2")],
        services: [svc("openclaw_alpha", 1, 1),
                   svc("openclaw_beta", 1, 0, labels: ["orchestrator.agent": "beta", "com.example.api_key": "sk-live-123"], spec: betaSpec), svc("openclaw_gamma", 0, 0),
                   svc("openclaw_delta", 2, 1), svc("openclaw_epsilon", 1, 1, update: "updating"),
                   svc("node-exporter", 2, 2, mode: .global, image: "prom/node-exporter:v1.8.2"),
                   svc("openclaw_\u{1B}[2Jevil", 1, 0, labels: ["orchestrator.agent": "true"])],
        tasks: [task("openclaw_alpha", "running"),
                task("openclaw_beta", "failed", desired: "shutdown", error: "task: non-zero exit (3)", exit: 3, ago: 20),
                task("openclaw_beta", "ready", desired: "ready", ago: 15),
                task("openclaw_delta", "running"),
                task("openclaw_epsilon", "running", health: .healthy),
                task("openclaw_\u{1B}[2Jevil", "failed", desired: "shutdown",
                     error: "boom\u{1B}]0;pwned\u{07} \u{1B}[31mred\u{1B}[0m", exit: 1, ago: 10)],
        at: now)))
    // Thirty probes ten seconds apart, the newest 5 s ago: alpha healthy with a range of latencies, beta ending in
    // three refusals, delta with one HTTP 500 among them and at the end.
    let latencies = [0.004, 0.02, 0.07, 0.2, 0.4, 0.8, 1.5]
    for i in 0..<30 {
        let at = now.addingTimeInterval(-5 - Double(29 - i) * 10)
        func probe(_ name: String, ok: Bool, reason: String? = nil, status: Int? = nil) {
            reduce(&fleet, .probe(agent: name, url: "http://127.0.0.1:18800/health",
                                  sample: HealthSample(time: at, ok: ok, latency: ok || status != nil ? latencies[i % 7] : nil,
                                                       status: status, reason: reason)))
        }
        probe("alpha", ok: true, status: 200)
        probe("beta", ok: i < 27, reason: i < 27 ? nil : "refused")
        if i == 29 {
            // The newest: delta's gateway drains, as a rollout replaces it.
            let draining = Readiness(phase: .draining, failing: ["gateway-draining"])
            reduce(&fleet, .probe(agent: "delta", url: "http://127.0.0.1:18800/health",
                                  sample: HealthSample(time: at, ok: false, latency: 0.003, status: 503,
                                                       reason: draining.summary, readiness: draining)))
        } else {
            probe("delta", ok: i != 12, reason: "HTTP 500", status: i != 12 ? 200 : 500)
        }
    }
    reduce(&fleet, .docker(.event(service: "openclaw_beta", ServiceEventNote(time: now.addingTimeInterval(-21), text: "container die (exit 3)"))))
    reduce(&fleet, .docker(.event(service: "openclaw_beta", ServiceEventNote(time: now.addingTimeInterval(-15), text: "container start"))))
    reduce(&fleet, .probe(agent: "epsilon", url: "http://tasks.openclaw_epsilon:18789/health",
                          sample: HealthSample(time: now.addingTimeInterval(-3), ok: false,
                                               reason: "DNS: cannot resolve tasks.openclaw_epsilon", unreachable: true)))
    // What the history on disk tells of the last week: beta's windows, and the transitions of the last hours.
    func moment(_ ago: TimeInterval, _ agent: String, _ from: TimelineState, _ to: TimelineState, _ reason: String? = nil,
                by actor: String? = nil) -> Transition {
        Transition(time: now.addingTimeInterval(-ago), agent: agent, from: from, to: to, reason: reason, actor: actor)
    }
    reduce(&fleet, .history(.past(PastHistory(transitions: [
        moment(9_005, "gamma", .healthy, .healthy, "sleep openclaw_gamma 1 -> 0", by: "clawtop"),
        moment(9_000, "gamma", .healthy, .asleep, by: "sleep from clawtop"),
        moment(7_300, "beta", .healthy, .crashLooping, "task: non-zero exit (3)"),
        moment(7_100, "beta", .crashLooping, .healthy),
        moment(1_900, "delta", .healthy, .failing, "HTTP 500"),
        moment(1_890, "delta", .failing, .healthy),
        moment(35, "beta", .healthy, .failing, "refused"),
        moment(15, "beta", .failing, .unhealthy, "refused"),
    ]))))
    reduce(&fleet, .history(.windows(["beta": HealthWindows(hour: WindowFigures(samples: 360, ok: 357, p95: 0.018),
                                                   day: WindowFigures(samples: 8_640, ok: 8_610, p95: 0.021),
                                                   week: WindowFigures(samples: 60_480, ok: 60_300, p95: 0.024))])))
    return (fleet, now)
}

struct FrameTests {
    static let sizes = [(80, 24), (120, 40), (50, 12), (20, 4), (10, 3)]
    static let viewSizes = [(80, 24), (120, 40), (50, 12)]

    /// A recorder's results: the header says whose. A history that cannot be written: the status line says why.
    @Test func theHeaderNamesTheRecorderAndTheStatusLineAHistoryNotWritten() {
        var (fleet, now) = sampleFleet()
        reduce(&fleet, .history(.healthFrom(.recorder("4242@mgr1"))))
        reduce(&fleet, .history(.problem("not written: history /s/prod.sqlite: database or disk is full")))
        let lines = render(fleet, ui: UIState(glyphs: .unicode), width: 200, height: 30, now: now).text.split(separator: "\n")
        #expect(lines.first?.contains("health: recorder 4242@mgr1") == true, "\(lines.first ?? "")")
        #expect(lines.last?.contains("✗ not written: history /s/prod.sqlite: database or disk is full") == true, "\(lines.last ?? "")")
        reduce(&fleet, .history(.healthFrom(.probes)))
        reduce(&fleet, .history(.problem(nil)))
        let again = render(fleet, ui: UIState(glyphs: .unicode), width: 200, height: 30, now: now).text
        #expect(!again.contains("recorder") && !again.contains("not written"))
    }

    @Test(arguments: sizes)
    func unicodeFrame(width: Int, height: Int) throws {
        let (fleet, now) = sampleFleet()
        var ui = UIState(glyphs: .unicode)
        ui.selectedID = "alpha"
        try assertGolden(render(fleet, ui: ui, width: width, height: height, now: now).text, "table-unicode-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func asciiFrame(width: Int, height: Int) throws {
        let (fleet, now) = sampleFleet()
        let text = render(fleet, ui: UIState(glyphs: .ascii), width: width, height: height, now: now).text
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII frames hold ASCII only")
        try assertGolden(text, "table-ascii-\(width)x\(height)")
    }


    @Test func secretValuesNeverShow() {
        let (fleet, now) = sampleFleet()
        var ui = UIState()
        ui.selectedID = "beta"
        ui.focus = .pane
        let text = render(fleet, ui: ui, width: 200, height: 40, now: now).text
        #expect(text.contains("OPENCLAW_GATEWAY_TOKEN") && text.contains("com.example.api_key=•••"))
        #expect(!text.contains("sk-live-123"))
    }

    /// A drain is expected in a rollout: its strip cell and its why are warnings, not failures, and the details
    /// give the gateway's answer in full.
    @Test func drainingIsToldApartFromFailing() throws {
        let (fleet, now) = sampleFleet()
        var ui = UIState(glyphs: .unicode)
        ui.selectedID = "alpha" // a selected row is drawn in the selection's colours
        let buf = render(fleet, ui: ui, width: 240, height: 40, now: now)
        let y = try #require(buf.lines.firstIndex { $0.contains(" delta ") })
        let line = buf.lines[y]
        let strip = try #require(line.firstIndex(of: "↓"))
        #expect(buf[line.distance(from: line.startIndex, to: strip), y].role == .warn)
        let why = try #require(line.range(of: "draining (expected during a rollout)"))
        #expect(buf[line.distance(from: line.startIndex, to: why.lowerBound), y].role == .warn)
        // An earlier HTTP 500 stays a failure.
        #expect(line.contains("✗") && line.contains("▲ failing"))
        ui.selectedID = "delta"
        ui.focus = .pane
        let details = render(fleet, ui: ui, width: 200, height: 40, now: now).text
        #expect(details.contains("readiness draining (expected during a rollout)  HTTP 503, 5s ago"), "\(details)")
        #expect(details.contains("✗ gateway-draining  failing"))
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
        let rows = fleet.agentRows(now: now)
        var ui = UIState()
        #expect(handle(.down, ui: &ui, rows: rows, pageSize: 5) == [])
        #expect(ui.selectedID == rows[1].id)
        _ = handle(.char("G"), ui: &ui, rows: rows, pageSize: 5)
        #expect(ui.selectedID == rows.last?.id)
        _ = handle(.down, ui: &ui, rows: rows, pageSize: 5)
        #expect(ui.selectedID == rows.last?.id)
        _ = handle(.char("g"), ui: &ui, rows: rows, pageSize: 5)
        #expect(ui.selectedID == rows.first?.id)
        #expect(handle(.char("q"), ui: &ui, rows: rows, pageSize: 5) == [.quit])

        // The selected row is drawn with the selection role, and scrolled into view in a short pane.
        _ = handle(.char("G"), ui: &ui, rows: rows, pageSize: 5)
        let buf = render(fleet, ui: ui, width: 80, height: 8, now: now)
        let selectedRows = (0..<buf.height).filter { y in buf[10, y].role == .selection }
        #expect(selectedRows.count == 1)
        if let y = selectedRows.first { #expect(buf.lines[y].contains(rows.last!.id.prefix(8))) }
    }
}

/// How the screen is shared between the table and the pane under it.
struct BodySplitTests {
    /// `count` healthy agents, each with one running task and a few probes.
    func fleet(_ count: Int) -> (FleetState, Date) {
        let now = Date(timeIntervalSince1970: 1_795_545_132)
        let names = (0..<count).map { String(format: "agent-%02d", $0) }
        var fleet = FleetState(endpoint: "e", setup: AgentSetup(configured: names.map {
            AgentDefinition(name: $0, serviceName: $0, healthURL: "http://127.0.0.1:1/health", checkInterval: 10,
                            startupTimeout: 60, maxFailures: 3, source: .config)
        }))
        reduce(&fleet, .docker(.snapshot(nodes: [NodeInfo(id: "n1", hostname: "manager-1", role: "manager", state: "ready")],
                                 services: names.map { ServiceInfo(id: "id-" + $0, name: $0, image: "agent:1", mode: .replicated,
                                                                   desired: 1, running: 1, createdAt: now - 3600) },
                                 tasks: names.map { TaskInfo(id: "t-" + $0, serviceID: "id-" + $0, slot: 1, nodeID: "n1",
                                                             state: "running", desiredState: "running", timestamp: now - 3600,
                                                             createdAt: now - 3600) },
                                 at: now)))
        for name in names {
            reduce(&fleet, .probe(agent: name, url: "http://127.0.0.1:1/health",
                                  sample: HealthSample(time: now - 5, ok: true, latency: 0.02, status: 200)))
        }
        return (fleet, now)
    }

    /// At 120×40 the table shows at least as many agents as `docker service ls` in the same pane (37); the pane
    /// opens when the keys go to it.
    @Test func manyAgentsTakeTheWholeScreenUntilThePaneIsAskedFor() {
        let (fleet, now) = fleet(50)
        var ui = UIState()
        ui.selectedID = "agent-00"
        let table = render(fleet, ui: ui, width: 120, height: 40, now: now)
        #expect(table.lines.filter { $0.contains("agent-") }.count >= 37)
        #expect(!table.text.contains("details:"))
        ui.focus = .pane
        let details = render(fleet, ui: ui, width: 120, height: 40, now: now)
        #expect(details.text.contains("details: agent-00") && details.lines.filter { $0.contains("agent-") }.count < 37)
    }

    @Test func aFewAgentsLeaveThePaneTheRest() {
        let (fleet, now) = fleet(5)
        let frame = render(fleet, ui: UIState(), width: 120, height: 40, now: now)
        #expect(frame.lines[7].contains("details: agent-00"), "the table takes its header and five rows: \(frame.text)")
        #expect(BodySplit(layout: .full, bodyHeight: 38, rows: 5, focus: .table) == BodySplit(table: 6, pane: 32))
        #expect(BodySplit(layout: .full, bodyHeight: 38, rows: 35, focus: .table) == BodySplit(table: 38, pane: 0),
                "a pane of two lines is not worth it")
        #expect(BodySplit(layout: .standard, bodyHeight: 22, rows: 5, focus: .table) == BodySplit(table: 22, pane: 0))
        #expect(BodySplit(layout: .standard, bodyHeight: 22, rows: 5, focus: .pane) == BodySplit(table: 0, pane: 22))
    }
}

struct CheckAgeTests {
    func agent(every interval: Double) -> AgentDefinition {
        AgentDefinition(name: "a", serviceName: "a", healthURL: "http://127.0.0.1:1/", checkInterval: interval, source: .config)
    }

    /// On time, the column holds still; late, it says how late.
    @Test func aProbeOnTimeShowsTheIntervalAndALateOneItsAge() {
        #expect(checkAge(0, agent: agent(every: 10)) == "<10s")
        #expect(checkAge(14.9, agent: agent(every: 10)) == "<10s", "within the interval and the 5 s timeout")
        #expect(checkAge(15, agent: agent(every: 10)) == "10s")
        #expect(checkAge(75, agent: agent(every: 10)) == "1m")
        #expect(checkAge(40, agent: agent(every: 90)) == "<2m")
        #expect(checkAge(2, agent: agent(every: 2.5)) == "<3s")
    }

    /// A healthy agent's time in its state in minutes; any other's in 10 s steps under a minute.
    @Test func forStepsEveryTenSecondsOnlyWhenNotHealthy() {
        #expect(forAge(35, health: .healthy) == "<1m" && forAge(59, health: .healthy) == "<1m")
        #expect(forAge(61, health: .healthy) == "1m")
        #expect(forAge(35, health: .failing) == "30s" && forAge(35, health: .unhealthy) == "30s")
        #expect(forAge(5, health: .starting) == "<10s")
    }
}

struct TableLayoutTests {
    @Test func columnsFitAndTheLeastImportantGoFirst() {
        for width in [40, 50, 79, 119, 159, 240] {
            let (fleet, now) = sampleFleet()
            let lines = render(fleet, ui: UIState(), width: width, height: 12, now: now).lines
            #expect(lines.allSatisfy { displayWidth($0) <= width }, "width \(width)")
            #expect(lines[1].contains("HEALTH") && lines[1].contains("NAME"), "width \(width): \(lines[1])")
        }
        let (fleet, now) = sampleFleet()
        let header = { (w: Int) in render(fleet, ui: UIState(), width: w, height: 12, now: now).lines[1] }
        #expect(!header(80).contains("IMAGE") && header(80).contains("LAST ERROR"))
        #expect(header(200).contains("IMAGE") && header(200).contains("AGE") && header(200).contains("NODE"))
        #expect(header(200).contains("P95") && header(200).contains("FOR"))
    }

    @Test func stripCellsShowLatencyAndFailuresNewestRight() {
        var h = HealthHistory()
        let t = Date(timeIntervalSince1970: 0)
        for (i, latency) in [0.001, 0.03, 0.3, 2.0].enumerated() {
            h.append(HealthSample(time: t.addingTimeInterval(Double(i)), ok: true, latency: latency))
        }
        h.append(HealthSample(time: t.addingTimeInterval(9), ok: false, reason: "refused"))
        let rowOf = { (g: Glyphs) -> String in
            var buf = Buffer(width: 8, height: 1)
            drawStrip(h, glyphs: g, x: 0, y: 0, width: 8, into: &buf)
            return buf.lines[0]
        }
        #expect(rowOf(.unicode) == "   ▁▂▅▇✗")
        #expect(rowOf(.ascii) == "   ..+#x")
        #expect(formatLatency(0.0042) == "4ms" && formatLatency(1.46) == "1.5s" && formatLatency(12.4) == "12s")
        #expect(formatPercent(1) == "100%" && formatPercent(0.9994) == "99.9%" && formatPercent(0) == "0%")
        #expect(shortImage("ghcr.io/openclaw/agent:1") == "openclaw/agent:1" && shortImage("busybox:1") == "busybox:1")
    }
}

/// Every view at the three reference sizes, in Unicode, ASCII and without colour (the frame, then its style mask):
/// `Golden/view-VIEW-STYLE-WxH.txt`, reviewed in the diff.
struct ViewGoldenTests {
    static let views = ["table", "details", "logs", "help", "nodes", "timeline"]
    static let styles = ["unicode", "ascii", "nocolor"]

    func ui(for view: String, glyphs: Glyphs) -> UIState {
        var ui = UIState(glyphs: glyphs)
        ui.selectedID = view == "details" ? "beta" : "alpha"
        switch view {
        case "details": ui.focus = .pane
        case "logs":
            ui.pane = .logs
            ui.focus = .pane
            ui.logView.timestamps = true
        case "help": ui.overlay = .help
        default:
            let known = ui.show(view: view)
            #expect(known, "a page named \(view)")
        }
        return ui
    }

    @Test(arguments: views, FrameTests.viewSizes)
    func view(_ view: String, size: (Int, Int)) throws {
        var (fleet, now) = sampleFleet()
        var logs: [LogEntry] = []
        for i in 0..<60 {
            logs.append(LogEntry(time: now.addingTimeInterval(Double(i - 60)), stream: i % 7 == 3 ? .stderr : .stdout,
                                 text: i % 7 == 3 ? "warn: gateway reconnect \(i)" : "GET /health 200 \(i)ms"))
        }
        reduce(&fleet, .logs(.lines(service: "openclaw_alpha", logs)))
        let (width, height) = size
        for style in Self.styles {
            let buf = render(fleet, ui: ui(for: view, glyphs: style == "ascii" ? .ascii : .unicode), width: width, height: height, now: now)
            var text = buf.text
            if style == "ascii" { #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "\(view) \(width)x\(height)") }
            if style == "nocolor" {
                #expect(!styleMask(buf, theme: .monochrome).contains { "gyxt".contains($0) })
                text += "--- styles without colour: b bold, r reverse, R both ---\n" + styleMask(buf, theme: .monochrome)
            }
            try assertGolden(text, "view-\(view)-\(style)-\(width)x\(height)")
        }
    }
}

struct DrawnRoleTests {
    /// The roles a row is drawn with, one letter per cell: o ok, m muted, s selection, n normal, t title.
    func drawn(_ cells: [(String, Role)], theme: Theme = .color) -> String {
        let letters: [Role: Character] = [.ok: "o", .muted: "m", .selection: "s", .normal: "n", .title: "t"]
        var role = Role.normal
        return String(cells.map { cell in
            role = theme.drawnRole(Cell(symbol: cell.0, role: cell.1), after: role)
            return letters[role] ?? "?"
        })
    }

    @Test func blanksTakeTheRoleBeforeThemUnlessTheyShow() {
        // "ok  3" in green then dim: the blanks stay green, so the row switches once, not twice.
        #expect(drawn([("o", .ok), ("k", .ok), (" ", .normal), (" ", .normal), ("3", .muted)]) == "oooom")
        // A reversed or barred blank shows, and a blank after one is not reversed with it.
        #expect(drawn([(" ", .selection), ("a", .selection), (" ", .normal), ("b", .normal)]) == "ssnn")
        #expect(drawn([("a", .ok), (" ", .title), (" ", .normal)]) == "otn")
        // Only blanks take another role.
        #expect(drawn([("a", .ok), ("b", .normal)]) == "on")
    }
}
