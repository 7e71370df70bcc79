import ClawtopCore
import Foundation

/// Glyphs by terminal capability: Unicode where the locale is UTF-8, ASCII otherwise.
public struct Glyphs: Sendable, Equatable {
    public var ok, bad, warn, idle, ellipsis, separator: String
    public static let unicode = Glyphs(ok: "●", bad: "✗", warn: "▲", idle: "○", ellipsis: "…", separator: "│")
    public static let ascii = Glyphs(ok: "*", bad: "x", warn: "!", idle: "o", ellipsis: "~", separator: "|")
}

/// What the view remembers between frames: the selection and the scroll position.
public struct UIState: Sendable, Equatable {
    /// The selected service, by ID, so the selection follows it when the order changes.
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
public func handle(_ key: Key, ui: inout UIState, rows: [ServiceSummary], pageSize: Int) -> KeyResult {
    let ids = rows.map(\.service.id)
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
    let rows = fleet.summaries(now: now)
    let g = ui.glyphs
    drawHeader(fleet, rows: rows, glyphs: g, into: &buf, now: now)
    let tableArea = Rect(x: 0, y: 1, width: width, height: height - 2)
    drawTable(rows, ui: ui, area: tableArea, into: &buf, now: now)
    drawStatus(fleet, glyphs: g, into: &buf, y: height - 1)
    return buf
}

/// The visible rows of the table at a given height: header row excluded.
public func tablePageSize(height: Int) -> Int { max(1, height - 3) }

private func drawHeader(_ fleet: FleetState, rows: [ServiceSummary], glyphs g: Glyphs, into buf: inout Buffer, now: Date) {
    buf.fill(role: .title, y: 0)
    var x = buf.put(" clawtop ", x: 0, y: 0, role: .title)
    let ready = fleet.nodes.filter { $0.state == "ready" }.count
    let failing = rows.filter { $0.condition == .failing || $0.condition == .degraded || $0.condition == .paused }.count
    let running = rows.filter { $0.condition == .running }.count
    let stopped = rows.filter { $0.condition == .stopped }.count
    let parts = ["\(g.ok) \(running) running",
                 "\(g.bad) \(failing) failing",
                 "\(g.idle) \(stopped) stopped",
                 "services \(rows.count)",
                 "nodes \(ready)/\(fleet.nodes.count)",
                 sanitize(fleet.endpoint)]
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

struct Column {
    var title: String
    var width: Int
}

private func drawTable(_ rows: [ServiceSummary], ui: UIState, area: Rect, into buf: inout Buffer, now: Date) {
    let g = ui.glyphs
    // NAME first; MODE only when wide (global services are also marked `*` in REPLICAS); IMAGE and LAST ERROR
    // share what is left, and go (IMAGE first) when there is too little room to be useful.
    let showMode = area.width >= 100
    let fixed = 8 + 8 + 4 + (showMode ? 10 : 0)
    let fixedGaps = showMode ? 4 : 3
    let room = max(0, area.width - 2 - fixed - fixedGaps)
    let nameWidth = min(room, min(32, max(10, room * 45 / 100)))
    var rest = max(0, room - nameWidth)
    var imageWidth = 0, errorWidth = 0
    if rest >= 24 {
        rest -= 2
        imageWidth = min(40, rest * 2 / 5)
        errorWidth = rest - imageWidth
    } else if rest >= 9 {
        errorWidth = rest - 1
    }
    let columns = [Column(title: "NAME", width: nameWidth), Column(title: "MODE", width: showMode ? 10 : 0),
                   Column(title: "REPLICAS", width: 8), Column(title: "STATE", width: 8),
                   Column(title: "IMAGE", width: imageWidth), Column(title: "LAST ERROR", width: errorWidth),
                   Column(title: "AGE", width: 4)]
    func drawRow(_ values: [String], y: Int, roles: [Role]) {
        var x = area.x + 2
        for (i, column) in columns.enumerated() where column.width > 0 {
            buf.put(truncate(values[i], to: column.width, ellipsis: g.ellipsis), x: x, y: y, maxWidth: column.width, role: roles[i])
            x += column.width + 1
        }
    }
    drawRow(columns.map(\.title), y: area.y, roles: Array(repeating: .header, count: columns.count))
    buf.fill(role: .header, y: area.y)
    if rows.isEmpty {
        buf.put("  no services in this swarm", x: 0, y: area.y + 1, role: .muted)
        return
    }
    let visible = max(1, area.height - 1)
    let selected = ui.selectedID.flatMap { id in rows.firstIndex { $0.service.id == id } } ?? 0
    // Keep the selection on screen.
    var top = min(ui.scroll, max(0, rows.count - visible))
    if selected < top { top = selected }
    if selected >= top + visible { top = selected - visible + 1 }
    for (i, row) in rows[top..<min(rows.count, top + visible)].enumerated() {
        let y = area.y + 1 + i
        let s = row.service
        let (glyph, role) = style(row.condition, glyphs: g)
        buf.put(glyph, x: 0, y: y, role: role)
        let replicas = s.mode == .global ? "\(s.running)/\(s.desired)*" : "\(s.running)/\(s.desired)"
        let error = row.lastError.map { sanitize($0) } ?? ""
        let age = s.createdAt.map { formatAge(now.timeIntervalSince($0)) } ?? "-"
        drawRow([sanitize(s.name), s.mode.word, replicas, row.condition.word, sanitize(s.image), error, age], y: y,
                roles: [.normal, .muted, role, role, .muted, error.isEmpty ? .muted : .bad, .muted])
        if top + i == selected { buf.fill(role: .selection, y: y) }
    }
}

func style(_ c: ServiceCondition, glyphs g: Glyphs) -> (String, Role) {
    switch c {
    case .running: return (g.ok, .ok)
    case .failing: return (g.bad, .bad)
    case .degraded, .paused: return (g.warn, .warn)
    case .starting, .updating: return (g.warn, .warn)
    case .stopped: return (g.idle, .muted)
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
