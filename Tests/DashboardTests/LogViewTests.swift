import ClawtopCore
import Screen
@testable import Dashboard
import Foundation
import Testing
import TestSupport

/// An agent's log at a fixed time: two replicas, stderr among stdout, a long line, wide characters, hostile text.
func sampleLogs() -> (LogBuffer, Date) {
    let start = Date(timeIntervalSince1970: 1_795_545_132) // 2026-11-24 18:32:12 UTC
    var logs = LogBuffer()
    let messages = [
        "[gateway] listening on ws://0.0.0.0:18789",
        "[health] GET /health 200 in 3ms",
        "[agent] session 7f3a started for telegram:4411",
        "error: upstream model timeout after 30000ms (retrying)",
        "[agent] tool call browser.open https://example.com/a/very/long/path?with=query&and=more&params=1&and=even-more-parameters-here",
        "[agent] 日本語のメッセージを受信しました 🚀 done",
        "[health] GET /ready 200 in 2ms",
        "Error: ECONNRESET while reading from provider",
    ]
    for i in 0..<24 {
        let text = messages[i % messages.count]
        logs.append(LogEntry(time: start.addingTimeInterval(Double(i) * 7.25), stream: text.lowercased().hasPrefix("error") ? .stderr : .stdout,
                             replica: i % 3 == 2 ? "2" : "1", text: text))
    }
    logs.append(LogEntry(time: nil, stream: .stdout, replica: nil, text: "a line Docker gave no time\tor replica"))
    logs.append(LogEntry(time: start.addingTimeInterval(180), stream: .stderr, replica: "2",
                         text: "\u{1B}[2J\u{1B}]0;pwned\u{07}red\u{1B}[31m alert \u{FFFD}\u{FFFD} bytes"))
    return (logs, start.addingTimeInterval(200))
}

/// The pane alone, in a buffer of its own size.
func drawPane(_ logs: LogBuffer, _ state: LogViewState, glyphs: Glyphs = .unicode, showReplica: Bool = false,
              width: Int, height: Int, now: Date) -> Buffer {
    var buf = Buffer(width: width, height: height)
    drawLogs(logs, state: state, glyphs: glyphs, showReplica: showReplica,
             area: Rect(x: 0, y: 0, width: width, height: height), into: &buf, now: now)
    return buf
}

struct LogViewFrameTests {
    static let goldens = ["logs-follow-80x10", "logs-wrap-40x12", "logs-time-replica-80x10", "logs-search-80x10", "logs-ascii-80x10"]

    @Test func followingShowsTheNewestLinesAtTheBottom() throws {
        let (logs, now) = sampleLogs()
        let buf = drawPane(logs, LogViewState(), width: 80, height: 10, now: now)
        try assertGolden(buf.text, "logs-follow-80x10")
        #expect(buf.lines[7] == " a line Docker gave no time or replica")
        #expect(buf.lines[9].hasPrefix(" following") && buf.lines[9].hasSuffix("last line 20s ago"))
        // stderr: a marker that needs no colour, and its own role.
        #expect(buf[0, 8].symbol == "▌" && buf[0, 8].role == .warn && buf[1, 8].role == .warn)
        #expect(buf[0, 7].symbol == " " && buf[1, 7].role == .normal)
    }

    @Test func wrappedLinesContinueAtTheTextColumn() throws {
        let (logs, now) = sampleLogs()
        var state = LogViewState()
        state.wrap = true
        state.timestamps = true
        jump(&state, to: 4, buffer: logs)
        let buf = drawPane(logs, state, width: 40, height: 12, now: now)
        try assertGolden(buf.text, "logs-wrap-40x12")
        #expect(buf.lines[0] == " 18:32:41 [agent] tool call browser.open")
        #expect(buf.lines[2] == "          ng/path?with=query&and=more&pa")
    }

    @Test func timestampsAndReplicas() throws {
        let (logs, now) = sampleLogs()
        var state = LogViewState()
        state.timestamps = true
        let buf = drawPane(logs, state, showReplica: true, width: 80, height: 10, now: now)
        try assertGolden(buf.text, "logs-time-replica-80x10")
        #expect(buf.lines[7].hasPrefix(" --:--:--     a line"))
        #expect(buf.lines[8].hasPrefix("▌18:35:12 [2] red alert"))
    }

