import ClawtopCore
import Foundation
import Screen

/// The agents (the console's first page): their table, and under it (or instead of it, on a small terminal) the
/// selected one's details or logs; moving, filtering, sorting, the actions on an agent, and the logs pane's keys.
enum AgentsPage: PageUnit {
    static let page = Page.agents
    static let opener: Command? = nil

    static func hints(_ ui: UIState) -> [Hint] {
        ui.keyContext == .logs
            ? [Hint(command: .help, word: "help"), Hint(command: .filter, word: "search"), Hint(command: .follow, word: "follow"),
               Hint(command: .quit, word: "back", key: .escape)]
            : [Hint(command: .help, word: "help"), Hint(command: .filter, word: "filter"), Hint(command: .quit, word: "quit")]
    }

    static func handle(_ command: Command, ui: inout UIState, shown: Shown, pageSize: Int, now: Date) -> [Effect] {
        if command.actsOnNodes {
            ui.flash = Flash(text: "d, p and a act on nodes: n shows them", role: .muted, at: now)
            return []
        }
        let rows = shown.tableRows, logs = shown.logs
        let ids = rows.map(\.id)
        let current = ui.selectedID.flatMap { ids.firstIndex(of: $0) } ?? 0
        if command.mutates {
            guard !ui.readOnly else {
                ui.flash = Flash(text: "read-only: actions are off (started with --read-only)", role: .warn, at: now)
                return []
            }
            guard let row = rows.indices.contains(current) ? rows[current] : nil else { return [] }
            return ask(command, for: row, ui: &ui, now: now)
        }
        if ui.keyContext == .logs, let result = handleLogs(command, ui: &ui, row: rows.indices.contains(current) ? rows[current] : nil,
                                                           pageSize: pageSize, logs: logs, now: now) {
            return result
        }
        if let index = moved(command, from: current, count: ids.count, pageSize: pageSize) {
            if !ids.isEmpty { ui.selectedID = ids[index] }
            return []
        }
        switch command {
        case .up, .down, .pageUp, .pageDown, .top, .bottom: return []
        case .filter:
            ui.overlay = .prompt(Prompt(purpose: .filter, text: ui.filter))
            return []
        case .sort:
            ui.sort = ui.sort.next
            ui.flash = Flash(text: "sorted by \(ui.sort.rawValue)", role: .muted, at: now)
            return []
        case .details, .logs:
            guard !rows.isEmpty else { return [] }
            ui.selectedID = ui.selectedID ?? ids.first
            ui.pane = command == .details ? .details : .logs
            ui.focus = .pane
            return []
        case .focus:
            ui.focus = ui.focus == .table ? .pane : .table
            return []
        case .timelineState:
            ui.flash = Flash(text: "s picks the timeline's state: h shows the timeline", role: .muted, at: now)
            return []
        case .quit:
            if ui.focus == .pane {
                ui.focus = .table
                return []
            }
            if shown.key == .escape && !ui.filter.isEmpty {
                ui.filter = ""
                return []
            }
            return [.quit]
        case .shell, .execStatus:
            return openInContainer(command == .shell ? .shell : .status, row: rows.indices.contains(current) ? rows[current] : nil,
                                   fleet: shown.fleet, ui: &ui, now: now)
        case .restart, .scaleUp, .scaleDown, .setReplicas, .wake, .sleep, .rollback, .drain, .pause, .activate: return []
        case .follow, .timestamps, .wrap, .nextMatch, .previousMatch, .sinceRestart, .replicaFilter: return []
        case .help, .redraw, .swarms, .nodes, .timeline, .audit: return []
        }
    }

    static func draw(_ shown: Shown, ui: UIState, area: Rect, into buf: inout Buffer, now: Date) {
        let rows = shown.tableRows
        let split = BodySplit(layout: shown.layout, bodyHeight: area.height, rows: rows.count, focus: ui.focus)
        if split.table > 0 {
            drawAgentTable(rows, ui: ui, warren: shown.fleet.warren != nil,
                           area: Rect(x: area.x, y: area.y, width: area.width, height: split.table), into: &buf, now: now)
        }
        if split.pane > 0 {
            let pane = Rect(x: area.x, y: area.y + split.table, width: area.width, height: split.pane)
            drawPane(selectedRow(rows, ui: ui), fleet: shown.fleet, ui: ui, area: pane, into: &buf, now: now)
        }
    }
}

