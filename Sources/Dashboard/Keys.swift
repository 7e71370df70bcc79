import Screen

/// What a key means, wherever it is pressed.
public enum Command: Sendable, Equatable, CaseIterable {
    case up, down, pageUp, pageDown, top, bottom
    case details, logs, focus, swarms, nodes, timeline, timelineState, audit
    case filter, sort
    case follow, timestamps, wrap, nextMatch, previousMatch, sinceRestart, replicaFilter
    case restart, scaleUp, scaleDown, setReplicas, wake, sleep, rollback
    case shell, execStatus
    case drain, pause, activate
    case help, redraw, quit

    /// Commands that change the swarm: each asks for confirmation, and `--read-only` refuses them.
    public var mutates: Bool {
        switch self {
        case .restart, .scaleUp, .scaleDown, .setReplicas, .wake, .sleep, .rollback, .drain, .pause, .activate: return true
        default: return false
        }
    }

    /// The commands of the nodes view's actions.
    var actsOnNodes: Bool { self == .drain || self == .pause || self == .activate }
}

/// Where a key binding applies.
public enum KeyContext: Sendable, Equatable {
    case anywhere
    /// The table has the keys.
    case table
    /// The logs pane has the keys; its bindings win over the others for the same key.
    case logs
}

/// One line of the key table: the keys, how the help shows them, and what they do.
public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var label: String
    public var command: Command
    public var help: String
    public var section: String
    public var context: KeyContext

    init(keys: [Key], label: String, command: Command, help: String, section: String, context: KeyContext = .anywhere) {
        self.keys = keys
        self.label = label
        self.command = command
        self.help = help
        self.section = section
        self.context = context
    }
}

/// Every key binding. The key map and the `?` help overlay both read this table.
public let keyBindings: [KeyBinding] = [
    KeyBinding(keys: [.up, .char("k")], label: "↑ k", command: .up, help: "up (agent, or log line)", section: "Move"),
    KeyBinding(keys: [.down, .char("j")], label: "↓ j", command: .down, help: "down (agent, or log line)", section: "Move"),
    KeyBinding(keys: [.pageUp], label: "PgUp", command: .pageUp, help: "a page up", section: "Move"),
    KeyBinding(keys: [.pageDown], label: "PgDn", command: .pageDown, help: "a page down", section: "Move"),
    KeyBinding(keys: [.home, .char("g")], label: "g Home", command: .top, help: "first (oldest line)", section: "Move"),
    KeyBinding(keys: [.end, .char("G")], label: "G End", command: .bottom, help: "last (newest line, follow)", section: "Move"),
    KeyBinding(keys: [.enter], label: "Enter", command: .details, help: "details of the agent", section: "Views"),
    KeyBinding(keys: [.char("l")], label: "l", command: .logs, help: "logs of the agent", section: "Views"),
    KeyBinding(keys: [.tab], label: "Tab", command: .focus, help: "table or pane", section: "Views"),
    KeyBinding(keys: [.char("x")], label: "x", command: .execStatus, help: "its own status, run in its container", section: "Views"),
    KeyBinding(keys: [.char("c")], label: "c", command: .swarms, help: "swarms (docker contexts)", section: "Views"),
    KeyBinding(keys: [.char("n")], label: "n", command: .nodes, help: "nodes, or back to agents", section: "Views", context: .table),
    KeyBinding(keys: [.char("h")], label: "h", command: .timeline, help: "timeline of transitions, or back", section: "Views", context: .table),
    KeyBinding(keys: [.char("A")], label: "A", command: .audit, help: "audit against the guide, or back", section: "Views", context: .table),
    KeyBinding(keys: [.char("/")], label: "/", command: .filter, help: "filter agents (Esc clears)", section: "Table", context: .table),
    KeyBinding(keys: [.char("o")], label: "o", command: .sort, help: "next sort order", section: "Table", context: .table),
    KeyBinding(keys: [.char("s")], label: "s", command: .timelineState, help: "timeline: next state to keep", section: "Table", context: .table),
    KeyBinding(keys: [.char("/")], label: "/", command: .filter, help: "search the logs", section: "Logs", context: .logs),
    KeyBinding(keys: [.char("n")], label: "n N", command: .nextMatch, help: "next, previous match", section: "Logs", context: .logs),
    KeyBinding(keys: [.char("N")], label: "", command: .previousMatch, help: "", section: "Logs", context: .logs),
    KeyBinding(keys: [.char("f")], label: "f", command: .follow, help: "follow or pause", section: "Logs", context: .logs),
    KeyBinding(keys: [.char("t")], label: "t", command: .timestamps, help: "timestamps on or off", section: "Logs", context: .logs),
    KeyBinding(keys: [.char("W")], label: "W", command: .wrap, help: "wrap on or off", section: "Logs", context: .logs),
    KeyBinding(keys: [.char("s")], label: "s", command: .sinceRestart, help: "since the last restart", section: "Logs", context: .logs),
    KeyBinding(keys: [.char("@")], label: "@", command: .replicaFilter, help: "one node or replica (@wk1)", section: "Logs", context: .logs),
    KeyBinding(keys: [.char("r")], label: "r", command: .restart, help: "restart (force update)", section: "Actions"),
    KeyBinding(keys: [.char("+")], label: "+", command: .scaleUp, help: "scale up by one", section: "Actions"),
    KeyBinding(keys: [.char("-")], label: "-", command: .scaleDown, help: "scale down by one", section: "Actions"),
    KeyBinding(keys: [.char("=")], label: "=", command: .setReplicas, help: "set replicas", section: "Actions"),
    KeyBinding(keys: [.char("w")], label: "w", command: .wake, help: "wake (on-demand, to 1)", section: "Actions"),
    KeyBinding(keys: [.char("z")], label: "z", command: .sleep, help: "sleep (on-demand, to 0)", section: "Actions"),
    KeyBinding(keys: [.char("u")], label: "u", command: .rollback, help: "roll back the last update", section: "Actions"),
    KeyBinding(keys: [.char("e")], label: "e", command: .shell, help: "a shell in its container", section: "Actions"),
    KeyBinding(keys: [.char("d")], label: "d p a", command: .drain, help: "drain, pause, activate (node)", section: "Actions"),
    KeyBinding(keys: [.char("p")], label: "", command: .pause, help: "", section: "Actions"),
    KeyBinding(keys: [.char("a")], label: "", command: .activate, help: "", section: "Actions"),
    KeyBinding(keys: [.char("?")], label: "?", command: .help, help: "this help", section: "General"),
    KeyBinding(keys: [.redraw], label: "Ctrl-L", command: .redraw, help: "repaint the screen", section: "General"),
    KeyBinding(keys: [.char("q"), .escape], label: "q Esc", command: .quit, help: "back, clear filter, quit", section: "General"),
]

