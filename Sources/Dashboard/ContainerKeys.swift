import ClawtopCore
import Foundation
import Screen

/// What the operator asked to do in a replica's container.
public enum ExecPurpose: Sendable, Equatable {
    /// An interactive shell (`e`).
    case shell
    /// The agent's own status, its output in the pane (`x`).
    case status
}

/// The replicas to choose from when an agent has several (`slot@node`).
public struct ReplicaPicker: Sendable, Equatable {
    public var purpose: ExecPurpose
    public var choices: [ExecTarget]
    /// The highlighted line.
    public var selected: Int
}

/// The running replicas of an agent whose container can be reached: a task running with a container, on a node.
public func execTargets(_ row: AgentRow, fleet: FleetState) -> [ExecTarget] {
    guard let service = row.summary?.service else { return [] }
    let names = fleet.nodeNames
    return (fleet.tasks[service.id] ?? [])
        .filter { $0.isRunning && $0.containerID != nil && $0.nodeID != nil }
        .sorted { ($0.slot ?? 0, $0.nodeID ?? "") < ($1.slot ?? 0, $1.nodeID ?? "") }
        .map { task in
            let node = task.nodeID!
            let host = names[node] ?? String(node.prefix(12))
            return ExecTarget(agent: row.agent.name, service: service.name, taskID: task.id, containerID: task.containerID!,
                              nodeID: node, replica: (task.slot.map(String.init) ?? "") + "@" + host,
                              shellLabel: service.labels["clawtop.exec.shell"], statusLabel: service.labels["clawtop.exec.status"])
        }
}

/// The `e` and `x` keys on an agent: straight to its one replica, or a picker of several; or why not.
func openInContainer(_ purpose: ExecPurpose, row: AgentRow?, fleet: FleetState, ui: inout UIState, now: Date) -> [Effect] {
    func refuse(_ text: String) -> [Effect] {
        ui.flash = Flash(text: text, role: .warn, at: now)
        return []
    }
    if purpose == .shell && ui.readOnly { return refuse("read-only: no shell (started with --read-only)") }
    guard let row else { return [] }
    guard row.summary != nil else { return refuse("\(row.agent.name) has no Swarm service: no container to open") }
    let targets = execTargets(row, fleet: fleet)
    guard !targets.isEmpty else { return refuse("\(row.agent.name) has no running replica: no container to open") }
    guard targets.count == 1 else {
        ui.overlay = .replicas(ReplicaPicker(purpose: purpose, choices: targets, selected: 0))
        return []
    }
    return open(purpose, in: targets[0], fleet: fleet, ui: &ui, now: now)
}

/// The chosen replica: on a node clawtop has no way to, one line; else the effect.
private func open(_ purpose: ExecPurpose, in target: ExecTarget, fleet: FleetState, ui: inout UIState, now: Date) -> [Effect] {
    if !fleet.reach.isEmpty && fleet.reach[target.nodeID] == nil {
        let node = String(target.replica.split(separator: "@", maxSplits: 1).last ?? "")
        ui.flash = Flash(text: "\(node): no endpoint, see --node (\(target.name) runs there)", role: .warn, at: now)
        return []
    }
    switch purpose {
    case .shell:
        ui.flash = Flash(text: "opening a shell in \(target.name)…", role: .muted, at: now)
        guard ui.openingShell == nil else { return [] }
        ui.openingShell = target
        return [.openShell(target)]
    case .status:
        ui.flash = Flash(text: "asking \(target.name) for its status…", role: .muted, at: now)
        return [.runStatus(target)]
    }
}

/// A key while the replica picker is open: move, Enter to choose, Esc or q to close.
func pick(_ picker: ReplicaPicker, key: Key, fleet: FleetState, ui: inout UIState, now: Date) -> [Effect] {
    var p = picker
    let pressed = command(for: key, in: .table)
    if let pressed, let index = moved(pressed, from: p.selected, count: p.choices.count, pageSize: p.choices.count) {
        p.selected = index
        ui.overlay = .replicas(p)
        return []
    }
    switch pressed {
    case .quit:
        ui.overlay = nil
        return []
    case .details:
        ui.overlay = nil
        guard p.choices.indices.contains(p.selected) else { return [] }
        return open(p.purpose, in: p.choices[p.selected], fleet: fleet, ui: &ui, now: now)
    default:
        return []
    }
}

/// The replicas to choose from, one line each, the highlighted one in the selection's colours.
func drawReplicaPicker(_ picker: ReplicaPicker, glyphs g: Glyphs, area: Rect, into buf: inout Buffer) {
    var lines: [BoxLine] = picker.choices.enumerated().map { i, target in
        [("  " + sanitize(target.replica) + "  ", i == picker.selected ? .selection : .header),
         (String(target.containerID.prefix(12)), i == picker.selected ? .selection : .muted)]
    }
    lines += [[("", .normal)], [("Enter opens it, Esc closes", .muted)]]
    let title = (picker.purpose == .shell ? "a shell in " : "the status of ") + sanitize(picker.choices.first?.agent ?? "")
    drawBox(lines, title: title, ellipsis: g.ellipsis, area: area, into: &buf)
}

/// What follows from a shell or a command in a container.
func reacted(to message: ExecMessage, in model: inout ConsoleModel) -> [Effect] {
    let now = model.now
    switch message {
    case .shellReady(let target, let command):
        model.ui.openingShell = nil
        return [.stepAside(target, command)]
    case .shellRefused(_, let why):
        model.ui.openingShell = nil
        model.ui.flash = Flash(text: why, role: .bad, at: now)
        return []
    case .shellEnded(let target, let status, let problem):
        if let status {
            model.ui.flash = Flash(text: "shell in \(target.name) ended: exit \(status)" + (problem.map { " (\($0))" } ?? ""),
                                   role: status == 0 && problem == nil ? .ok : .warn, at: now)
        } else {
            model.ui.flash = Flash(text: "shell in \(target.name): \(problem ?? "not run")", role: .bad, at: now)
        }
        return [.repaint]
    case .output(let output):
        // The output in the pane, read from its top; the logs shown until now are left.
        model.ui.page = .agents
        model.ui.selectedID = output.target.agent
        model.ui.pane = .output
        model.ui.focus = .pane
        model.ui.logView = LogViewState()
        jump(&model.ui.logView, to: 0, buffer: model.fleet.execLines)
        model.ui.flash = Flash(text: "\(output.target.name): \(output.command): \(output.outcome)",
                               role: output.status == 0 ? .ok : .warn, at: now)
        guard model.fleet.logService != nil else { return [] }
        model.fleet.showLogs(of: nil)
        return [.followLogs(service: nil)]
    }
}
