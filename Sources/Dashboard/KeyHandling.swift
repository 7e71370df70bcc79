import ClawtopCore
import Foundation
import Screen

/// Applies a key to the UI state (pure): an open overlay takes it first (the help, a confirmation, a prompt, the swarm
/// picker), then the keys that are the same on every page, then the pages' own keys (each opens its page), then the
/// page shown. `rows` are the agents' table's rows (`visibleRows`); `pageSize` the rows on screen; `logs` the lines the
/// logs pane holds; `shown` what the pages act on.
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
    if [.help, .redraw, .swarms].contains(command) { return general(command, ui: &ui) }
    // A page's key opens it; on the page, it goes back to the agents.
    if let opened = pages.first(where: { $0.opener == command }) {
        ui.page = opened.page == ui.page ? .agents : opened.page
        ui.focus = .table
        opened.opened(&ui)
        return []
    }
    var shown = shown
    shown.tableRows = rows
    shown.logs = logs
    shown.key = key
    return ui.page.unit.handle(command, ui: &ui, shown: shown, pageSize: pageSize, now: now)
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
