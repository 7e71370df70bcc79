import ClawtopCore
import Foundation

/// Glyphs by terminal capability: Unicode where the locale is UTF-8, ASCII otherwise.
public struct Glyphs: Sendable, Equatable {
    public var ok, bad, warn, idle, starting, missing, unknown, ellipsis, separator: String
    /// A failed probe in a history strip.
    public var stripFailure: String
    /// Healthy probes in a strip, by latency: under 10 ms, 50, 100, 250, 500 ms, 1 s, and slower.
    public var latencyBars: [String]

    public static let unicode = Glyphs(ok: "●", bad: "✗", warn: "▲", idle: "○", starting: "◐", missing: "◌", unknown: "?",
                                       ellipsis: "…", separator: "│", stripFailure: "✗",
                                       latencyBars: ["▁", "▂", "▃", "▄", "▅", "▆", "▇"])
    public static let ascii = Glyphs(ok: "*", bad: "x", warn: "!", idle: "o", starting: "~", missing: "-", unknown: "?",
                                     ellipsis: "~", separator: "|", stripFailure: "x",
                                     latencyBars: [".", ".", ":", ":", "+", "+", "#"])

    static let latencySteps = [0.010, 0.050, 0.100, 0.250, 0.500, 1.0]

    /// The strip cell for a healthy probe that took `latency` seconds.
    public func latencyBar(_ latency: Double?) -> String {
        let step = Self.latencySteps.firstIndex { (latency ?? 0) < $0 } ?? Self.latencySteps.count
        return latencyBars[min(step, latencyBars.count - 1)]
    }
}

/// What the view remembers between frames: the selection and the scroll position.
public struct UIState: Sendable, Equatable {
    /// The selected agent, by name, so the selection follows it when the order changes.
    public var selectedID: String?
    public var scroll: Int = 0
    public var glyphs: Glyphs
    public init(glyphs: Glyphs = .unicode) { self.glyphs = glyphs }
}

/// Keys the view understands, decoded by the terminal backend.
public enum Key: Sendable, Equatable {
    case up, down, pageUp, pageDown, home, end
    case char(Character)
    case escape
    case redraw
}

/// What a key asks the loop to do.
public enum KeyResult: Sendable, Equatable {
    case none, redraw, quit, repaint
}

/// Applies a key to the UI state (pure). `rows` are the current table rows; `pageSize` the visible rows.
public func handle(_ key: Key, ui: inout UIState, rows: [AgentRow], pageSize: Int) -> KeyResult {
    let ids = rows.map(\.id)
    let current = ui.selectedID.flatMap { ids.firstIndex(of: $0) } ?? 0
    func select(_ index: Int) -> KeyResult {
        guard !ids.isEmpty else { return .none }
        ui.selectedID = ids[min(max(0, index), ids.count - 1)]
        return .redraw
    }
    switch key {
    case .up, .char("k"): return select(current - 1)
    case .down, .char("j"): return select(current + 1)
    case .pageUp: return select(current - max(1, pageSize))
    case .pageDown: return select(current + max(1, pageSize))
    case .home, .char("g"): return select(0)
    case .end, .char("G"): return select(ids.count - 1)
    case .char("q"), .escape: return .quit
    case .redraw: return .repaint
    default: return .none
    }
}

/// The whole frame for a state, UI state and size. Pure: the console and `snapshot` both call it.
public func render(_ fleet: FleetState, ui: UIState, width: Int, height: Int, now: Date) -> Buffer {
    var buf = Buffer(width: width, height: height)
    guard width >= 20, height >= 4 else {
        buf.put("too small", x: 0, y: 0, role: .warn)
        return buf
    }
    let rows = fleet.agentRows(now: now)
    let g = ui.glyphs
    drawHeader(fleet, rows: rows, glyphs: g, into: &buf)
    let tableArea = Rect(x: 0, y: 1, width: width, height: height - 2)
    drawAgentTable(rows, ui: ui, area: tableArea, into: &buf, now: now)
    drawStatus(fleet, glyphs: g, into: &buf, y: height - 1)
    return buf
}

/// The visible rows of the table at a given height: header row excluded.
public func tablePageSize(height: Int) -> Int { max(1, height - 3) }

private func drawHeader(_ fleet: FleetState, rows: [AgentRow], glyphs g: Glyphs, into buf: inout Buffer) {
    buf.fill(role: .title, y: 0)
    var x = buf.put(" clawtop ", x: 0, y: 0, role: .title)
    let ready = fleet.nodes.filter { $0.state == "ready" }.count
    func count(_ states: HealthState...) -> Int { rows.filter { states.contains($0.health) }.count }
    // Healthy and failing always show; the other states when there are any.
    var parts = ["\(g.ok) \(count(.healthy)) healthy", "\(g.bad) \(count(.failing, .unhealthy)) failing"]
    for (state, glyph) in [(HealthState.starting, g.starting), (.missing, g.missing), (.asleep, g.idle)] where count(state) > 0 {
        parts.append("\(glyph) \(count(state)) \(state.rawValue)")
    }
    parts += ["agents \(rows.count)", "nodes \(ready)/\(fleet.nodes.count)", sanitize(fleet.endpoint)]
    for (i, part) in parts.enumerated() {
        let sep = " \(g.separator) "
        let left = buf.width - x - displayWidth(sep)
        if displayWidth(part) > left {
            // Only the last part (the endpoint) may be shortened, and only if enough of it shows.
            if i == parts.count - 1 && left >= 12 {
                x += buf.put(sep, x: x, y: 0, role: .title)
                buf.put(truncate(part, to: left, ellipsis: g.ellipsis), x: x, y: 0, role: .title)
            }
            return
        }
        x += buf.put(sep, x: x, y: 0, role: .title)
        x += buf.put(part, x: x, y: 0, role: .title)
    }
}

private func drawStatus(_ fleet: FleetState, glyphs g: Glyphs, into buf: inout Buffer, y: Int) {
    let connection: (String, Role)
    switch fleet.connection {
    case .connecting: connection = ("connecting…", .warn)
    case .live: connection = ("\(g.ok) live", .ok)
    case .reconnecting(let why): connection = ("reconnecting: \(sanitize(why))", .warn)
    case .failed(let why): connection = ("\(g.bad) \(sanitize(why))", .bad)
    }
    let hints = "j/k move  g/G top/bottom  q quit"
    let used = buf.put(" " + connection.0, x: 0, y: y, maxWidth: buf.width, role: connection.1)
    let hx = buf.width - displayWidth(hints) - 1
    if hx > used + 2 { buf.put(hints, x: hx, y: y, role: .muted) }
}
