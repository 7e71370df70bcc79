import ClawtopCore
import Screen
import Foundation

/// Glyphs by terminal capability: Unicode where the locale is UTF-8, ASCII otherwise.
public struct Glyphs: Sendable, Equatable {
    public var ok, bad, warn, idle, starting, missing, unknown, ellipsis, separator, arrow: String
    /// Stands for a value that is never shown (a secret).
    public var masked: String
    /// A failed probe in a history strip.
    public var stripFailure: String
    /// A probe whose gateway said it was draining (expected in a rollout), or still starting and not answering yet.
    public var stripDraining, stripStarting: String
    /// Healthy probes in a strip, by latency: under 10 ms, 50, 100, 250, 500 ms, 1 s, and slower.
    public var latencyBars: [String]
    /// A level in eighths, lowest first: memory against its limit in a strip.
    public var levelBars: [String]

    public static let unicode = Glyphs(ok: "●", bad: "✗", warn: "▲", idle: "○", starting: "◐", missing: "◌", unknown: "?",
                                       ellipsis: "…", separator: "│", arrow: "→", masked: "•••", stripFailure: "✗",
                                       stripDraining: "↓", stripStarting: "◐",
                                       latencyBars: ["▁", "▂", "▃", "▄", "▅", "▆", "▇"],
                                       levelBars: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"])
    public static let ascii = Glyphs(ok: "*", bad: "x", warn: "!", idle: "o", starting: "~", missing: "-", unknown: "?",
                                     ellipsis: "~", separator: "|", arrow: "->", masked: "***", stripFailure: "x",
                                     stripDraining: "v", stripStarting: "~",
                                     latencyBars: [".", ".", ":", ":", "+", "+", "#"],
                                     levelBars: [".", ".", ":", ":", "+", "+", "#", "#"])

    static let latencySteps = [0.010, 0.050, 0.100, 0.250, 0.500, 1.0]

    /// The strip cell for a level from 0 to 1 (beyond it, the highest).
    public func levelBar(_ fraction: Double) -> String {
        levelBars[min(levelBars.count - 1, max(0, Int((fraction * Double(levelBars.count)).rounded(.up)) - 1))]
    }

    /// The strip cell for a healthy probe that took `latency` seconds.
    public func latencyBar(_ latency: Double?) -> String {
        let step = Self.latencySteps.firstIndex { (latency ?? 0) < $0 } ?? Self.latencySteps.count
        return latencyBars[min(step, latencyBars.count - 1)]
    }
}

/// The smallest terminal clawtop draws in; below it, a notice says so.
public let minimumSize = (width: 40, height: 8)

/// How the screen is divided, by its size.
public enum Layout: Sendable, Equatable {
    /// Large terminals: the table, and under it the details or logs of the selected agent.
    case full
    /// 80×24 and the like: the table, or the pane on the whole screen.
    case standard
    /// Small tmux panes (down to 40×8): the same, with the fewest columns.
    case compact
    case tooSmall

    public init(width: Int, height: Int) {
        if width < minimumSize.width || height < minimumSize.height { self = .tooSmall }
        else if width >= 100 && height >= 30 { self = .full }
        else if width >= 80 && height >= 20 { self = .standard }
        else { self = .compact }
    }
}

/// The whole frame for a state, UI state and size. Pure: the console and `snapshot` both call it. `agentRows`, when
/// given, are `fleet.agentRows(now:)` already derived (the costliest part of a frame), so a caller that needed them
/// too does not pay twice; `pageParts`, the pages' parts of the header derived with them.
public func render(_ fleet: FleetState, agentRows: [AgentRow]? = nil, pageParts: [String]? = nil, ui: UIState,
                   width: Int, height: Int, now: Date) -> Buffer {
    var buf = Buffer(width: max(0, width), height: max(0, height))
    let layout = Layout(width: width, height: height)
    guard layout != .tooSmall else {
        let notice = ["too small", "\(minimumSize.width)x\(minimumSize.height) needed", "now \(width)x\(height)"]
        for (i, line) in notice.enumerated() where i < height {
            buf.put(line, x: max(0, (width - displayWidth(line)) / 2), y: i + max(0, (height - notice.count) / 2), role: .warn)
        }
        return buf
    }
    let all = agentRows ?? fleet.agentRows(now: now)
    let rows = visibleRows(all, ui: ui)
    let g = ui.glyphs
    drawHeader(fleet, rows: all, pageParts: pageParts ?? pageHeaderParts(fleet, rows: all), glyphs: g, into: &buf)
    let body = Rect(x: 0, y: 1, width: width, height: height - 2)
    ui.page.unit.draw(Shown(fleet: fleet, agentRows: all, tableRows: rows, logs: fleet.logs, layout: layout), ui: ui,
                      area: body, into: &buf, now: now)
    switch ui.overlay {
    case .help: drawHelp(glyphs: g, area: body, into: &buf)
    case .confirm(let request):
        let running = fleet.services[request.id]?.running
        drawConfirm(request.effect(arrow: g.arrow, running: running), warning: request.warning, glyphs: g, area: body,
                    into: &buf)
    case .swarms(let picker): drawSwarmPicker(picker, glyphs: g, area: body, into: &buf)
    case .replicas(let picker): drawReplicaPicker(picker, glyphs: g, area: body, into: &buf)
    case .prompt, nil: break
    }
    drawStatus(fleet, ui: ui, into: &buf, y: height - 1, now: now)
    return buf
}

/// How the lines between the header and the status line are shared by the table and the pane under it.
struct BodySplit: Equatable {
    var table: Int
    var pane: Int

