import ClawtopCore
import Foundation
import Screen

/// The largest replica count `=` accepts: a typo should not start a thousand agents.
public let maxReplicas = 100

/// A key while a prompt is open: typing, Backspace, Enter to accept, Esc to cancel.
func edit(_ prompt: Prompt, key: Key, ui: inout UIState, rows: [AgentRow], logs: LogBuffer, now: Date) -> [Effect] {
    var p = prompt
    switch key {
    case .escape:
        ui.overlay = nil
        if p.purpose == .filter { ui.filter = "" }
        return []
    case .backspace:
        if !p.text.isEmpty { p.text.removeLast() }
    case .char(let c):
        if case .replicas = p.purpose {
            guard c.isASCII, c.isNumber, p.text.count < 3 else { return [] }
        } else if c.isNewline || (c.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) {
            return []
        }
        p.text.append(c)
    case .enter:
        ui.overlay = nil
        switch p.purpose {
        case .filter:
            return []
        case .search:
            if !search(&ui.logView, for: p.text, buffer: logs) && !p.text.isEmpty {
                ui.flash = Flash(text: "no match for \(p.text)", role: .warn, at: now)
            }
            return []
        case .replicaFilter:
            // The update reads the logs again with the new filter.
            ui.logView.replicaFilter = p.text.trimmingCharacters(in: .whitespaces)
            return []
        case .replicas(let agent):
            guard let row = rows.first(where: { $0.id == agent }), let service = row.summary?.service else { return [] }
            guard let n = Int(p.text), (0...maxReplicas).contains(n) else {
                ui.flash = Flash(text: "replicas must be a number from 0 to \(maxReplicas)", role: .warn, at: now)
                return []
            }
            guard n != service.desired else {
                ui.flash = Flash(text: "\(service.name) already has \(n) replica\(n == 1 ? "" : "s") wanted", role: .muted, at: now)
                return []
            }
            ui.overlay = .confirm(routed(ActionRequest(agent: agent, service: service.name, serviceID: service.id,
                                                       kind: .scale(from: service.desired, to: n), verb: .scale), row: row))
            return []
        }
    default:
        return []
    }
    ui.overlay = .prompt(p)
    if p.purpose == .filter { ui.filter = p.text }
    return []
}
