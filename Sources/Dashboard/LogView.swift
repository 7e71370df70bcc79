import ClawtopCore
import Screen
import Foundation

/// How the logs pane looks at its `LogBuffer`: following the newest line or paused at a line, the search, and the
/// display toggles. Positions are line numbers (`LogBuffer.firstSequence + index`), so a paused view and the current
/// match stay put while new lines arrive and old ones drop out of the ring.
public struct LogViewState: Sendable, Equatable {
    /// Stick to the newest line.
    public var follow = true
    /// While paused: the anchored line, counted in lines up from the newest line when the view paused
    /// (`seenTotal - 1`); negative once scrolled down into lines that arrived since.
    public var offset = 0
    /// While paused: the anchored line is the top row of the pane (after a jump or a search), else the bottom row.
    public var anchorTop = false
    /// Long lines continue on the following rows, else they are cut with an ellipsis.
    public var wrap = false
    /// Each line starts with the time Docker received it, `HH:mm:ss` in UTC.
    public var timestamps = false
    /// The search, matched without regard to case; empty for none.
    public var query = ""
    /// The current match, as a line number.
    public var match: Int?
    /// `LogBuffer.appendedTotal` when the view paused: the lines after it are new.
    public var seenTotal = 0
    /// Only the lines of the replicas whose label (`2@wk1`) contains this: a node (`@wk1`) or a replica (`2@`);
    /// empty for all.
    public var replicaFilter = ""

    public init() {}

    /// The index of the anchored line while paused, clamped to the lines held (-1 when there are none).
    func anchorIndex(_ logs: LogBuffer) -> Int {
        min(max(seenTotal - 1 - offset - logs.firstSequence, 0), logs.count - 1)
    }

    /// The index of the current match, if its line is still held.
    func matchIndex(_ logs: LogBuffer) -> Int? {
        guard let match else { return nil }
        let index = match - logs.firstSequence
        return index >= 0 && index < logs.count ? index : nil
    }

    /// Pauses (remembering how many lines had arrived) with the line at `index` anchored at the top or bottom row.
    mutating func pause(at index: Int, top: Bool, logs: LogBuffer) {
        if follow {
            follow = false
            seenTotal = logs.appendedTotal
        }
        anchorTop = top
        offset = seenTotal - 1 - (logs.firstSequence + index)
    }
}

/// The rows of log text in a logs pane `height` rows high: the last row is the footer once there are two.
public func logTextRows(height: Int) -> Int { height >= 2 ? height - 1 : max(0, height) }

/// Scrolls by `lines` lines: positive towards older lines (up), negative towards newer ones. Scrolling up pauses
/// following. `page` is the pane's text rows (`logTextRows`): without wrap, scrolling stops where the first or the
/// last line reaches the edge of the pane. With wrap a line may take several rows, so it goes on to the first or
/// last line itself (the pane stays full and still), so that every line can be reached.
public func scrollLogs(_ state: inout LogViewState, by lines: Int, buffer logs: LogBuffer, page: Int) {
    guard !logs.isEmpty, lines != 0, !(state.follow && lines < 0) else { return }
    let last = logs.count - 1
    if state.follow || !state.anchorTop {
        let bottom = state.follow ? last : state.anchorIndex(logs)
        let lowest = state.wrap ? 0 : min(logs.count, max(1, page)) - 1
        state.pause(at: clamp(max(bottom, lowest) - lines, lowest, last), top: false, logs: logs)
    } else {
        let highest = state.wrap ? last : max(0, logs.count - max(1, page))
        state.pause(at: clamp(min(state.anchorIndex(logs), highest) - lines, 0, highest), top: true, logs: logs)
    }
}

/// `f`: pauses at what the pane shows, or follows again.
public func toggleFollow(_ state: inout LogViewState, buffer logs: LogBuffer) {
    if state.follow {
        state.follow = false
        state.seenTotal = logs.appendedTotal
        state.offset = 0
        state.anchorTop = false
    } else {
        jumpToEnd(&state)
    }
}

