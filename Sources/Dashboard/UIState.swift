import ClawtopCore
import Screen
import Foundation

/// The table's order.
public enum SortOrder: String, Sendable, Equatable, CaseIterable {
    /// Unhealthy and failing first, then by name (the default).
    case urgency
    case name
    /// Most restarts first.
    case restarts
    /// Lowest availability first.
    case availability
    /// By stack (`docker stack deploy`), the most urgent first within each.
    case stack
    /// Most CPU in use first; then most memory.
    case cpu
    case mem

    var next: SortOrder {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// A line of text being typed at the bottom of the screen.
public struct Prompt: Sendable, Equatable {
    public enum Purpose: Sendable, Equatable {
        case filter
        /// A search in the logs pane.
        case search
        /// The logs of one node or replica (`@wk1`, `2@`).
        case replicaFilter
        /// The new replica count for an agent.
        case replicas(agent: String)
    }
    public var purpose: Purpose
    public var text: String
}

/// What covers the table for a moment.
public enum Overlay: Sendable, Equatable {
    case help
    /// "scale openclaw_alpha 1 → 0? y/N"
    case confirm(ActionRequest)
    case prompt(Prompt)
    /// The docker contexts to switch between.
    case swarms(SwarmPicker)
    /// The replicas of an agent, for a shell or a command in one.
    case replicas(ReplicaPicker)
}

/// What the pane under the table (or the whole screen, on small terminals) shows.
public enum Pane: Sendable, Equatable {
    case details, logs
    /// What the last command run in a container printed (`x`).
    case output
}

/// Where keys go: the table, or the pane.
public enum Focus: Sendable, Equatable {
    case table, pane
}

/// A message of the UI itself (a refusal, a cancelled action), shown in the status line.
public struct Flash: Sendable, Equatable {
    public var text: String
    public var role: Role
    public var at: Date
}

/// What the view remembers between frames.
public struct UIState: Sendable, Equatable {
    /// The selected agent, by name, so the selection follows it when the order changes.
    public var selectedID: String?
    public var scroll: Int = 0
    public var glyphs: Glyphs
    public var overlay: Overlay?
    /// Only agents whose name, service or image contain this (case-insensitive).
    public var filter = ""
    public var sort = SortOrder.urgency
    /// `--read-only`: every action is refused.
    public var readOnly = false
    public var flash: Flash?
    public var pane = Pane.details
    public var focus = Focus.table
    public var logView = LogViewState()
    public var page = Page.agents
    /// The shell being looked for (`e` pressed, the answer not back yet): a second `e` waits for it.
    public var openingShell: ExecTarget?
    /// The selected node in the nodes view, by ID.
    public var selectedNode: String?
    /// The timeline shows only transitions into this state (nil: any); its agent filter is `filter`.
    public var timelineState: TimelineState?
    /// The selected line of the timeline, from its newest transition (the view scrolls to keep it in sight).
    public var timelineScroll = 0
    /// The selected line of the audit.
    public var auditScroll = 0

    /// Where keys go now.
    public var keyContext: KeyContext { focus == .pane && (pane == .logs || pane == .output) ? .logs : .table }

    public init(glyphs: Glyphs = .unicode, readOnly: Bool = false) {
        self.glyphs = glyphs
        self.readOnly = readOnly
    }
}

/// The table's rows as the operator has arranged them: filtered, then sorted.
public func visibleRows(_ fleet: FleetState, ui: UIState, now: Date) -> [AgentRow] {
    visibleRows(fleet.agentRows(now: now), ui: ui)
}

/// The same, from rows already derived (`FleetState.agentRows`).
public func visibleRows(_ all: [AgentRow], ui: UIState) -> [AgentRow] {
    var rows = all
    let filter = ui.filter.lowercased()
    if !filter.isEmpty {
        rows = rows.filter { row in
            [row.agent.name, row.agent.serviceName ?? "", row.summary?.service.image ?? "", row.summary?.service.stack ?? ""]
                .contains { $0.lowercased().contains(filter) }
        }
    }
    switch ui.sort {
    case .urgency: break
    case .name: rows.sort { $0.agent.name < $1.agent.name }
    case .restarts: rows.sort { ($1.restarts, $0.agent.name) < ($0.restarts, $1.agent.name) }
    case .availability: rows.sort { ($0.history.availability ?? 2, $0.agent.name) < ($1.history.availability ?? 2, $1.agent.name) }
    case .cpu: rows.sort { ($1.summary?.usage?.cores ?? -1, $0.agent.name) < ($0.summary?.usage?.cores ?? -1, $1.agent.name) }
    case .mem: rows.sort { ($1.summary?.usage?.memory ?? -1, $0.agent.name) < ($0.summary?.usage?.memory ?? -1, $1.agent.name) }
    case .stack:
        // Stable: within a stack, the urgency order the rows came in.
        let order = Dictionary(rows.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        rows.sort { ($0.summary?.service.stack ?? "~", order[$0.id] ?? 0) < ($1.summary?.service.stack ?? "~", order[$1.id] ?? 0) }
    }
    return rows
}

/// The selected agent's row among `rows`: the one the UI names, else the first.
public func selectedRow(_ rows: [AgentRow], ui: UIState) -> AgentRow? {
    ui.selectedID.flatMap { id in rows.first { $0.id == id } } ?? rows.first
}
