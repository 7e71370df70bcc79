import ClawtopCore
import Foundation
import Screen

/// A page of the console: its keys, its view, the hints of the status line and the name `snapshot --view` knows it
/// by. A new page is a file of its own (a type conforming to this) and a line in `pages`.
protocol PageUnit {
    static var page: Page { get }
    /// The command that opens the page (and, on it, goes back to the agents); nil for the agents' own.
    static var opener: Command? { get }
    /// Sets the page up as it opens.
    static func opened(_ ui: inout UIState)
    /// The status line's hints while the page is shown.
    static func hints(_ ui: UIState) -> [Hint]
    /// A command while the page is shown (the help, confirmations, prompts, the swarm picker and the pages' own
    /// keys come first).
    static func handle(_ command: Command, ui: inout UIState, shown: Shown, pageSize: Int, now: Date) -> [Effect]
    /// The page in the body of the screen.
    static func draw(_ shown: Shown, ui: UIState, area: Rect, into buf: inout Buffer, now: Date)
    /// What the page has to say in the header whichever page is shown ("audit 3"), if anything; the first part to
    /// give way on a narrow screen.
    static func headerPart(_ fleet: FleetState, rows: [AgentRow]) -> String?
}

extension PageUnit {
    static func opened(_ ui: inout UIState) {}
    static func headerPart(_ fleet: FleetState, rows: [AgentRow]) -> String? { nil }
}

/// Every page's part of the header, from all the agent rows.
func pageHeaderParts(_ fleet: FleetState, rows: [AgentRow]) -> [String] {
    pages.compactMap { $0.headerPart(fleet, rows: rows) }
}

/// Every page, the agents' first.
let pages: [any PageUnit.Type] = [AgentsPage.self, NodesPage.self, TimelinePage.self, AuditPage.self]

/// What a page draws from and acts on.
struct Shown {
    let fleet: FleetState
    /// Every agent row, as derived for this frame.
    let agentRows: [AgentRow]
    /// The agents' table: the rows the filter keeps, in the order asked for.
    var tableRows: [AgentRow] = []
    /// The lines the logs pane holds.
    var logs = LogBuffer()
    /// How the screen is divided (for drawing).
    var layout = Layout.full
    /// The key pressed (for handling): on the agents' page Esc clears the filter where q quits.
    var key: Key?
}

/// Which page the body shows: the agents (their table, with the selected one's details or logs), or one of `pages`.
public struct Page: Sendable, Hashable {
    public let name: String

    public static let agents = Page(name: "agents")

    /// Every page but the agents', by name: what `snapshot --view` takes besides table, details and logs.
    public static var others: [Page] { pages.map { $0.page }.filter { $0 != .agents } }

    var unit: any PageUnit.Type { pages.first { $0.page == self } ?? AgentsPage.self }
}

extension UIState {
    /// The views `snapshot --view` draws: the agents' table, the selected one's details or logs, and every page.
    public static var snapshotViews: [String] { ["table", "details", "logs"] + Page.others.map(\.name) }

    /// Shows the view named `name` (one of `snapshotViews`); false for a name that is none.
    public mutating func show(view name: String) -> Bool {
        switch name {
        case "table": page = .agents
        case "details", "logs":
            page = .agents
            focus = .pane
            pane = name == "logs" ? .logs : .details
        default:
            guard let other = Page.others.first(where: { $0.name == name }) else { return false }
            page = other
        }
        return true
    }
}