/// `G`, End: follows the newest line again.
public func jumpToEnd(_ state: inout LogViewState) {
    state.follow = true
    state.offset = 0
    state.anchorTop = false
}

/// Pauses with the line at `index` on the top row: `g` (index 0), or "since the last restart"
/// (`LogBuffer.firstIndex(since:)` with the current task's start).
public func jump(_ state: inout LogViewState, to index: Int, buffer logs: LogBuffer) {
    guard !logs.isEmpty else { return }
    state.pause(at: clamp(index, 0, logs.count - 1), top: true, logs: logs)
}

/// Sets the search (an empty query clears it) and moves to the match nearest to what the pane shows: the newest one
/// at or above its bottom line, or when it is anchored at its top line, the first one at or below that; wrapping
/// around. Returns whether anything matches.
@discardableResult
public func search(_ state: inout LogViewState, for query: String, buffer logs: LogBuffer) -> Bool {
    state.query = query
    state.match = nil
    let matches = logs.matches(query)
    guard !matches.isEmpty else { return false }
    let target: Int
    if !state.follow && state.anchorTop {
        let top = state.anchorIndex(logs)
        target = matches.first { $0 >= top } ?? matches[0]
    } else {
        let bottom = state.follow ? logs.count - 1 : state.anchorIndex(logs)
        target = matches.last { $0 <= bottom } ?? matches[matches.count - 1]
    }
    show(match: target, &state, logs: logs)
    return true
}

/// `n`: moves to the next match below the current one (newer), wrapping around to the oldest; pauses following and
/// puts the match on the top row. Without a current match it acts as `search` does. Returns whether anything matches.
@discardableResult
public func nextMatch(_ state: inout LogViewState, buffer logs: LogBuffer) -> Bool {
    guard let current = state.matchIndex(logs) else { return search(&state, for: state.query, buffer: logs) }
    let matches = logs.matches(state.query)
    guard let target = matches.first(where: { $0 > current }) ?? matches.first else { return false }
    show(match: target, &state, logs: logs)
    return true
}

/// `N`: moves to the previous match above the current one (older), wrapping around to the newest; otherwise as
/// `nextMatch`.
@discardableResult
public func previousMatch(_ state: inout LogViewState, buffer logs: LogBuffer) -> Bool {
    guard let current = state.matchIndex(logs) else { return search(&state, for: state.query, buffer: logs) }
    let matches = logs.matches(state.query)
    guard let target = matches.last(where: { $0 < current }) ?? matches.last else { return false }
    show(match: target, &state, logs: logs)
    return true
}

private func show(match index: Int, _ state: inout LogViewState, logs: LogBuffer) {
    state.match = logs.firstSequence + index
    state.pause(at: index, top: true, logs: logs)
}

private func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { min(max(value, low), high) }

/// Draws the logs pane into `area`: the lines that `state` looks at, bottom-aligned, then a footer on the last row
/// (following or paused with the count of new lines, the search and its position, the age of the newest line).
///
/// Each line is: a marker column (`▌`, `!` in ASCII, for stderr, whose text is drawn as `.warn`), the time
/// (`HH:mm:ss` UTC, `--:--:--` when unknown) if `state.timestamps`, the replica as `[1]` if `showReplica`, then the
/// text with control and escape sequences removed, matches of the search drawn as `.match`. Columns are counted
/// with `displayWidth`, so wide characters never shift what follows; nothing is drawn outside `area`.
public func drawLogs(_ logs: LogBuffer, state: LogViewState, glyphs: Glyphs, showReplica: Bool, area: Rect,
                     into buf: inout Buffer, now: Date) {
    let x0 = max(area.x, 0), y0 = max(area.y, 0)
    let x1 = min(area.x + area.width, buf.width), y1 = min(area.y + area.height, buf.height)
    guard x1 > x0, y1 > y0 else { return }
    for y in y0..<y1 { for x in x0..<x1 { buf[x, y] = .blank } }
    let width = x1 - x0, rows = logTextRows(height: y1 - y0)

    let lines = shownLines(logs, state: state, glyphs: glyphs, showReplica: showReplica, width: width, rows: rows)
    for (i, row) in lines.enumerated() {
        var x = x0
        for span in row { x += buf.put(span.text, x: x, y: y0 + rows - lines.count + i, maxWidth: x1 - x, role: span.role) }
    }
    if y1 - y0 >= 2 { drawFooter(logs, state: state, glyphs: glyphs, x: x0, y: y1 - 1, width: width, into: &buf, now: now) }
}