    /// The fewest lines worth a pane under the table: its title and three lines of the agent.
    static let minimumPane = 4

    init(table: Int, pane: Int) {
        self.table = table
        self.pane = pane
    }

    /// On a large terminal the table takes the lines its rows need and the pane what is left, when that is enough
    /// to be worth it; with the keys on the pane, the pane takes more than half. Smaller terminals show one or the
    /// other, by where the keys are.
    init(layout: Layout, bodyHeight: Int, rows: Int, focus: Focus) {
        let body = max(0, bodyHeight)
        switch (layout, focus) {
        case (.full, .pane):
            table = max(6, min(rows + 1, body * 45 / 100))
        case (.full, .table):
            table = min(rows + 1, body)
            if body - table < Self.minimumPane { table = body }
        case (_, .pane):
            table = 0
        case (_, .table):
            table = body
        }
        pane = body - table
    }
}

/// The service whose logs the screen shows, if any: the selected agent's, when the logs pane is in view.
/// `agentRows` are `FleetState.agentRows(now:)`, which the frame derives anyway.
public func logsWanted(_ agentRows: [AgentRow], ui: UIState, width: Int, height: Int) -> String? {
    guard ui.pane == .logs, ui.page == .agents else { return nil }
    let layout = Layout(width: width, height: height)
    guard layout != .tooSmall else { return nil }
    let rows = visibleRows(agentRows, ui: ui)
    guard BodySplit(layout: layout, bodyHeight: height - 2, rows: rows.count, focus: ui.focus).pane > 0 else { return nil }
    // Only a service that exists: Docker keeps a follow stream open after the service is removed.
    return selectedRow(rows, ui: ui)?.summary?.service.name
}

/// The visible rows of the table at a given height: header row excluded.
public func tablePageSize(height: Int) -> Int { max(1, height - 3) }

private func drawHeader(_ fleet: FleetState, rows: [AgentRow], pageParts: [String], glyphs g: Glyphs,
                        into buf: inout Buffer) {
    buf.fill(role: .title, y: 0)
    var x = buf.put(" clawtop ", x: 0, y: 0, role: .title)
    let ready = fleet.nodes.filter { $0.state == "ready" }.count
    var byHealth: [HealthState: Int] = [:]
    // By index: a loop over the rows would copy each (and retain everything it holds) for one field.
    // Counted as `status` counts them.
    for i in rows.indices { byHealth[StatusReport.counted(rows[i]), default: 0] += 1 }
    func count(_ states: HealthState...) -> Int { states.reduce(0) { $0 + (byHealth[$1] ?? 0) } }
    // Healthy and failing always show; the other states when there are any.
    var parts = ["\(g.ok) \(count(.healthy)) healthy", "\(g.bad) \(count(.failing, .unhealthy)) failing"]
    for (state, glyph) in [(HealthState.starting, g.starting), (.missing, g.missing), (.asleep, g.idle)] where count(state) > 0 {
        parts.append("\(glyph) \(count(state)) \(state.rawValue)")
    }
    // What the pages have to say (the audit's count of failing rules, `A`).
    parts += pageParts
    // Warren's word comes before the counts of agents and nodes: its link is what an operator behind it asks first.
    if let warren = fleet.warren { parts.append(warrenSummary(warren, glyphs: g)) }
    // Where health comes from, when it is not this console's own probes.
    if case .recorder(let who) = fleet.healthFrom { parts.append("health: recorder " + sanitize(who)) }
    let agents = "agents \(rows.count)", nodes = "nodes \(ready)/\(fleet.nodes.count)"
    parts += [agents, nodes, sanitize(fleet.endpoint)]
    // Where it all does not fit, the count of agents goes first (the table shows them), then the nodes, then the
    // pages' parts, so that the endpoint (which swarm this is) stays in view.
    func width() -> Int { x + parts.reduce(0) { $0 + displayWidth($1) + 3 } }
    for droppable in [[agents], [nodes], pageParts] where width() > buf.width {
        parts.removeAll { droppable.contains($0) }
    }
    for (i, part) in parts.enumerated() {
        let sep = " \(g.separator) "
        let left = buf.width - x - displayWidth(sep)
        if displayWidth(part) > left {
            // Only the last part (the endpoint) may be shortened, and only if enough of it shows.
            if i == parts.count - 1 && left >= 12 {
                x += buf.put(sep, x: x, y: 0, role: .title)
                buf.put(truncate(part, to: left, ellipsis: g.ellipsis), x: x, y: 0, role: .title)
            }
            return
        }
        x += buf.put(sep, x: x, y: 0, role: .title)
        x += buf.put(part, x: x, y: 0, role: .title)
    }
}

/// Warren in the header, up for 3 h with 5 agents ready, 2 asleep and 4 WebSockets open: "warren 3h 5 ready 2 asleep
/// ws 4"; or why it cannot be heard.
func warrenSummary(_ warren: WarrenView, glyphs g: Glyphs) -> String {
    switch warren.link {
    case .connecting: return "warren…"
    case .live:
        guard let s = warren.status else { return "warren" }
        return "warren \(formatCoarseAge(s.uptime)) \(s.ready) ready \(s.sleeping) asleep ws \(s.webSockets)"
    case .unreachable: return "\(g.bad) warren unreachable"
    case .unauthorized: return "\(g.bad) warren 401"
    case .notWarren: return "\(g.bad) not warren"
    }
}

/// The bottom line: a prompt being typed, or the connection, the latest message and the filter, with key hints.
private func drawStatus(_ fleet: FleetState, ui: UIState, into buf: inout Buffer, y: Int, now: Date) {
    let g = ui.glyphs
    if case .prompt(let prompt) = ui.overlay {
        let label: String
        switch prompt.purpose {
        case .filter: label = "/"
        case .search: label = "search logs: "
        case .replicaFilter: label = "logs of the node or replica (@wk1, 2@; empty for all): "
        case .replicas(let agent):
            let now = fleet.agents.first { $0.name == agent }?.serviceName
                .flatMap { name in fleet.services.values.first { $0.name == name }?.desired }
            label = "replicas for \(sanitize(agent))\(now.map { " (now \($0))" } ?? ""), Enter to confirm, Esc to cancel: "
        }
        let x = buf.put(" " + label, x: 0, y: y, role: .header)
        let text = sanitize(prompt.text)
        // Keep the end of a long entry (where the cursor is) in view.
        let room = max(0, buf.width - x - 1)
        let shown = displayWidth(text) > room ? String(text.suffix(room)) : text
        let end = x + buf.put(shown, x: x, y: y)
        buf.put("_", x: end, y: y, role: .match)
        return
    }
    var parts: [(String, Role)]
    switch fleet.connection {
    case .connecting: parts = [("connecting…", .warn)]
    case .live:
        parts = [("\(g.ok) live", .ok)]
        // How fresh the data is, once it is 10 s old: events keep it current; the age grows only between reads
        // when nothing happens. Fresher than that, "live" says it.
        if let sync = fleet.lastSync, now.timeIntervalSince(sync) >= 10 {
            parts.append(("synced \(formatCoarseAge(now.timeIntervalSince(sync))) ago", .muted))
        }
    case .reconnecting(let why): parts = [("reconnecting: \(sanitize(why))", .warn)]
    case .failed(let why): parts = [("\(g.bad) \(sanitize(why))", .bad)]
    }
    if let problem = fleet.historyProblem { parts.append(("\(g.bad) \(sanitize(problem))", .bad)) }
    if !ui.filter.isEmpty { parts.append(("filter: \(sanitize(ui.filter))", .header)) }
    // The newer of the UI's own message and the last action's result.
    if let action = fleet.lastAction, action.at >= (ui.flash?.at ?? .distantPast) {
        let effect = action.request.effect(arrow: g.arrow)
        // Through Warren, "done" means Warren took it: follow its state until the agent is ready or asleep.
        let followed = action.ok && action.request.route == .warren
            ? action.request.agent.flatMap { fleet.warren?.agents[$0] }.map { "warren: \($0.state)" } : nil
        parts.append(action.ok ? ("\(g.ok) \(effect): \(sanitize(followed ?? action.message))", .ok)
                               : ("\(g.bad) \(effect) failed: \(sanitize(action.message))", .bad))
    } else if let flash = ui.flash {
        parts.append((sanitize(flash.text), flash.role))
    }
    if ui.readOnly { parts.append(("read-only", .muted)) }
    let hints = hintLine(ui.page.unit.hints(ui), in: ui.keyContext)
    var x = 0
    for (i, part) in parts.enumerated() {
        if i > 0 { x += buf.put("  ", x: x, y: y) }
        x += buf.put((i == 0 ? " " : "") + part.0, x: x, y: y, role: part.1)
    }
    let hx = buf.width - displayWidth(hints) - 1
    if hx > x + 2 { buf.put(hints, x: hx, y: y, role: .muted) }
}
