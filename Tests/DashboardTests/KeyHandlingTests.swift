import ClawtopCore
import Screen
@testable import Dashboard
import Foundation
import Testing

/// Keys, prompts and confirmations, on the sample fleet (pure: no terminal).
struct InputTests {
    let fleet = sampleFleet().0
    let now = sampleFleet().1

    func rows(_ ui: UIState) -> [AgentRow] { visibleRows(fleet, ui: ui, now: now) }

    func press(_ keys: [Key], _ ui: inout UIState) -> [Effect] {
        var last: [Effect] = []
        for key in keys { last = handle(key, ui: &ui, rows: rows(ui), pageSize: 5, now: now) }
        return last
    }

    func selecting(_ agent: String, readOnly: Bool = false) -> UIState {
        var ui = UIState(readOnly: readOnly)
        ui.selectedID = agent
        return ui
    }

    @Test func aMutatingKeyAsksWithTheExactEffectAndYRunsIt() {
        var ui = selecting("alpha")
        #expect(press([.char("-")], &ui) == [])
        let request = ActionRequest(agent: "alpha", service: "openclaw_alpha", serviceID: "id-openclaw_alpha",
                                    kind: .scale(from: 1, to: 0), verb: .scale)
        #expect(ui.overlay == .confirm(request))
        #expect(request.effect() == "scale openclaw_alpha 1 → 0")
        let frame = render(fleet, ui: ui, width: 80, height: 24, now: now).text
        #expect(frame.contains("scale openclaw_alpha 1 → 0?") && frame.contains("y confirms"))
        #expect(press([.char("y")], &ui) == [.perform(request)])
        #expect(ui.overlay == nil)
    }

    /// `n` lists the nodes; `d` on one asks to drain it, with what will move; `a` on an active one says so;
    /// `--read-only` refuses; `n` goes back.
    @Test func theNodesViewDrainsWithConfirmation() {
        var ui = selecting("alpha")
        let nodes = fleet.nodeRows(agentRows: rows(ui))
        let shown = Shown(fleet: fleet, agentRows: rows(ui))
        func pressNodes(_ keys: [Key]) -> [Effect] {
            var last: [Effect] = []
            for key in keys { last = handle(key, ui: &ui, rows: rows(ui), pageSize: 5, shown: shown, now: now) }
            return last
        }
        #expect(pressNodes([.char("n")]).isEmpty && ui.page == NodesPage.page)
        #expect(nodes.map(\.node.hostname) == ["worker-1", "worker-2", "manager-1"], "down, then drained, then the rest")
        _ = pressNodes([.char("j"), .char("d")])
        #expect(ui.overlay == nil && ui.flash?.text == "worker-2 is already drain")
        #expect(pressNodes([.char("j"), .char("d")]).isEmpty)
        let manager = nodes[2].node
        guard case .confirm(let request)? = ui.overlay else { Issue.record("no confirmation"); return }
        #expect(request.kind == .availability(from: "active", to: "drain") && request.target == .node(hostname: "manager-1", id: manager.id))
        #expect(request.effect() == "drain node manager-1 (active → drain)")
        #expect(request.warning?.contains("will be stopped and placed elsewhere") == true)
        #expect(pressNodes([.char("y")]) == [.perform(request)])
        _ = pressNodes([.char("a")])
        #expect(ui.flash?.text == "manager-1 is already active")
        ui.readOnly = true
        _ = pressNodes([.char("p")])
        #expect(ui.overlay == nil && ui.flash?.text.hasPrefix("read-only") == true)
        #expect(pressNodes([.char("n")]).isEmpty && ui.page == .agents)
        _ = pressNodes([.char("d")])
        #expect(ui.flash?.text == "d, p and a act on nodes: n shows them")
    }

    @Test func uAsksToRollBack() {
        var ui = selecting("alpha")
        _ = press([.char("u")], &ui)
        let request = ActionRequest(agent: "alpha", service: "openclaw_alpha", serviceID: "id-openclaw_alpha",
                                    kind: .rollback, verb: .rollback)
        #expect(ui.overlay == .confirm(request))
        #expect(request.effect() == "roll back openclaw_alpha to its previous spec")
    }