/// A command while the logs pane has the keys; nil for the commands that act as anywhere else.
private func handleLogs(_ command: Command, ui: inout UIState, row: AgentRow?, pageSize: Int, logs: LogBuffer,
                        now: Date) -> [Effect]? {
    let page = max(1, pageSize)
    switch command {
    case .up: scrollLogs(&ui.logView, by: 1, buffer: logs, page: page)
    case .down: scrollLogs(&ui.logView, by: -1, buffer: logs, page: page)
    case .pageUp: scrollLogs(&ui.logView, by: page, buffer: logs, page: page)
    case .pageDown: scrollLogs(&ui.logView, by: -page, buffer: logs, page: page)
    case .top: jump(&ui.logView, to: 0, buffer: logs)
    case .bottom: jumpToEnd(&ui.logView)
    case .follow: toggleFollow(&ui.logView, buffer: logs)
    case .timestamps: ui.logView.timestamps.toggle()
    case .wrap: ui.logView.wrap.toggle()
    case .filter: ui.overlay = .prompt(Prompt(purpose: .search, text: ui.logView.query))
    case .replicaFilter: ui.overlay = .prompt(Prompt(purpose: .replicaFilter, text: ui.logView.replicaFilter))
    case .nextMatch, .previousMatch:
        guard !ui.logView.query.isEmpty else {
            ui.flash = Flash(text: "no search: press / first", role: .muted, at: now)
            return []
        }
        let found = command == .nextMatch ? nextMatch(&ui.logView, buffer: logs) : previousMatch(&ui.logView, buffer: logs)
        if !found { ui.flash = Flash(text: "no match for \(ui.logView.query)", role: .warn, at: now) }
    case .sinceRestart:
        guard let started = row?.startedAt, let index = logs.firstIndex(since: started) else {
            ui.flash = Flash(text: "no lines since the last restart", role: .muted, at: now)
            return []
        }
        jump(&ui.logView, to: index, buffer: logs)
    default:
        return nil
    }
    return []
}

/// A mutating key on a row: the confirmation to show, or why there is nothing to do.
private func ask(_ command: Command, for row: AgentRow, ui: inout UIState, now: Date) -> [Effect] {
    func refuse(_ text: String) -> [Effect] {
        ui.flash = Flash(text: text, role: .warn, at: now)
        return []
    }
    guard let service = row.summary?.service else {
        return refuse("\(row.agent.name) has no Swarm service to act on")
    }
    let desired = service.desired
    var request = ActionRequest(agent: row.agent.name, service: service.name, serviceID: service.id, kind: .restart, verb: .restart)
    switch command {
    case .restart:
        break
    case .rollback:
        request.kind = .rollback
        request.verb = .rollback
    case .setReplicas:
        guard service.mode == .replicated else { return refuse("\(service.name) is a \(service.mode.word) service: it cannot be scaled") }
        ui.overlay = .prompt(Prompt(purpose: .replicas(agent: row.agent.name), text: ""))
        return []
    case .scaleUp, .scaleDown, .wake, .sleep:
        guard service.mode == .replicated else { return refuse("\(service.name) is a \(service.mode.word) service: it cannot be scaled") }
        let onDemand = row.agent.policy == "on-demand"
        switch command {
        case .scaleUp: request.kind = .scale(from: desired, to: desired + 1); request.verb = .scale
        case .scaleDown:
            guard desired > 0 else { return refuse("\(service.name) is already at 0 replicas") }
            request.kind = .scale(from: desired, to: desired - 1); request.verb = .scale
        case .wake:
            guard onDemand else { return refuse("wake and sleep are for on-demand agents; use + and -") }
            guard desired == 0 else { return refuse("\(row.agent.name) is awake (\(desired) replica\(desired == 1 ? "" : "s"))") }
            request.kind = .scale(from: 0, to: 1); request.verb = .wake
        default:
            guard onDemand else { return refuse("wake and sleep are for on-demand agents; use + and -") }
            guard desired > 0 else { return refuse("\(row.agent.name) is already asleep") }
            request.kind = .scale(from: desired, to: 0); request.verb = .sleep
        }
        request = routed(request, row: row)
    default:
        return []
    }
    ui.overlay = .confirm(request)
    return []
}