    @Test func pausedSearchHighlightsEveryOccurrence() throws {
        let (logs, now) = sampleLogs()
        var state = LogViewState()
        #expect(search(&state, for: "error", buffer: logs))
        #expect(!state.follow && state.anchorTop)
        // The newest match is the top row: line 23 ("Error: ECONNRESET…").
        #expect(state.match == 23)
        #expect(previousMatch(&state, buffer: logs) && previousMatch(&state, buffer: logs))
        #expect(state.match == 15)
        let buf = drawPane(logs, state, width: 80, height: 10, now: now)
        try assertGolden(buf.text, "logs-search-80x10")
        #expect(buf.lines[0].hasPrefix("▌Error: ECONNRESET"))
        #expect(buf.lines[9].contains("/error 4/6"))
        // Every occurrence on screen, case ignored, and nothing else.
        let highlighted = (0..<buf.height - 1).flatMap { y in (0..<buf.width).filter { buf[$0, y].role == .match }.map { ($0, y) } }
        #expect(highlighted.map { buf[$0.0, $0.1].symbol }.joined() == "ErrorerrorError")
        #expect(highlighted.map(\.1) == Array(repeating: 0, count: 5) + Array(repeating: 4, count: 5) + Array(repeating: 8, count: 5))
        #expect(highlighted.first?.0 == 1)
    }

    @Test func asciiGlyphs() throws {
        let (logs, now) = sampleLogs()
        var plain = LogBuffer()
        plain.append(contentsOf: logs.entries.filter { $0.text.unicodeScalars.allSatisfy { $0.isASCII } })
        var state = LogViewState()
        state.timestamps = true
        scrollLogs(&state, by: 3, buffer: plain, page: 9)
        let buf = drawPane(plain, state, glyphs: .ascii, showReplica: true, width: 80, height: 10, now: now)
        try assertGolden(buf.text, "logs-ascii-80x10")
        #expect(buf.text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(buf.lines.contains { $0.hasPrefix("!") })
        #expect(buf.lines.contains { $0.hasSuffix("~") })
        #expect(buf.lines[9].hasPrefix(" paused"))
    }

