import ClawtopCore
import Dashboard
import Foundation

/// Bytes curses sends to a real pty at 120×40 (full layout: the table and the selected agent's logs), and the time
/// of a whole frame (state → buffer → curses → pty) for 1,000 agents at 200×60.
func terminalBench() throws -> [Result] {
    let now = Date()
    var results: [Result] = []
    do {
        let pty = try PtyTerminal(width: 120, height: 40)
        defer { pty.close() }
        var state = syntheticFleet(agents: 100, now: now)
        let ui = firstAgentsLogs()
        func frame() -> Int { pty.draw(render(state, ui: ui, width: 120, height: 40, now: now)) }
        let first = frame()
        results.append(Result(section: "Bytes to a 120×40 pty", measure: "first frame", value: format(bytes: Double(first)),
                              ratio: "1× (baseline)", target: "", met: nil))
        // The first row (the most urgent agent) fails once more: its row changes in place.
        let top = visibleRows(state, ui: ui, now: now)[0].id
        let index = Int(top.split(separator: "-").last!)!
        sample(&state, agent: index, ok: false, at: now)
        let inPlace = frame()
        results.append(Result(section: "Bytes to a 120×40 pty", measure: "one agent changes health, row stays",
                              value: format(bytes: Double(inPlace)), ratio: String(format: "%.3f×", Double(inPlace) / Double(first)),
                              target: "< 100 B", met: inPlace < 100))
        // A healthy agent on screen starts failing: it moves to the top, the rows above it shift down.
        let healthy = visibleRows(state, ui: ui, now: now).first { $0.health == .healthy }!.id
        sample(&state, agent: Int(healthy.split(separator: "-").last!)!, ok: false, at: now)
        let moved = frame()
        results.append(Result(section: "Bytes to a 120×40 pty", measure: "one agent turns failing, row moves to the top",
                              value: format(bytes: Double(moved)), ratio: String(format: "%.3f×", Double(moved) / Double(first)),
                              target: "< 100 B", met: moved < 100))
        for i in 0..<50 { sample(&state, agent: 50 + i, ok: true, at: now + 1) }
        let strips = frame()
        results.append(Result(section: "Bytes to a 120×40 pty", measure: "a new sample on 50 history strips",
                              value: format(bytes: Double(strips)), ratio: String(format: "%.3f×", Double(strips) / Double(first)),
                              target: "< 0.5× first frame", met: Double(strips) < Double(first) / 2))
        reduce(&state, .logs(.lines(service: "openclaw_agent-0", [LogEntry(time: now, stream: .stdout, replica: "1",
                                                                          text: "[gateway] → slack #support: reply sent")])))
        let log = frame()
        results.append(Result(section: "Bytes to a 120×40 pty", measure: "a log line arrives", value: format(bytes: Double(log)),
                              ratio: String(format: "%.3f×", Double(log) / Double(first)), target: "", met: nil))
    }
    do {
        let pty = try PtyTerminal(width: 200, height: 60)
        defer { pty.close() }
        var model = consoleModel(agents: 1000, width: 200, height: 60, now: now)
        var i = 0
        let time = median(runs: 50) {
            i += 1
            pty.console.draw(frameAfterProbe(&model, agent: i % 1000, at: now + 0.05 * Double(i)))
        }
        results.append(Result(section: "Render", measure: "1000 agents: state → buffer → curses → pty",
                              value: format(seconds: time), ratio: "", target: "< 1 ms", met: time < 0.001))
    }
    return results
}
