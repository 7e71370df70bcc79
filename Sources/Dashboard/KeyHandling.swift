import ClawtopCore
import Foundation
import Screen

/// Applies a key to the UI state (pure). `rows` are the visible rows (`visibleRows`); `pageSize` the rows on screen;
/// `logs` the lines the logs pane shows; `shown` what the other pages draw from.
func handle(_ key: Key, ui: inout UIState, rows: [AgentRow], pageSize: Int, logs: LogBuffer = LogBuffer(),
            shown: Shown = Shown(fleet: FleetState(endpoint: ""), agentRows: []), now: Date = Date()) -> [Effect] {
    switch ui.overlay {
    case .help:
        ui.overlay = nil
        return []
    case .confirm(let request):
        ui.overlay = nil
        if key == .char("y") || key == .char("Y") { return [.perform(request)] }
        ui.flash = Flash(text: "cancelled: \(request.effect(arrow: ui.glyphs.arrow))", role: .muted, at: now)
        return []
    case .prompt(let prompt):
        return edit(prompt, key: key, ui: &ui, rows: rows, logs: logs, now: now)
    case .swarms(let picker):
        return pick(picker, key: key, ui: &ui, now: now)
    case nil:
        break
    }
    guard let command = command(for: key, in: ui.keyContext) else { return [] }
    if let unit = ui.page.unit { return unit.handle(command, ui: &ui, shown: shown, pageSize: pageSize, now: now) }
    if command.actsOnNodes {
        ui.flash = Flash(text: "d, p and a act on nodes: n shows them", role: .muted, at: now)
        return []
    }
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
    case .help:
        ui.overlay = .help
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
    case .swarms: return [.listSwarms]
    case .nodes, .timeline:
        ui.page = command == .nodes ? NodesPage.page : TimelinePage.page
        ui.focus = .table
        ui.timelineScroll = 0
        return []
    case .timelineState:
        ui.flash = Flash(text: "s picks the timeline's state: h shows the timeline", role: .muted, at: now)
        return []
    case .redraw: return [.repaint]
    case .quit:
        if ui.focus == .pane {
            ui.focus = .table
            return []
        }
        if key == .escape && !ui.filter.isEmpty {
            ui.filter = ""
            return []
        }
        return [.quit]
    case .restart, .scaleUp, .scaleDown, .setReplicas, .wake, .sleep, .rollback, .drain, .pause, .activate: return []
    case .follow, .timestamps, .wrap, .nextMatch, .previousMatch, .sinceRestart, .replicaFilter: return []
    }
}

/// Where a movement key takes the selection in a list of `count` (clamped to it); nil for any other command.
func moved(_ command: Command, from current: Int, count: Int, pageSize: Int) -> Int? {
    let target: Int
    switch command {
    case .up: target = current - 1
    case .down: target = current + 1
    case .pageUp: target = current - max(1, pageSize)
    case .pageDown: target = current + max(1, pageSize)
    case .top: target = 0
    case .bottom: target = count - 1
    default: return nil
    }
    return min(max(0, target), max(0, count - 1))
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

/// Help, repaint and the swarm picker: the same on every page.
func general(_ command: Command, ui: inout UIState) -> [Effect] {
    switch command {
    case .help:
        ui.overlay = .help
        return []
    case .redraw: return [.repaint]
    case .swarms: return [.listSwarms]
    default: return []
    }
}

/// A key while the swarm picker is open: move, Enter to switch to the highlighted swarm, Esc or q to close.
private func pick(_ picker: SwarmPicker, key: Key, ui: inout UIState, now: Date) -> [Effect] {
    var p = picker
    switch command(for: key, in: .table) {
    case .up: p.selected = max(0, p.selected - 1)
    case .down: p.selected = min(p.choices.count - 1, p.selected + 1)
    case .top: p.selected = 0
    case .bottom: p.selected = p.choices.count - 1
    case .quit, .swarms:
        ui.overlay = nil
        return []
    case .details:
        ui.overlay = nil
        guard p.choices.indices.contains(p.selected) else { return [] }
        let choice = p.choices[p.selected]
        if choice.name == p.shown {
            ui.flash = Flash(text: "already showing \(choice.name)", role: .muted, at: now)
            return []
        }
        if let problem = choice.problem {
            ui.flash = Flash(text: "\(choice.name): \(problem)", role: .bad, at: now)
            return []
        }
        ui.flash = Flash(text: "switching to \(choice.name)…", role: .warn, at: now)
        return [.loadSwarm(choice.name)]
    default:
        return []
    }
    ui.overlay = .swarms(p)
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

/// The largest replica count `=` accepts: a typo should not start a thousand agents.
public let maxReplicas = 100

/// A key while a prompt is open: typing, Backspace, Enter to accept, Esc to cancel.
private func edit(_ prompt: Prompt, key: Key, ui: inout UIState, rows: [AgentRow], logs: LogBuffer, now: Date) -> [Effect] {
    var p = prompt
    switch key {
    case .escape:
        ui.overlay = nil
        if p.purpose == .filter { ui.filter = "" }
        return []
    case .backspace:
        if !p.text.isEmpty { p.text.removeLast() }
    case .char(let c):
        if case .replicas = p.purpose {
            guard c.isASCII, c.isNumber, p.text.count < 3 else { return [] }
        } else if c.isNewline || (c.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) {
            return []
        }
        p.text.append(c)
    case .enter:
        ui.overlay = nil
        switch p.purpose {
        case .filter:
            return []
        case .search:
            if !search(&ui.logView, for: p.text, buffer: logs) && !p.text.isEmpty {
                ui.flash = Flash(text: "no match for \(p.text)", role: .warn, at: now)
            }
            return []
        case .replicaFilter:
            // The update reads the logs again with the new filter.
            ui.logView.replicaFilter = p.text.trimmingCharacters(in: .whitespaces)
            return []
        case .replicas(let agent):
            guard let row = rows.first(where: { $0.id == agent }), let service = row.summary?.service else { return [] }
            guard let n = Int(p.text), (0...maxReplicas).contains(n) else {
                ui.flash = Flash(text: "replicas must be a number from 0 to \(maxReplicas)", role: .warn, at: now)
                return []
            }
            guard n != service.desired else {
                ui.flash = Flash(text: "\(service.name) already has \(n) replica\(n == 1 ? "" : "s") wanted", role: .muted, at: now)
                return []
            }
            ui.overlay = .confirm(routed(ActionRequest(agent: agent, service: service.name, serviceID: service.id,
                                                       kind: .scale(from: service.desired, to: n), verb: .scale), row: row))
            return []
        }
    default:
        return []
    }
    ui.overlay = .prompt(p)
    if p.purpose == .filter { ui.filter = p.text }
    return []
}
