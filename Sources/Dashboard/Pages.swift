import ClawtopCore
import Foundation
import Screen

/// A page the console shows instead of the agents' table and pane: its keys, its view, the hints of the status line
/// and the name `snapshot --view` knows it by. A new page is a file of its own (a type conforming to this) and a line
/// in `pages`.
protocol PageUnit {
    static var page: Page { get }
    /// The status line's hints while the page is shown.
    static var hints: [Hint] { get }
    /// A command while the page is shown (the help, confirmations, prompts and the swarm picker come first).
    static func handle(_ command: Command, ui: inout UIState, shown: Shown, pageSize: Int, now: Date) -> [Effect]
    /// The page in the body of the screen.
    static func draw(_ shown: Shown, ui: UIState, area: Rect, into buf: inout Buffer, now: Date)
}

/// The pages besides the agents', in the order their keys are listed.
let pages: [any PageUnit.Type] = [NodesPage.self, TimelinePage.self]

/// What a page draws from and acts on: the fleet, and its agent rows as derived for this frame.
struct Shown {
    let fleet: FleetState
    let agentRows: [AgentRow]
}

/// Which page the body shows: the agents (their table, with the selected one's details or logs), or one of `pages`.
public struct Page: Sendable, Hashable {
    public let name: String

    public static let agents = Page(name: "agents")

    /// Every page but the agents', by name: what `snapshot --view` takes besides table, details and logs.
    public static var others: [Page] { pages.map { $0.page } }

    var unit: (any PageUnit.Type)? { pages.first { $0.page == self } }
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
