import ClawtopCore

/// How `clawtop status` writes its line: plain text, or with tmux's own colour syntax (`#[fg=red]`).
public enum StatusStyle: Sendable, Equatable {
    case plain, tmux
}

/// `✗ 2 unhealthy: billing, inbox · ● 41 · ○ 3`: the agents that need looking at by name (the most urgent first,
/// at most three a group), the others counted. Groups with no agent are left out; an empty fleet says so.
public func statusLine(_ report: StatusReport, glyphs g: Glyphs, style: StatusStyle) -> String {
    func named(_ glyph: String, _ names: [String], _ word: String) -> (String, String)? {
        guard !names.isEmpty else { return nil }
        let shown = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " +\(names.count - 3)" : "")
        return ("\(glyph) \(names.count) \(word): \(shown)", word == "failing" ? "yellow" : "red")
    }
    func counted(_ glyph: String, _ n: Int, _ colour: String) -> (String, String)? { n > 0 ? ("\(glyph) \(n)", colour) : nil }
    let parts = [named(g.bad, report.unhealthy, "unhealthy"), named(g.missing, report.missing, "missing"),
                 named(g.warn, report.failing, "failing"), counted(g.starting, report.starting, "yellow"),
                 counted(g.ok, report.healthy, "green"), counted(g.idle, report.asleep, "default"),
                 counted(g.unknown, report.unknown, "default")].compactMap { $0 }
    guard !parts.isEmpty else { return "no agents" }
    let separator = g == .ascii ? " | " : " · "
    switch style {
    case .plain:
        return parts.map(\.0).joined(separator: separator)
    case .tmux:
        // tmux reads `#` as the start of a format: a name's own is doubled.
        return parts.map { text, colour in
            let escaped = text.replacingOccurrences(of: "#", with: "##")
            return colour == "default" ? escaped : "#[fg=\(colour)]\(escaped)#[default]"
        }.joined(separator: separator)
    }
}
