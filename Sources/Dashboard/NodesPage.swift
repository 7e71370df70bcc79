import ClawtopCore
import Foundation
import Screen

/// One line of the nodes view: a node, and what runs on it.
public struct NodeRow: Sendable, Equatable {
    public var node: NodeInfo
    /// The agents with a task that should run there, by name.
    public var agents: [String]
    /// Tasks running there now (a down node's last known ones included: Swarm cannot know).
    public var running: Int
    /// How clawtop reads its containers (nil: it has no way to, or reads none), and what its tasks consume.
    public var reach: NodeReach?
    public var cores: Double?
    public var memory: Int64?
}

extension FleetState {
    /// The nodes, those that need attention first (down, then drained or paused), then managers, then by hostname.
    public func nodeRows(agentRows: [AgentRow]) -> [NodeRow] {
        var agentsOn: [String: Set<String>] = [:]
        var runningOn: [String: Int] = [:]
        let agentOfService = Dictionary(agentRows.compactMap { row in row.summary.map { ($0.service.id, row.agent.name) } },
                                        uniquingKeysWith: { a, _ in a })
        for (serviceID, list) in tasks {
            for task in list where task.desiredState == "running" && !task.isTerminal {
                guard let node = task.nodeID else { continue }
                if let agent = agentOfService[serviceID] { agentsOn[node, default: []].insert(agent) }
                if task.isRunning { runningOn[node, default: 0] += 1 }
            }
        }
        func rank(_ n: NodeInfo) -> Int { n.state != "ready" ? 0 : n.availability != "active" ? 1 : n.role == "manager" ? 2 : 3 }
        var cores: [String: Double] = [:], memory: [String: Int64] = [:]
        for used in usage.values {
            memory[used.nodeID, default: 0] += used.memory
            if let c = used.cores { cores[used.nodeID, default: 0] += c }
        }
        return nodes.map { n in
            NodeRow(node: n, agents: (agentsOn[n.id] ?? []).sorted(), running: runningOn[n.id] ?? 0, reach: reach[n.id],
                    cores: cores[n.id], memory: reach[n.id] == nil ? nil : memory[n.id] ?? 0)
        }
            .sorted { (rank($0.node), $0.node.hostname) < (rank($1.node), $1.node.hostname) }
    }
}

/// The nodes (`n`): each node's state, role and availability and what runs there; drain, pause and activate.
enum NodesPage: PageUnit {
    static let page = Page(name: "nodes")
    static let opener: Command? = .nodes

    static func hints(_ ui: UIState) -> [Hint] {
        [Hint(command: .drain, word: "drain"), Hint(command: .pause, word: "pause"), Hint(command: .activate, word: "activate"),
         Hint(command: .nodes, word: "back")]
    }

    /// Move, drain, pause or activate the selected node, or go back to the agents.
    static func handle(_ command: Command, ui: inout UIState, shown: Shown, pageSize: Int, now: Date) -> [Effect] {
        let rows = shown.fleet.nodeRows(agentRows: shown.agentRows)
        let ids = rows.map(\.node.id)
        let current = ui.selectedNode.flatMap { ids.firstIndex(of: $0) } ?? 0
        if let index = moved(command, from: current, count: ids.count, pageSize: pageSize) {
            if !ids.isEmpty { ui.selectedNode = ids[index] }
            return []
        }
        switch command {
        case .quit:
            ui.page = .agents
            return []
        case .drain, .pause, .activate:
            guard !ui.readOnly else {
                ui.flash = Flash(text: "read-only: actions are off (started with --read-only)", role: .warn, at: now)
                return []
            }
            guard rows.indices.contains(current) else { return [] }
            let row = rows[current]
            let (verb, to): (ActionVerb, String) = command == .drain ? (.drain, "drain") : command == .pause ? (.pause, "pause") : (.activate, "active")
            let node = row.node
            guard node.availability != to else {
                ui.flash = Flash(text: "\(node.hostname) is already \(to)", role: .muted, at: now)
                return []
            }
            var request = ActionRequest(target: .node(hostname: node.hostname, id: node.id),
                                        kind: .availability(from: node.availability, to: to), verb: verb)
            if verb == .drain && row.running > 0 {
                request.warning = "its \(row.running) running task\(row.running == 1 ? "" : "s") will be stopped and placed elsewhere"
            }
            ui.overlay = .confirm(request)
            return []
        default:
            ui.flash = Flash(text: "nodes: d drain, p pause, a activate; n or Esc back to the agents", role: .muted, at: now)
            return []
        }
    }