    @Test func anyOtherKeyCancelsAndSaysSo() {
        var ui = selecting("alpha")
        _ = press([.char("+"), .char("n")], &ui)
        #expect(ui.overlay == nil && ui.flash?.text == "cancelled: scale openclaw_alpha 1 → 2")
        _ = press([.char("r"), .escape], &ui)
        #expect(ui.flash?.text == "cancelled: restart openclaw_alpha (force update)")
    }

    @Test func readOnlyRefusesEveryAction() {
        for key in ["r", "+", "-", "=", "w", "z"] {
            var ui = selecting("alpha", readOnly: true)
            #expect(press([.char(Character(key))], &ui) == [])
            #expect(ui.overlay == nil && ui.flash?.text.hasPrefix("read-only") == true, "\(key)")
        }
    }

    @Test func setReplicasTakesDigitsThenConfirms() {
        var ui = selecting("delta")
        _ = press([.char("="), .char("x"), .char("3"), .char("1"), .backspace], &ui)
        #expect(ui.overlay == .prompt(Prompt(purpose: .replicas(agent: "delta"), text: "3")))
        #expect(render(fleet, ui: ui, width: 80, height: 24, now: now).lines[23].contains("replicas for delta (now 2)"))
        _ = press([.enter], &ui)
        guard case .confirm(let request) = ui.overlay else { Issue.record("no confirmation: \(String(describing: ui.overlay))"); return }
        #expect(request.effect() == "scale openclaw_delta 2 → 3")
        var same = selecting("delta")
        _ = press([.char("="), .char("2"), .enter], &same)
        #expect(same.overlay == nil && same.flash?.text == "openclaw_delta already has 2 replicas wanted")
        var tooMany = selecting("delta")
        _ = press([.char("="), .char("5"), .char("0"), .char("0"), .enter], &tooMany)
        #expect(tooMany.flash?.text == "replicas must be a number from 0 to 100")
    }

    @Test func wakeAndSleepAreForOnDemandAgents() {
        var alpha = selecting("alpha")
        _ = press([.char("z")], &alpha)
        #expect(alpha.flash?.text == "wake and sleep are for on-demand agents; use + and -")
        var gamma = selecting("gamma")
        _ = press([.char("z")], &gamma)
        #expect(gamma.flash?.text == "gamma is already asleep")
        _ = press([.char("w")], &gamma)
        #expect(gamma.overlay == .confirm(ActionRequest(agent: "gamma", service: "openclaw_gamma", serviceID: "id-openclaw_gamma",
                                                        kind: .scale(from: 0, to: 1), verb: .wake)))
        var zeta = selecting("zeta")
        _ = press([.char("r")], &zeta)
        #expect(zeta.flash?.text == "zeta has no Swarm service to act on")
    }

    @Test func slashNarrowsTheTableAndEscClearsIt() {
        var ui = UIState()
        _ = press([.char("/"), .char("E"), .char("l")], &ui)
        #expect(rows(ui).map(\.id) == ["delta"], "matches name, service and image, ignoring case")
        _ = press([.enter], &ui)
        #expect(ui.overlay == nil && ui.filter == "El")
        #expect(render(fleet, ui: ui, width: 80, height: 24, now: now).lines[23].contains("filter: El"))
        #expect(press([.escape], &ui) == [] && ui.filter.isEmpty)
        #expect(press([.escape], &ui) == [.quit])
    }

    @Test func sortCyclesThroughTheOrders() {
        var ui = UIState()
        _ = press([.char("o")], &ui)
        #expect(ui.sort == .name && rows(ui).map(\.id).first == "alpha")
        _ = press([.char("o")], &ui)
        #expect(ui.sort == .restarts && rows(ui).first?.id == "beta")
        _ = press([.char("o"), .char("o")], &ui)
        #expect(ui.sort == .stack)
        _ = press([.char("o"), .char("o")], &ui)
        #expect(ui.sort == .mem)
        _ = press([.char("o")], &ui)
        #expect(ui.sort == .urgency)
    }

    @Test func theHelpListsEveryBindingAndAnyKeyClosesIt() throws {
        var ui = UIState()
        _ = press([.char("?")], &ui)
        let text = render(fleet, ui: ui, width: 120, height: 40, now: now).text
        for binding in keyBindings where !binding.help.isEmpty { #expect(text.contains(binding.help), "\(binding.help)") }
        #expect(press([.char("x")], &ui) == [] && ui.overlay == nil)
    }

    @Test func theLastActionShowsInTheStatusLine() {
        var state = fleet
        let request = ActionRequest(agent: "alpha", service: "openclaw_alpha", serviceID: "id-openclaw_alpha",
                                    kind: .scale(from: 1, to: 2), verb: .scale)
        reduce(&state, .action(ActionOutcome(request: request, ok: false, message: "update out of sequence", at: now)))
        let line = render(state, ui: UIState(), width: 120, height: 10, now: now).lines[9]
        #expect(line.contains("✗ scale openclaw_alpha 1 → 2 failed: update out of sequence"), "\(line)")
    }

    @Test func noSizeCrashesWithAnOverlayOpen() {
        for overlay in [Overlay.help, .confirm(ActionRequest(agent: "a", service: "s", serviceID: "i", kind: .restart, verb: .restart)),
                        .prompt(Prompt(purpose: .filter, text: String(repeating: "x", count: 300)))] {
            var ui = UIState()
            ui.overlay = overlay
            for w in [1, 5, 20, 21, 40] {
                for h in [1, 3, 4, 8] {
                    let buf = render(fleet, ui: ui, width: w, height: h, now: now)
                    #expect(buf.lines.allSatisfy { displayWidth($0) <= w })
                }
            }
        }
    }
}

