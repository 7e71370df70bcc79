import ClawtopCore
import Foundation
import Screen

/// The transitions the timeline lists, newest first: those of agents matching the filter (`/`), into the state
/// picked (`s`), if any.
public func timelineShown(_ fleet: FleetState, ui: UIState) -> [Transition] {
    filterTimeline(fleet.timeline, agent: ui.filter, state: ui.timelineState).reversed()
}

/// The timeline (`h`): every agent's transitions, newest first; `/` one agent's, `s` one state's.
enum TimelinePage: PageUnit {
    static let page = Page(name: "timeline")
    static let opener: Command? = .timeline

    static func opened(_ ui: inout UIState) {
        ui.timelineScroll = 0
    }

    static func hints(_ ui: UIState) -> [Hint] {
        [Hint(command: .filter, word: "agent"), Hint(command: .timelineState, word: "state"), Hint(command: .timeline, word: "back")]
    }

    /// Scroll, keep one state (`s` goes round them), filter by agent (`/`), or go back.
    static func handle(_ command: Command, ui: inout UIState, shown: Shown, pageSize: Int, now: Date) -> [Effect] {
        let count = timelineShown(shown.fleet, ui: ui).count
        if let index = moved(command, from: ui.timelineScroll, count: count, pageSize: pageSize) {
            ui.timelineScroll = index
            return []
        }
        switch command {
        case .quit:
            if !ui.filter.isEmpty || ui.timelineState != nil {
                ui.filter = ""
                ui.timelineState = nil
                return []
            }
            ui.page = .agents
            return []
        case .timelineState:
            let states: [TimelineState?] = [nil] + TimelineState.allCases.filter { $0 != .unknown }
            let at = states.firstIndex(of: ui.timelineState) ?? 0
            ui.timelineState = states[(at + 1) % states.count]
            ui.timelineScroll = 0
            ui.flash = Flash(text: "timeline: " + (ui.timelineState.map { "only into \($0.rawValue)" } ?? "every state"), role: .muted, at: now)
            return []
        case .filter:
            ui.overlay = .prompt(Prompt(purpose: .filter, text: ui.filter))
            return []
        default:
            ui.flash = Flash(text: "timeline: / agent, s state, h or Esc back to the agents", role: .muted, at: now)
            return []
        }
    }

    static func draw(_ shown: Shown, ui: UIState, area: Rect, into buf: inout Buffer, now: Date) {
        drawTimeline(timelineShown(shown.fleet, ui: ui), ui: ui, area: area, into: &buf, now: now)
    }
}

/// The timeline: one line per transition, newest first, with how long ago, the agent, from and to, why and who acted.
func drawTimeline(_ transitions: [Transition], ui: UIState, area: Rect, into buf: inout Buffer, now: Date) {
    let g = ui.glyphs
    let columns = layout([
        Column("AGO", 5, priority: 0),
        Column("AGENT", 12, max: 20, priority: 0, growth: 1),
        Column("FROM", 15, priority: 1),
        Column("TO", 17, priority: 0),
        Column("WHY", 12, max: 200, priority: 2, growth: 3),
        Column("BY", 10, max: 24, priority: 3, growth: 1),
    ], width: area.width - 1)
    drawHeaderLine(columns, x: area.x, y: area.y, ellipsis: g.ellipsis, into: &buf)
    var filters: [String] = []
    if !ui.filter.isEmpty { filters.append("agent ~ " + sanitize(ui.filter)) }
    if let state = ui.timelineState { filters.append("into " + state.rawValue) }
    guard !transitions.isEmpty else {
        let none = filters.isEmpty ? "  no transitions yet: each change of an agent's state is listed here, newest first"
            : "  no transitions with " + filters.joined(separator: ", ") + " (Esc clears)"
        buf.put(none, x: 0, y: area.y + 1, maxWidth: area.width, role: .muted)
        return
    }
    let visible = max(1, area.height - 1)
    let selected = min(ui.timelineScroll, transitions.count - 1)
    let top = max(0, min(selected - visible + 1, transitions.count - visible))
    for (i, t) in transitions[top..<min(transitions.count, top + visible)].enumerated() {
        let y = area.y + 1 + i
        let (fromGlyph, fromRole) = style(t.from, glyphs: g)
        let (toGlyph, toRole) = style(t.to, glyphs: g)
        drawCells([
            (formatAge(now.timeIntervalSince(t.time)), .muted),
            (sanitize(t.agent), .normal),
            ("\(fromGlyph) \(t.from.rawValue)", fromRole == .ok ? .muted : fromRole),
            // An action taken from clawtop: the state stays.
            t.isNote ? ("= \(toGlyph) \(t.to.rawValue)", .muted) : ("\(g.arrow) \(toGlyph) \(t.to.rawValue)", toRole),
            (t.reason.map(sanitize) ?? "", .muted),
            (t.actor.map(sanitize) ?? "", .muted),
        ], columns: columns, x: area.x, y: y, ellipsis: g.ellipsis, into: &buf)
        if top + i == selected { buf.fill(role: .selection, y: y) }
    }
}

func style(_ s: TimelineState, glyphs g: Glyphs) -> (String, Role) {
    switch s {
    case .healthy: return style(HealthState.healthy, glyphs: g)
    case .starting: return style(HealthState.starting, glyphs: g)
    case .failing: return style(HealthState.failing, glyphs: g)
    case .unhealthy, .crashLooping: return style(HealthState.unhealthy, glyphs: g)
    case .asleep: return style(HealthState.asleep, glyphs: g)
    case .missing: return style(HealthState.missing, glyphs: g)
    case .unknown: return style(HealthState.unknown, glyphs: g)
    }
}