    @Test func hostileTextIsDrawnInert() {
        let (logs, now) = sampleLogs()
        let text = drawPane(logs, LogViewState(), width: 80, height: 10, now: now).text
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) })
        #expect(text.contains("red alert \u{FFFD}\u{FFFD} bytes"))
        #expect(!text.contains("pwned") && !text.contains("[31m") && !text.contains("[2J"))
    }

    @Test func wideCharactersKeepColumnsAligned() {
        let start = Date(timeIntervalSince1970: 0)
        var logs = LogBuffer()
        for (i, text) in ["日本語 x", "🚀 x", "ab x", "日本語日本語日本語日本語日本語日本語"].enumerated() {
            logs.append(LogEntry(time: start, replica: ["1", "日本", "2", "12"][i], text: text))
        }
        var state = LogViewState()
        state.timestamps = true
        let buf = drawPane(logs, state, showReplica: true, width: 30, height: 5, now: start)
        // The replica column is as wide as the widest tag, so every text starts in the same column.
        let textColumn = 1 + 9 + displayWidth("[日本] ")
        #expect(buf[textColumn, 0].symbol == "日" && buf[textColumn, 1].symbol == "🚀" && buf[textColumn, 2].symbol == "a")
        #expect(buf[textColumn + 1, 0] == .continuation && buf[textColumn + 1, 1] == .continuation)
        // What follows a wide character lands where its width says.
        #expect(buf[textColumn + 7, 0].symbol == "x" && buf[textColumn + 3, 1].symbol == "x" && buf[textColumn + 3, 2].symbol == "x")
        // A cut line ends with the ellipsis in the last column, never half a wide character.
        #expect(buf.lines[3].hasSuffix("…") && displayWidth(buf.lines[3]) <= 30)
        #expect(buf.lines.allSatisfy { displayWidth($0) <= 30 })

        // Wrapped, a wide character that does not fit at the end of a row moves to the next one.
        state.wrap = true
        let wrapped = drawPane(logs, state, width: 15, height: 14, now: start)
        #expect(wrapped.lines == [" 00:00:00 日本", "          語 x", " 00:00:00 🚀 x", " 00:00:00 ab x",
                                  " 00:00:00 日本", "          語日", "          本語", "          日本", "          語日",
                                  "          本語", "          日本", "          語日", "          本語", " following"])
    }

    @Test func everySizeDrawsInsideItsArea() {
        let (logs, now) = sampleLogs()
        var states: [LogViewState] = [LogViewState()]
        var s = LogViewState()
        s.wrap = true
        s.timestamps = true
        states.append(s)
        search(&s, for: String(repeating: "very long query ", count: 5) + "error", buffer: logs)
        states.append(s)
        s.query = "e"
        nextMatch(&s, buffer: logs)
        states.append(s)
        let sentinel = Cell(symbol: "#", role: .title)
        let sizes = (0...12).flatMap { w in (0...5).map { h in (w, h) } } + [(1, 1)]
        for (w, h) in sizes {
            for state in states {
                for (buffer, replicas) in [(logs, true), (LogBuffer(), false)] {
                    for glyphs in [Glyphs.unicode, .ascii] {
                        var buf = Buffer(width: w + 6, height: h + 4)
                        for y in 0..<buf.height { for x in 0..<buf.width { buf[x, y] = sentinel } }
                        let area = Rect(x: 3, y: 2, width: w, height: h)
                        drawLogs(buffer, state: state, glyphs: glyphs, showReplica: replicas, area: area, into: &buf, now: now)
                        for y in 0..<buf.height {
                            for x in 0..<buf.width where !(x >= 3 && x < 3 + w && y >= 2 && y < 2 + h) {
                                #expect(buf[x, y] == sentinel, "\(w)x\(h): wrote at \(x),\(y)")
                            }
                        }
                    }
                }
            }
        }
        // An area partly or wholly off the buffer is clipped to it.
        var buf = Buffer(width: 5, height: 3)
        drawLogs(logs, state: LogViewState(), glyphs: .unicode, showReplica: true, area: Rect(x: -4, y: -1, width: 20, height: 9),
                 into: &buf, now: now)
        drawLogs(logs, state: LogViewState(), glyphs: .unicode, showReplica: true, area: Rect(x: 9, y: 9, width: 3, height: 3),
                 into: &buf, now: now)
        #expect(buf.lines.count == 3)
    }
}

struct LogViewStateTests {
    @Test func nAndNWrapAround() {
        let (logs, _) = sampleLogs()
        let matches = logs.matches("error")
        #expect(matches == [3, 7, 11, 15, 19, 23])
        var state = LogViewState()
        state.query = "error"
        // Without a current match, n starts from the bottom of the pane: the newest match.
        #expect(nextMatch(&state, buffer: logs))
        #expect(state.match == 23 && !state.follow)
        #expect(nextMatch(&state, buffer: logs))
        #expect(state.match == 3) // wrapped to the oldest
        #expect(previousMatch(&state, buffer: logs))
        #expect(state.match == 23) // and back to the newest
        for expected in [19, 15, 11, 7, 3, 23] {
            previousMatch(&state, buffer: logs)
            #expect(state.match == expected)
        }
        // No match: nothing moves.
        var none = LogViewState()
        #expect(!search(&none, for: "nowhere", buffer: logs))
        #expect(none.follow && none.match == nil && !nextMatch(&none, buffer: logs))
        // An empty query clears the search.
        #expect(!search(&state, for: "", buffer: logs))
        #expect(state.query.isEmpty && state.match == nil)
    }

    @Test func aMatchIsAlwaysOnScreen() {
        let (logs, now) = sampleLogs()
        for wrap in [false, true] {
            var state = LogViewState()
            state.wrap = wrap
            search(&state, for: "error", buffer: logs)
            for _ in 0..<7 {
                let buf = drawPane(logs, state, width: 30, height: 6, now: now)
                let onScreen = (0..<5).contains { y in (0..<30).contains { buf[$0, y].role == .match } }
                #expect(onScreen, "wrap \(wrap), match \(String(describing: state.match))")
                nextMatch(&state, buffer: logs)
            }
        }
    }