/// An action on an agent Warren runs: wake and sleep go through Warren (its state machine follows them); a scale
/// sent straight to Docker is confirmed with a warning, as Warren will not know of it.
func routed(_ request: ActionRequest, row: AgentRow) -> ActionRequest {
    guard let warren = row.warren, warren.policy == "on-demand" || warren.policy == "always-on" else { return request }
    var r = request
    if (r.verb == .wake || r.verb == .sleep) && warren.policy == "on-demand" {
        r.route = .warren
    } else if r.verb == .scale || r.verb == .wake || r.verb == .sleep {
        r.warning = "Warren runs \(row.agent.name) (\(warren.policy)) and will not know of this scale"
    }
    return r
}

/// The details or logs of the selected agent, under a title bar that shows which and where the keys go.
private func drawPane(_ row: AgentRow?, fleet: FleetState, ui: UIState, area: Rect, into buf: inout Buffer, now: Date) {
    guard area.height > 0 else { return }
    let name = row.map { sanitize($0.agent.name) } ?? "no agent"
    var title = (ui.pane == .details ? " details: " : ui.pane == .logs ? " logs: " : " output: ") + name
    if ui.pane == .output, let output = fleet.execOutput, output.target.agent == row?.agent.name {
        title = " output: " + sanitize(output.target.name) + " · " + sanitize(output.command) + " · " + sanitize(output.outcome)
    }
    if ui.pane == .logs, !ui.logView.replicaFilter.isEmpty { title += " · only " + sanitize(ui.logView.replicaFilter) }
    if ui.pane == .logs, let problem = fleet.logProblem { title += " · " + sanitize(problem) }
    buf.fill(role: ui.focus == .pane ? .title : .header, y: area.y, from: area.x, width: area.width)
    buf.put(title, x: area.x, y: area.y, maxWidth: area.width, role: ui.focus == .pane ? .title : .header)
    let hint = hintLine([ui.focus == .pane ? Hint(command: .quit, word: "back", key: .escape) : Hint(command: .focus, word: "focus")],
                        in: ui.keyContext) + " "
    if area.width > displayWidth(title) + displayWidth(hint) + 2 {
        buf.put(hint, x: area.x + area.width - displayWidth(hint), y: area.y, role: ui.focus == .pane ? .title : .header)
    }
    let inner = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
    guard let row else { return }
    switch ui.pane {
    case .details: drawDetails(row, fleet: fleet, glyphs: ui.glyphs, area: inner, into: &buf, now: now)
    case .output:
        guard fleet.execOutput?.target.agent == row.agent.name else {
            buf.put(" x asks the agent for its status, in its container", x: inner.x, y: inner.y, maxWidth: inner.width, role: .muted)
            return
        }
        drawLogs(fleet.execLines, state: ui.logView, glyphs: ui.glyphs, showReplica: false, area: inner, into: &buf, now: now)
    case .logs:
        guard fleet.logService != nil, fleet.logService == row.agent.serviceName else {
            let why = row.agent.serviceName == nil ? " no Swarm service, no logs" : " waiting for the logs…"
            buf.put(why, x: inner.x, y: inner.y, maxWidth: inner.width, role: .muted)
            return
        }
        // The replica (and its node) is worth its column when there are several, or several nodes.
        let several = (row.summary?.service.desired ?? 1) > 1 || fleet.nodes.count > 1
        drawLogs(fleet.logs, state: ui.logView, glyphs: ui.glyphs, showReplica: several, area: inner, into: &buf, now: now)
    }
}

