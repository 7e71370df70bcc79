import ClawtopCore
import Foundation
import Screen

/// The list of swarms (docker contexts) the `c` key opens.
public struct SwarmPicker: Sendable, Equatable {
    public var choices: [SwarmContext]
    /// The highlighted line.
    public var selected: Int
    /// The swarm on screen now.
    public var shown: String
}

/// A key while the swarm picker is open: move, Enter to switch to the highlighted swarm, Esc or q to close.
func pick(_ picker: SwarmPicker, key: Key, ui: inout UIState, now: Date) -> [Effect] {
    var p = picker
    switch command(for: key, in: .table) {
    case .up: p.selected = max(0, p.selected - 1)
    case .down: p.selected = min(p.choices.count - 1, p.selected + 1)
    case .top: p.selected = 0
    case .bottom: p.selected = p.choices.count - 1
    case .quit, .swarms:
        ui.overlay = nil
        return []
    case .details:
        ui.overlay = nil
        guard p.choices.indices.contains(p.selected) else { return [] }
        let choice = p.choices[p.selected]
        if choice.name == p.shown {
            ui.flash = Flash(text: "already showing \(choice.name)", role: .muted, at: now)
            return []
        }
        if let problem = choice.problem {
            ui.flash = Flash(text: "\(choice.name): \(problem)", role: .bad, at: now)
            return []
        }
        ui.flash = Flash(text: "switching to \(choice.name)…", role: .warn, at: now)
        return [.loadSwarm(choice.name)]
    default:
        return []
    }
    ui.overlay = .swarms(p)
    return []
}

/// The swarms to switch between, one line each: the one shown marked, its address (or why it cannot be used) and
/// its description; the highlighted line in the selection's colours.
func drawSwarmPicker(_ picker: SwarmPicker, glyphs g: Glyphs, area: Rect, into buf: inout Buffer) {
    let nameWidth = min(24, picker.choices.map { displayWidth(sanitize($0.name)) }.max() ?? 0)
    let addressWidth = min(40, picker.choices.map { displayWidth(sanitize($0.address ?? "")) }.max() ?? 0)
    func pad(_ text: String, _ width: Int) -> String {
        let t = truncate(text, to: width, ellipsis: g.ellipsis)
        return t + String(repeating: " ", count: max(0, width - displayWidth(t)))
    }
    var lines: [BoxLine] = picker.choices.enumerated().map { i, choice in
        let mark = choice.name == picker.shown ? g.ok + " " : "  "
        let name = pad(sanitize(choice.name), nameWidth)
        let selected = i == picker.selected
        var line: BoxLine = [(mark + name + "  ", selected ? .selection : .header)]
        if let problem = choice.problem {
            line.append((sanitize(problem), selected ? .selection : .bad))
        } else {
            line.append((pad(sanitize(choice.address ?? ""), addressWidth), selected ? .selection : .normal))
            if !choice.description.isEmpty { line.append(("  " + sanitize(choice.description), selected ? .selection : .muted)) }
        }
        return line
    }
    lines += [[("", .normal)], [("Enter shows it (each swarm keeps its history), Esc closes", .muted)]]
    drawBox(lines, title: "swarms", ellipsis: g.ellipsis, area: area, into: &buf)
}