    @Test func pausedViewStaysWhileLinesArriveAndCountsThem() {
        var (logs, now) = sampleLogs()
        var state = LogViewState()
        scrollLogs(&state, by: 2, buffer: logs, page: 5)
        #expect(!state.follow && state.seenTotal == logs.appendedTotal)
        let before = drawPane(logs, state, width: 60, height: 6, now: now).lines
        // Enough new lines to fill the ring past its capacity would be the same: positions are line numbers.
        logs.append(contentsOf: (0..<3).map { LogEntry(time: now, text: "new \($0)") })
        let after = drawPane(logs, state, width: 60, height: 6, now: now).lines
        #expect(after.dropLast() == before.dropLast())
        #expect(after.last?.hasPrefix(" paused, 3 new") == true)
        // Scrolling down reaches the new lines and stops at the newest.
        scrollLogs(&state, by: -100, buffer: logs, page: 5)
        #expect(drawPane(logs, state, width: 60, height: 6, now: now).lines[4] == " new 2")
        #expect(!state.follow)
        jumpToEnd(&state)
        #expect(state.follow)
        // f pauses and resumes.
        toggleFollow(&state, buffer: logs)
        #expect(!state.follow && state.seenTotal == logs.appendedTotal && state.offset == 0)
        toggleFollow(&state, buffer: logs)
        #expect(state.follow)
        // Scrolling down while following changes nothing.
        scrollLogs(&state, by: -1, buffer: logs, page: 5)
        #expect(state == { var s = LogViewState(); s.seenTotal = state.seenTotal; return s }())
    }

    @Test func scrollingStopsWithThePaneFull() {
        let (logs, now) = sampleLogs()
        var state = LogViewState()
        scrollLogs(&state, by: 1_000, buffer: logs, page: 5)
        let top = drawPane(logs, state, width: 60, height: 6, now: now).lines
        #expect(top[0] == " [gateway] listening on ws://0.0.0.0:18789")
        #expect(top[4] == " [agent] tool call browser.open https://example.com/a/very/…")
        // One step down from the top moves the pane at once.
        scrollLogs(&state, by: -1, buffer: logs, page: 5)
        #expect(drawPane(logs, state, width: 60, height: 6, now: now).lines[0] == " [health] GET /health 200 in 3ms")
        // g then k: still the top.
        jump(&state, to: 0, buffer: logs)
        scrollLogs(&state, by: 3, buffer: logs, page: 5)
        #expect(drawPane(logs, state, width: 60, height: 6, now: now).lines[0] == top[0])
        // A jump near the end keeps the pane full.
        jump(&state, to: logs.count - 1, buffer: logs)
        #expect(drawPane(logs, state, width: 60, height: 6, now: now).lines[4].hasPrefix("▌red alert"))
    }

    @Test func withWrapEveryLineCanBeScrolledTo() {
        var logs = LogBuffer()
        logs.append(contentsOf: (0..<12).map { LogEntry(text: "line \($0) " + String(repeating: "long ", count: 8)) })
        var state = LogViewState()
        state.wrap = true
        func shown() -> String { drawPane(logs, state, width: 20, height: 6, now: Date()).text }
        scrollLogs(&state, by: 100, buffer: logs, page: 5)
        #expect(shown().hasPrefix(" line 0 "))
        scrollLogs(&state, by: -100, buffer: logs, page: 5)
        #expect(shown().contains(" line 11 "))
        // From a line on top (a search, a jump), too.
        jump(&state, to: 0, buffer: logs)
        scrollLogs(&state, by: -100, buffer: logs, page: 5)
        #expect(shown().contains(" line 11 "))
        scrollLogs(&state, by: 100, buffer: logs, page: 5)
        #expect(shown().hasPrefix(" line 0 "))
    }

    @Test func jumpSinceTheLastRestartPutsThatLineOnTop() throws {
        let (logs, now) = sampleLogs()
        let restart = Date(timeIntervalSince1970: 1_795_545_132 + 100)
        let index = try #require(logs.firstIndex(since: restart))
        #expect(index == 14)
        var state = LogViewState()
        jump(&state, to: index, buffer: logs)
        #expect(!state.follow && state.anchorTop)
        let lines = drawPane(logs, state, width: 80, height: 6, now: now).lines
        #expect(lines[0] == " [health] GET /ready 200 in 2ms")
        #expect(lines[5].hasPrefix(" paused"))
    }
}