/// A run of text in one role.
private struct Span {
    var text: String
    var role: Role
    init(_ text: String, _ role: Role) {
        self.text = text
        self.role = role
    }
}

/// The rows the pane shows, top to bottom, at most `rows`.
private func shownLines(_ logs: LogBuffer, state: LogViewState, glyphs: Glyphs, showReplica: Bool, width: Int,
                         rows: Int) -> [[Span]] {
    guard !logs.isEmpty, rows > 0 else { return [] }
    let query = Array(state.query.lowercased()).map(String.init)
    func layout(_ range: ClosedRange<Int>) -> LineLayout {
        let tag = showReplica ? range.map { replicaTag(logs[$0]).map(displayWidth) ?? 0 }.max() ?? 0 : 0
        return LineLayout(width: width, glyphs: glyphs, timestamps: state.timestamps, replicaWidth: tag,
                          wrap: state.wrap, query: query)
    }
    // Rows ending with the line at `bottom`, going up; rows starting with the line at `top`, going down.
    func up(from bottom: Int) -> [[Span]] {
        let layout = layout(max(0, bottom - rows + 1)...bottom)
        var out: [[Span]] = []
        var i = bottom
        while i >= 0 && out.count < rows {
            out.insert(contentsOf: layout.rows(for: logs[i]).suffix(rows - out.count), at: 0)
            i -= 1
        }
        return out
    }
    func down(from top: Int) -> [[Span]] {
        let layout = layout(top...min(logs.count - 1, top + rows - 1))
        var out: [[Span]] = []
        var i = top
        while i < logs.count && out.count < rows {
            out += layout.rows(for: logs[i]).prefix(rows - out.count)
            i += 1
        }
        return out
    }
    let last = logs.count - 1
    if state.follow { return up(from: last) }
    let anchor = state.anchorIndex(logs)
    if state.anchorTop {
        let shown = down(from: anchor)
        return shown.count < rows ? up(from: last) : shown // near the end: keep the pane full
    }
    let shown = up(from: anchor)
    return shown.count < rows && anchor < last ? down(from: 0) : shown // near the start: keep the pane full
}

/// `[1]`, `[2@wk1]`: the replica (and its node), sanitized and at most 16 columns.
private func replicaTag(_ entry: LogEntry) -> String? {
    entry.replica.map { "[" + truncate(sanitize($0), to: 16, ellipsis: "") + "]" }
}

/// How lines are laid out in one frame.
private struct LineLayout {
    let width: Int
    let glyphs: Glyphs
    let timestamps: Bool
    /// The widest replica tag among the lines around (0 for no replica column), so the text column is the same on
    /// every row.
    let replicaWidth: Int
    let wrap: Bool
    /// The search, lowercased, one string per character.
    let query: [String]