/// The logs pane's keys, on a buffer of numbered lines.
struct LogKeysTests {
    let fleet = sampleFleet().0
    let now = sampleFleet().1

    func logs(_ n: Int) -> LogBuffer {
        var b = LogBuffer()
        for i in 0..<n {
            b.append(LogEntry(time: now.addingTimeInterval(Double(i - n)), stream: i % 5 == 0 ? .stderr : .stdout,
                              text: i % 10 == 3 ? "line \(i) ERROR boom" : "line \(i)"))
        }
        return b
    }

    func logsUI() -> UIState {
        var ui = UIState()
        ui.selectedID = "alpha"
        ui.pane = .logs
        ui.focus = .pane
        return ui
    }

    @Test func keysGoToTheLogsPaneWhenItHasFocus() {
        var ui = logsUI()
        let buffer = logs(100)
        let rows = visibleRows(fleet, ui: ui, now: now)
        #expect(ui.keyContext == .logs)
        _ = handle(.char("k"), ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now)
        #expect(!ui.logView.follow && ui.selectedID == "alpha", "k scrolls the logs, not the table")
        _ = handle(.char("G"), ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now)
        #expect(ui.logView.follow)
        _ = handle(.char("t"), ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now)
        _ = handle(.char("W"), ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now)
        #expect(ui.logView.timestamps && ui.logView.wrap)
        _ = handle(.char("f"), ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now)
        #expect(!ui.logView.follow)
        #expect(handle(.escape, ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now) == [])
        #expect(ui.focus == .table && ui.keyContext == .table)
    }

    @Test func slashSearchesAndNMovesBetweenMatches() {
        var ui = logsUI()
        let buffer = logs(100)
        let rows = visibleRows(fleet, ui: ui, now: now)
        for key in [Key.char("/"), .char("E"), .char("R"), .char("R"), .char("O"), .char("R"), .enter] {
            _ = handle(key, ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now)
        }
        #expect(ui.logView.query == "ERROR" && ui.logView.match == 93, "the newest match first")
        _ = handle(.char("n"), ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now)
        #expect(ui.logView.match == 3, "n wraps around to the oldest")
        _ = handle(.char("N"), ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now)
        #expect(ui.logView.match == 93)
        let frame = render(fleetWithLogs(buffer), ui: ui, width: 80, height: 24, now: now)
        let highlighted = (0..<frame.height).filter { y in (0..<frame.width).contains { frame[$0, y].role == .match } }
        #expect(!highlighted.isEmpty)
        for key in [Key.char("/"), .backspace, .backspace, .backspace, .backspace, .backspace, .char("x"), .char("y"), .enter] {
            _ = handle(key, ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now)
        }
        #expect(ui.flash?.text == "no match for xy")
    }