/// The command bound to a key where the keys go, if any.
public func command(for key: Key, in context: KeyContext = .table) -> Command? {
    let bound = keyBindings.filter { $0.keys.contains(key) }
    return (bound.first { $0.context == context } ?? bound.first { $0.context == .anywhere })?.command
}

/// One hint of the status line: a command and a word for it. Its key is the key table's, so the hint follows a
/// rebinding; `key` picks one of several bound to the command (Esc rather than q).
struct Hint: Sendable {
    var command: Command
    var word: String
    var key: Key? = nil
}

/// The hints as the status line shows them ("? help  / filter  q quit"), each with the key bound to its command
/// where the keys go. A hint whose command has no key there is left out.
func hintLine(_ hints: [Hint], in context: KeyContext) -> String {
    hints.compactMap { hint -> String? in
        let bound = keyBindings.filter { $0.command == hint.command && ($0.context == context || $0.context == .anywhere) }
        guard let binding = bound.first(where: { $0.context == context }) ?? bound.first,
              let key = hint.key.map({ binding.keys.contains($0) ? $0 : nil }) ?? binding.keys.first else { return nil }
        return "\(keyName(key)) \(hint.word)"
    }.joined(separator: "  ")
}

/// How a key is written in the hints.
func keyName(_ key: Key) -> String {
    switch key {
    case .char(let c): String(c)
    case .escape: "Esc"
    case .enter: "Enter"
    case .tab: "Tab"
    case .backspace: "Backspace"
    case .up: "↑"
    case .down: "↓"
    case .pageUp: "PgUp"
    case .pageDown: "PgDn"
    case .home: "Home"
    case .end: "End"
    case .redraw: "Ctrl-L"
    }
}