    /// The rows of one line: one, or with `wrap` as many as its text needs (continuations start at the text column).
    func rows(for entry: LogEntry) -> [[Span]] {
        let base: Role = entry.stream == .stderr ? .warn : .normal
        var prefix = [entry.stream == .stderr ? Span(glyphs == .ascii ? "!" : "▌", .warn) : Span(" ", .normal)]
        if timestamps { prefix.append(Span(clock(entry.time) + " ", .muted)) }
        if replicaWidth > 0 {
            let tag = replicaTag(entry) ?? ""
            prefix.append(Span(tag + String(repeating: " ", count: replicaWidth - displayWidth(tag) + 1), .muted))
        }
        let indent = prefix.reduce(0) { $0 + displayWidth($1.text) }
        let room = width - indent
        guard room > 0 else { return [prefix] }

        // The text's characters that take columns, with their widths. Without wrap only the first `room` columns
        // can show: one more character decides on the ellipsis, and a match that starts inside them ends before
        // `room + query.count`.
        let most = wrap ? Int.max : room + max(1, query.count)
        var cells: [(char: Character, width: Int)] = []
        for char in sanitize(entry.text) {
            let width = displayWidth(char)
            if width == 0 { continue }
            cells.append((char, width))
            if cells.count >= most { break }
        }
        let roles = highlight(cells.map(\.char), base: base)

        var rows: [[Span]] = []
        var row = prefix
        var used = 0
        func add(_ i: Int) {
            if row.last?.role == roles[i] {
                row[row.count - 1].text.append(cells[i].char)
            } else {
                row.append(Span(String(cells[i].char), roles[i]))
            }
            used += cells[i].width
        }
        if wrap {
            for i in cells.indices where cells[i].width <= room { // a wide character never fits one column
                if used + cells[i].width > room {
                    rows.append(row)
                    row = [Span(String(repeating: " ", count: indent), .normal)]
                    used = 0
                }
                add(i)
            }
            return rows + [row]
        }
        let cut = cells.reduce(0) { $0 + $1.width } > room
        let limit = cut ? room - displayWidth(glyphs.ellipsis) : room
        for i in cells.indices {
            if used + cells[i].width > limit { break }
            add(i)
        }
        if cut { row.append(Span(glyphs.ellipsis, base)) }
        return [row]
    }

    /// The role of each character: `.match` inside an occurrence of the query, else `base`.
    private func highlight(_ chars: [Character], base: Role) -> [Role] {
        var roles = Array(repeating: base, count: chars.count)
        guard !query.isEmpty, chars.count >= query.count else { return roles }
        let lower = chars.map { String($0).lowercased() }
        var i = 0
        while i <= lower.count - query.count {
            if (0..<query.count).allSatisfy({ lower[i + $0] == query[$0] }) {
                for j in i..<(i + query.count) { roles[j] = .match }
                i += query.count
            } else {
                i += 1
            }
        }
        return roles
    }
}

/// `HH:mm:ss` in UTC, or `--:--:--`.
private func clock(_ time: Date?) -> String {
    guard let time else { return "--:--:--" }
    let seconds = Int(time.timeIntervalSince1970.rounded(.down)) % 86_400
    let s = seconds < 0 ? seconds + 86_400 : seconds
    return String(format: "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
}

/// The last row: following or paused (with the lines that arrived since), the search and its position, and on the
/// right the age of the newest line.
private func drawFooter(_ logs: LogBuffer, state: LogViewState, glyphs: Glyphs, x: Int, y: Int, width: Int,
                        into buf: inout Buffer, now: Date) {
    var spans: [Span]
    if state.follow {
        spans = [Span(" following", .ok)]
    } else {
        let new = max(0, logs.appendedTotal - state.seenTotal)
        spans = [Span(new > 0 ? " paused, \(new) new" : " paused", .warn)]
    }
    if !state.query.isEmpty {
        let matches = logs.matches(state.query)
        spans.append(Span("  /" + truncate(sanitize(state.query), to: max(1, width / 3), ellipsis: glyphs.ellipsis) + " ",
                          .normal))
        if matches.isEmpty {
            spans.append(Span("no match", .bad))
        } else if let current = state.matchIndex(logs), let position = matches.firstIndex(of: current) {
            spans.append(Span("\(position + 1)/\(matches.count)", .muted))
        } else {
            spans.append(Span("\(matches.count) \(matches.count == 1 ? "match" : "matches")", .muted))
        }
    }
    var used = 0
    for span in spans { used += buf.put(span.text, x: x + used, y: y, maxWidth: width - used, role: span.role) }
    guard let newest = logs.isEmpty ? nil : logs[logs.count - 1].time else { return }
    let age = "last line \(formatAge(now.timeIntervalSince(newest))) ago "
    let ageX = width - displayWidth(age)
    if ageX > used + 2 { buf.put(age, x: x + ageX, y: y, role: .muted) }
}
