import ClawtopCore
import Foundation
import Screen

/// What the console reacts to.
public enum ConsoleEvent: Sendable, Equatable {
    case key(Key)
    /// A message from a source: the Docker side, the health prober, the log follower, an action's outcome.
    case fleet(Message)
    /// The clock moved: sent before each frame, at least once a second, so values that age are current.
    case tick
    case resize(width: Int, height: Int)
}

/// What the console asks of the world; the executable carries it out, and what comes of it returns as messages.
public enum Effect: Sendable, Equatable {
    /// Run a confirmed action; its outcome comes back as `.action`.
    case perform(ActionRequest)
    /// Follow the logs of this service from now on, stopping any other; nil follows none.
    case followLogs(service: String?)
    /// Probe these agents from now on.
    case setProbeTargets([ProbeTarget])
    /// Ring the terminal's bell: an action the operator confirmed has failed.
    case bell
    /// Paint the whole screen again (Ctrl-L).
    case repaint
    case quit
}

/// Applies an event to the model and says what the world should do about it. Pure: the console loop, `snapshot`
/// and the tests all go through it.
public func update(_ model: inout ConsoleModel, _ event: ConsoleEvent, now: Date) -> [Effect] {
    model.now = now
    var effects: [Effect]
    switch event {
    case .key(let key):
        model.refreshRows()
        effects = handle(key, ui: &model.ui, rows: visibleRows(model.rows, ui: model.ui),
                         pageSize: tablePageSize(height: model.height), logs: model.fleet.logs, now: now)
    case .fleet(let message):
        return apply(message, to: &model)
    case .tick:
        effects = []
    case .resize(let width, let height):
        model.width = width
        model.height = height
        effects = []
    }
    // What the screen shows may have changed (and the rows may be a second old): follow the logs it shows, and
    // only those.
    model.refreshRows()
    let wanted = logsWanted(model.rows, ui: model.ui, width: model.width, height: model.height)
    if wanted != model.followedLogs {
        model.followedLogs = wanted
        model.fleet.showLogs(of: wanted)
        model.ui.logView = LogViewState()
        effects.append(.followLogs(service: wanted))
    }
    return effects
}

/// A source's message: reduced into the fleet, with what follows from it.
private func apply(_ message: Message, to model: inout ConsoleModel) -> [Effect] {
    switch message {
    case .logLines(let service, _), .logStatus(let service, _):
        // A batch that was under way when the logs shown changed belongs to a stream already left.
        guard service == model.followedLogs else { return [] }
        reduce(&model.fleet, message)
        return []
    case .action(let outcome):
        reduce(&model.fleet, message)
        model.rowsChanged()
        return outcome.ok ? [] : [.bell]
    case .probe(let agent, _, _):
        reduce(&model.fleet, message)
        model.refreshRow(of: agent)
        return []
    case .event, .connection:
        reduce(&model.fleet, message)
        return []
    default:
        reduce(&model.fleet, message)
        model.rowsChanged()
        guard message.changesAgents else { return [] }
        let targets = model.fleet.probeTargets
        guard targets != model.probeTargets else { return [] }
        model.probeTargets = targets
        return [.setProbeTargets(targets)]
    }
}

/// The frame for the model: what the console draws and `snapshot` prints.
public func view(_ model: ConsoleModel) -> Buffer {
    render(model.fleet, agentRows: model.rowsFresh ? model.rows : nil, ui: model.ui, width: model.width,
           height: model.height, now: model.now)
}
