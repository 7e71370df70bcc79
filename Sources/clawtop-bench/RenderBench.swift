import ClawtopCore
import Dashboard
import Screen
import Foundation

/// Frames for 10, 100 and 1,000 agents at 200×60, in the full layout (the table and the first agent's logs), the way
/// the console makes them: a probe result through `update`, the frame's tick, then `view`, 50 ms apart (the most
/// frames a second background messages bring). Every row is derived anew once a second; that frame is measured
/// apart. Baseline: a buffer of the same size filled with 60 lines of 200 characters, the least any frame costs.
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
        var model = consoleModel(agents: count, width: 200, height: 60, now: now)
        var i = 0
        let time = median(runs: count == 1000 ? 50 : 200) {
            i += 1
            blackHole(frameAfterProbe(&model, agent: i % count, at: now + 0.05 * Double(i)))
        }
        results.append(Result(section: "Render", measure: "\(count) agents: state → buffer", value: format(seconds: time),
                              ratio: String(format: "%.1f×", time / baseline), target: count == 1000 ? "< 1 ms" : "",
                              met: count == 1000 ? time < 0.001 : nil))
        guard count == 1000 else { continue }
        let full = median(runs: 20) {
            i += 1
            blackHole(frameAfterProbe(&model, agent: i % count, at: now + Double(i)))
        }
        results.append(Result(section: "Render", measure: "1000 agents, every row derived anew (once a second)",
                              value: format(seconds: full), ratio: String(format: "%.1f×", full / baseline), target: "", met: nil))
    }
    return results
}

/// The console's model of a synthetic fleet, after its first frame.
func consoleModel(agents count: Int, width: Int, height: Int, now: Date) -> ConsoleModel {
    var model = ConsoleModel(fleet: syntheticFleet(agents: count, now: now), ui: firstAgentsLogs(), width: width,
                             height: height, now: now)
    _ = update(&model, .tick, now: now)
    return model
}

/// A healthy probe result of agent `i` at `time`, and the frame the console draws after it.
func frameAfterProbe(_ model: inout ConsoleModel, agent i: Int, at time: Date) -> Buffer {
    _ = update(&model, .fleet(probe(agent: i, ok: true, at: time)), now: time)
    _ = update(&model, .tick, now: time)
    return view(model)
}

/// The full layout with the first agent selected and its logs in the pane, which has the keys.
func firstAgentsLogs() -> UIState {
    var ui = UIState()
    ui.selectedID = "agent-0"
    ui.pane = .logs
    ui.focus = .pane
    return ui
}

/// Keeps a value alive so the optimiser cannot drop the work that made it.
@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