    @Test func sJumpsToTheLinesSinceTheLastRestart() {
        var ui = logsUI()
        let buffer = logs(700) // the alpha task started 600 s before `now`: lines from index 100 on
        let rows = visibleRows(fleet, ui: ui, now: now)
        _ = handle(.char("s"), ui: &ui, rows: rows, pageSize: 10, logs: buffer, now: now)
        #expect(!ui.logView.follow && ui.logView.anchorTop)
        let frame = render(fleetWithLogs(buffer), ui: ui, width: 80, height: 24, now: now).text
        #expect(frame.contains("line 100\n") && !frame.contains("line 99\n"), "\(frame)")
    }

    func fleetWithLogs(_ buffer: LogBuffer) -> FleetState {
        var state = fleet
        reduce(&state, .logs(.lines(service: "openclaw_alpha", buffer.entries)))
        return state
    }
}

/// With Warren running the agents: wake and sleep go through it; a scale sent to Docker behind its back is warned of.
struct WarrenKeyTests {
    func withWarren(_ state: String, policy: String) -> (FleetState, Date) {
        var (fleet, now) = sampleFleet()
        fleet.warren = WarrenView(address: "http://127.0.0.1:9090")
        let gamma = WarrenAgent(name: "gamma", policy: policy, containerName: "openclaw_gamma", state: state)
        let alpha = WarrenAgent(name: "alpha", policy: "always-on", containerName: "openclaw_alpha", state: "ready")
        reduce(&fleet, .warren(.read(agents: [gamma, alpha], status: WarrenStatus(uptime: 7200, agents: 2, ready: 1, sleeping: 1, webSockets: 3),
                                     at: now)))
        return (fleet, now)
    }

    func press(_ key: Key, selecting agent: String, in fleet: FleetState, now: Date) -> UIState {
        var ui = UIState()
        ui.selectedID = agent
        _ = handle(key, ui: &ui, rows: visibleRows(fleet, ui: ui, now: now), pageSize: 5, now: now)
        return ui
    }

    @Test func wakeGoesThroughWarrenForItsOnDemandAgent() throws {
        let (fleet, now) = withWarren("sleeping", policy: "on-demand")
        let ui = press(.char("w"), selecting: "gamma", in: fleet, now: now)
        guard case .confirm(let request)? = ui.overlay else { Issue.record("no confirmation: \(String(describing: ui.overlay))"); return }
        #expect(request.route == .warren && request.warning == nil)
        #expect(request.effect() == "wake gamma through Warren (openclaw_gamma 0 → 1)")
        var confirming = ui
        let frame = render(fleet, ui: confirming, width: 120, height: 40, now: now).text
        #expect(frame.contains("wake gamma through Warren"))
        #expect(handle(.char("y"), ui: &confirming, rows: visibleRows(fleet, ui: confirming, now: now), pageSize: 5, now: now)
                == [.perform(request)])
        // The header gives Warren's figures; the table its state per agent.
        #expect(frame.contains("warren 2h 1 ready 1 asleep ws 3"), "\(frame)")
        #expect(frame.contains("WARREN") && frame.contains("sleeping"))
    }

    @Test func aScaleBehindWarrensBackIsWarnedOf() {
        let (fleet, now) = withWarren("ready", policy: "always-on")
        let ui = press(.char("-"), selecting: "alpha", in: fleet, now: now)
        guard case .confirm(let request)? = ui.overlay else { Issue.record("no confirmation"); return }
        #expect(request.route == .docker && request.warning == "Warren runs alpha (always-on) and will not know of this scale")
        #expect(render(fleet, ui: ui, width: 120, height: 40, now: now).text.contains("will not know of this scale"))
    }

    @Test func warrensLinkStatesAreToldApartInTheHeader() {
        var (fleet, now) = withWarren("ready", policy: "always-on")
        for (link, text) in [(WarrenView.Link.unauthorized, "warren 401"), (.unreachable("refused"), "warren unreachable"),
                             (.notWarren("HTTP 404"), "not warren"), (.connecting, "warren…")] {
            reduce(&fleet, .warren(.link(link)))
            #expect(render(fleet, ui: UIState(), width: 200, height: 30, now: now).text.split(separator: "\n").first?.contains(text) == true,
                    "\(text)")
        }
    }
}
