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
    case .replicas(let picker):
        return pick(picker, key: key, fleet: shown.fleet, ui: &ui, now: now)
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
