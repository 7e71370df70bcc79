import ClawtopCore
import Dashboard
import Screen
import Foundation

/// Frames for 10, 100 and 1,000 agents at 200×60, in the full layout (the table and the first agent's logs).
/// Baseline: a buffer of the same size filled with 60 lines of 200 characters, the least any frame costs.
func renderBench() -> [Result] {
    let now = Date()
    let line = String(repeating: "x", count: 200)
    let baseline = median(runs: 200) {
        var buffer = Buffer(width: 200, height: 60)
        for y in 0..<60 { buffer.put(line, x: 0, y: y) }
        blackHole(buffer)
    }
    var results = [Result(section: "Render", measure: "baseline: fill a 200×60 buffer", value: format(seconds: baseline),
                          ratio: "1×", target: "", met: nil)]
    for count in [10, 100, 1000] {
        var state = syntheticFleet(agents: count, now: now)
        let ui = firstAgentsLogs()
        var i = 0
        // Each frame after a new sample, as the console draws after each probe result.
        let time = median(runs: count == 1000 ? 50 : 200) {
            i += 1
            sample(&state, agent: i % count, ok: true, at: now + Double(i))
            blackHole(render(state, ui: ui, width: 200, height: 60, now: now + Double(i)))
        }
        results.append(Result(section: "Render", measure: "\(count) agents: state → buffer", value: format(seconds: time),
                              ratio: String(format: "%.1f×", time / baseline), target: count == 1000 ? "< 1 ms" : "",
                              met: count == 1000 ? time < 0.001 : nil))
    }
    return results
}

/// The full layout with the first agent selected and its logs in the pane.
func firstAgentsLogs() -> UIState {
    var ui = UIState()
    ui.selectedID = "agent-0"
    ui.pane = .logs
    return ui
}

/// Keeps a value alive so the optimiser cannot drop the work that made it.
@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
