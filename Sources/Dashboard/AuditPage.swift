import ClawtopCore
import Foundation
import Screen

/// The audit (`A`): every agent held to the containerising guide's rules, one line per rule an agent fails (the worst
/// rule first) with the fact and the fix, then the rules that cannot be judged and why; how many a label silences.
enum AuditPage: PageUnit {
    static let page = Page(name: "audit")
    static let opener: Command? = .audit

    static func opened(_ ui: inout UIState) {
        ui.auditScroll = 0
    }

    static func hints(_ ui: UIState) -> [Hint] {
        [Hint(command: .audit, word: "back")]
    }

    static func handle(_ command: Command, ui: inout UIState, shown: Shown, pageSize: Int, now: Date) -> [Effect] {
        let report = AuditReport(shown.fleet, rows: shown.agentRows)
        let count = report.failing.count + report.unjudged.count
        if let index = moved(command, from: ui.auditScroll, count: count, pageSize: pageSize) {
            ui.auditScroll = index
            return []
        }
        switch command {
        case .quit:
            ui.page = .agents
        default:
            ui.flash = Flash(text: "audit: the guide's rules each agent fails; A or Esc back to the agents", role: .muted, at: now)
        }
        return []
    }

    static func draw(_ shown: Shown, ui: UIState, area: Rect, into buf: inout Buffer, now: Date) {
        drawAudit(AuditReport(shown.fleet, rows: shown.agentRows), ui: ui, area: area, into: &buf)
    }

    /// How many rules the agents fail, when any do.
    static func headerPart(_ fleet: FleetState, rows: [AgentRow]) -> String? {
        let failing = AuditReport(fleet, rows: rows).failing.count
        return failing > 0 ? "audit \(failing)" : nil
    }
}

/// One line per finding: the failing ones (✗), then those that cannot be judged (?), under a line that counts them.
func drawAudit(_ report: AuditReport, ui: UIState, area: Rect, into buf: inout Buffer) {
    let g = ui.glyphs
    let columns = layout([
        Column("AGENT", 16, max: 24, priority: 0, growth: 2),
        Column("RULE", 17, priority: 0),
        Column("WHAT", 30, max: 62, priority: 0, growth: 1),
        Column("FIX (THE GUIDE)", 20, max: 120, priority: 1, growth: 3),
    ], width: area.width - 3)
    var summary = report.failing.isEmpty ? "\(g.ok) every agent keeps every rule it can be judged by"
        : "\(g.bad) \(report.failing.count) failing"
    if !report.unjudged.isEmpty { summary += "  ? \(report.unjudged.count) cannot be judged" }
    if report.silenced > 0 { summary += "  \(report.silenced) silenced (\(AuditReport.ignoreLabel))" }
    buf.put(" " + summary, x: area.x, y: area.y, maxWidth: area.width, role: report.failing.isEmpty ? .ok : .bad)
    drawHeaderLine(columns, x: area.x + 2, y: area.y + 1, ellipsis: g.ellipsis, into: &buf)
    let findings = report.failing + report.unjudged
    let visible = max(1, area.height - 2)
    let selected = min(ui.auditScroll, max(0, findings.count - 1))
    let top = max(0, min(selected - visible + 1, findings.count - visible))
    for (i, f) in findings.dropFirst(top).prefix(visible).enumerated() {
        let y = area.y + 2 + i
        buf.put(f.judged ? g.bad : "?", x: area.x, y: y, role: f.judged ? .bad : .warn)
        drawCells([(sanitize(f.agent), .normal), (f.rule, f.judged ? .bad : .warn),
                   (f.judged ? f.fact : "cannot judge: " + f.fact, f.judged ? .normal : .muted), (f.fix, .muted)],
                  columns: columns, x: area.x + 2, y: y, ellipsis: g.ellipsis, into: &buf)
        if top + i == selected { buf.fill(role: .selection, y: y) }
    }
}