    static func draw(_ shown: Shown, ui: UIState, area: Rect, into buf: inout Buffer, now: Date) {
        let rows = shown.fleet.nodeRows(agentRows: shown.agentRows)
        let unmatched = shown.fleet.unmatchedNodes
        var table = area
        if !unmatched.isEmpty, area.height > rows.count + 2 {
            table.height -= 1
            buf.put("--node " + unmatched.map(sanitize).joined(separator: ", ") + ": no node of that name in this swarm",
                    x: area.x + 1, y: area.y + area.height - 1, maxWidth: area.width - 1, role: .warn)
        }
        drawNodeTable(rows, ui: ui, area: table, into: &buf)
    }
}

/// The nodes view: one line per node, a down, drained or paused one marked and coloured.
func drawNodeTable(_ rows: [NodeRow], ui: UIState, area: Rect, into buf: inout Buffer) {
    let g = ui.glyphs
    // What the agents' containers consume on each node, where clawtop reads any node's containers.
    let sampling = rows.contains { $0.reach != nil }
    let columns = layout([
        Column("STATE", 8, priority: 0),
        Column("NODE", 10, max: 24, priority: 0, growth: 1),
        Column("ROLE", 8, priority: 1),
        Column("AVAIL", 6, priority: 0),
        Column("TASKS", 5, priority: 2),
        Column("CPU", sampling ? 5 : 0, priority: 3),
        Column("MEM", sampling ? 6 : 0, priority: 3),
        Column("READ", sampling ? 12 : 0, max: 48, priority: 6, growth: 0),
        Column("ENGINE", 8, max: 12, priority: 4, growth: 3),
        Column("ADDRESS", 15, priority: 3),
        Column("AGENTS", 10, max: 60, priority: 5, growth: 2),
    ], width: area.width - 1)
    drawHeaderLine(columns, x: area.x, y: area.y, ellipsis: g.ellipsis, into: &buf)
    guard !rows.isEmpty else {
        buf.put("  no nodes: this daemon is not a swarm manager", x: 0, y: area.y + 1, role: .muted)
        return
    }
    let visible = max(1, area.height - 1)
    let selected = ui.selectedNode.flatMap { id in rows.firstIndex { $0.node.id == id } } ?? 0
    let top = max(0, min(selected - visible + 1, rows.count - visible))
    for (i, row) in rows[max(0, top)..<min(rows.count, max(0, top) + visible)].enumerated() {
        let y = area.y + 1 + i
        let n = row.node
        let (glyph, stateRole): (String, Role) = n.state != "ready" ? (g.bad, .bad) : n.availability != "active" ? (g.warn, .warn) : (g.ok, .ok)
        let role = n.role == "manager" ? (n.leader ? "leader" : "manager") : n.role
        drawCells([
            ("\(glyph) \(sanitize(n.state))", stateRole),
            (sanitize(n.hostname), .normal),
            (sanitize(role), n.role == "manager" ? .normal : .muted),
            (sanitize(n.availability), n.availability == "active" ? .muted : .warn),
            (String(row.running), .muted),
            (row.cores.map(formatCores) ?? "-", .muted),
            (row.memory.map(shortBytes) ?? "-", .muted),
            readCell(row),
            (sanitize(n.engine.isEmpty ? "-" : n.engine), .muted),
            (sanitize(n.address.isEmpty ? "-" : n.address), .muted),
            (row.agents.map(sanitize).joined(separator: ","), .muted),
        ], columns: columns, x: area.x, y: y, ellipsis: g.ellipsis, into: &buf)
        if max(0, top) + i == selected { buf.fill(role: .selection, y: y) }
    }
}

/// How the node's containers are read: "this daemon", "--node ssh://…", or why not ("no endpoint, see --node", "stale:
/// …").
private func readCell(_ row: NodeRow) -> (String, Role) {
    guard let reach = row.reach else { return ("no endpoint, see --node", .warn) }
    switch reach.state {
    case .connecting: return (sanitize(reach.via), .muted)
    case .live: return (sanitize(reach.via), .muted)
    case .lost(let why): return ("stale: " + sanitize(why), .bad)
    }
}
