import ClawtopCore
import Foundation
import Screen

/// What the console reacts to.
public enum ConsoleEvent: Sendable, Equatable {
    case key(Key)
    /// A message from a source: the Docker side, the health prober, the log follower, an action's outcome.
    case fleet(Message)
    /// The same, from the sources of the swarm with this name: applied when it is the one shown, kept in its parked
    /// state when it is not (an action's outcome that arrives after a switch), dropped otherwise.
    case swarmMessage(String, Message)
    /// The clock moved: sent before each frame, at least once a second, so values that age are current.
    case tick
    case resize(width: Int, height: Int)
    /// The swarms to choose from (the docker contexts), for the picker.
    case swarms([SwarmContext])
    /// The swarm asked for (`Effect.loadSwarm`) has been read: its first read, and the name the header gives it.
    case swarmLoaded(name: String, endpoint: String, [Message])
    /// The swarm asked for could not be read; the one shown stays.
    case swarmFailed(name: String, reason: String)
    /// Something the operator should know that is no source's state (a `--notify` command failed).
    case notice(String)
    /// Another recorder holds the history's lease now (this one was taken for dead): the recorder stops.
    case recorderReplaced(String)
}

/// What the console asks of the world; the executable carries it out, and what comes of it returns as messages.
public enum Effect: Sendable, Equatable {
    /// Run a confirmed action; its outcome comes back as `.action`.
    case perform(ActionRequest)
    /// Follow the logs of this service from now on, stopping any other; nil follows none.
    case followLogs(service: String?)
    /// Probe these agents from now on.
    case setProbeTargets([ProbeTarget])
    /// Read this service's containers more often than the others (the selected agent's; nil for none).
    case focusUsage(service: String?)
    /// Ring the terminal's bell: an action the operator confirmed has failed, or an alert (`--bell`).
    case bell
    /// Run the `--notify` command for each of these alerts, of the swarm with this endpoint.
    case notify([Transition], swarm: String)
    /// A probe's result, for the history on disk.
    case recordProbe(agent: String, url: String, sample: HealthSample)
    /// Agents changed state: for the history on disk.
    case recordTransitions([Transition])
    /// What services consumed: for the history on disk.
    case recordUsage([UsagePoint])
    /// The recorder is alive, and the fleet stands so (what `status` prints while it lives).
    case heartbeat(StatusReport)
    /// A line for the operator where the run writes such lines (the recorder's standard error).
    case say(String)
    /// Find the shell to open in this replica's container; it comes back as `.exec(.shellReady)` or `.shellRefused`.
    case openShell(ExecTarget)
    /// Leave the terminal to this `docker exec -it` until it exits; how it ended comes back as `.exec(.shellEnded)`.
    case stepAside(ExecTarget, DockerCommand)
    /// Run the agent's status command in this replica's container; its output comes back as `.exec(.output)`.
    case runStatus(ExecTarget)
    /// Paint the whole screen again (Ctrl-L).
    case repaint
    /// List the swarms (docker contexts); they come back as `.swarms`.
    case listSwarms
    /// Connect to this swarm and read it, while the one shown goes on; it comes back as `.swarmLoaded` or `.swarmFailed`.
    case loadSwarm(String)
    /// The swarm loaded last is shown now: its sources feed the console from here on, the old swarm's stop.
    case showSwarm(String)
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
        let replicaFilter = model.ui.logView.replicaFilter
        effects = handle(key, ui: &model.ui, rows: visibleRows(model.rows, ui: model.ui),
                         pageSize: tablePageSize(height: model.height),
                         logs: model.ui.pane == .output ? model.fleet.execLines : model.fleet.logs,
                         shown: Shown(fleet: model.fleet, agentRows: model.rows), now: now)
        for case .loadSwarm(let name) in effects { model.switching = name }
        if model.ui.logView.replicaFilter != replicaFilter, let service = model.fleet.logService,
           logsWanted(model.rows, ui: model.ui, width: model.width, height: model.height) == service {
            // The logs of one node or replica: read again, from the last lines of each task, keeping only theirs.
            model.fleet.showLogs(of: service)
            var view = LogViewState()
            view.replicaFilter = model.ui.logView.replicaFilter
            model.ui.logView = view
            effects += [.followLogs(service: nil), .followLogs(service: service)]
        }
    case .fleet(let message):
        return apply(message, to: &model)
    case .swarmMessage(let name, let message):
        if name == model.swarm { return apply(message, to: &model) }
        if model.parked[name] != nil { reduce(&model.parked[name]!, message) }
        return []
    case .swarms(let choices):
        guard !choices.isEmpty else {
            model.ui.flash = Flash(text: "no docker contexts to switch to", role: .muted, at: now)
            return []
        }
        let shown = choices.firstIndex { $0.name == model.swarm } ?? 0
        model.ui.overlay = .swarms(SwarmPicker(choices: choices, selected: shown, shown: model.swarm))
        effects = []
    case .swarmLoaded(let name, let endpoint, let messages):
        guard name == model.switching else { return [] }
        effects = show(name, endpoint: endpoint, messages, in: &model)
    case .swarmFailed(let name, let reason):
        guard name == model.switching else { return [] }
        model.switching = nil
        model.ui.flash = Flash(text: "cannot switch to \(name): \(reason)", role: .bad, at: now)
        effects = [.bell]
    case .notice(let text):
        guard model.historyDuty != .record else { return [.say(text)] }
        model.ui.flash = Flash(text: text, role: .warn, at: now)
        effects = []
    case .recorderReplaced(let why):
        model.stopped = why
        return [.quit]
    case .tick:
        // Before each frame (and each second without one): a wake Warren said it took but did not, and what changed
        // state since the last look.
        for agent in model.fleet.ignoredWakes(now: now) {
            model.ui.flash = Flash(text: "Warren has not woken \(sanitize(agent)): \(FleetState.ignoredWakeWhy) (w to try again)",
                                   role: .warn, at: now)
        }
        model.refreshRows()
        effects = noted(model.fleet.noteTransitions(rows: model.rows, now: now), in: &model)
    case .resize(let width, let height):
        model.width = width
        model.height = height
        effects = []
    }
    // What the screen shows may have changed (and the rows may be a second old): follow the logs it shows, and
    // only those.
    model.refreshRows()
    let wanted = logsWanted(model.rows, ui: model.ui, width: model.width, height: model.height)
    if wanted != model.fleet.logService {
        model.fleet.showLogs(of: wanted)
        model.ui.logView = LogViewState()
        effects.append(.followLogs(service: wanted))
    }
    // The selected agent's figures, more often than the table's (where containers are read at all).
    let reads = model.historyDuty != .record && !model.fleet.reach.isEmpty
    let focus = reads ? selectedRow(visibleRows(model.rows, ui: model.ui), ui: model.ui)?.summary?.service.id : nil
    if focus != model.usageFocus {
        model.usageFocus = focus
        effects.append(.focusUsage(service: focus))
    }
    return effects
}

/// Shows the swarm just loaded: the one shown is parked with its history, the new one comes back with its own if it
/// was shown before, and its first read is applied. The view starts again at its top.
private func show(_ name: String, endpoint: String, _ messages: [Message], in model: inout ConsoleModel) -> [Effect] {
    model.switching = nil
    var fleet = model.parked.removeValue(forKey: name) ?? FleetState(endpoint: endpoint, setup: model.fleet.setup)
    model.parked[model.swarm] = model.fleet
    fleet.showLogs(of: nil)
    for message in messages { reduce(&fleet, message) }
    model.fleet = fleet
    model.swarm = name
    model.rowsChanged()
    model.ui.selectedID = nil
    model.ui.scroll = 0
    model.ui.filter = ""
    model.ui.focus = .table
    model.ui.logView = LogViewState()
    model.ui.flash = Flash(text: "showing \(name)", role: .ok, at: model.now)
    model.probeTargets = model.wantedProbeTargets
    return [.showSwarm(name), .setProbeTargets(model.probeTargets)]
}

/// What follows from the transitions just seen, and from the clock: into the history, the alerts due, the
/// recorder's lines and its heartbeat.
private func noted(_ seen: [Transition], in model: inout ConsoleModel) -> [Effect] {
    var effects: [Effect] = []
    if !seen.isEmpty, model.writesHistory { effects.append(.recordTransitions(seen)) }
    if model.historyDuty == .record {
        for t in seen {
            let change = t.isNote ? t.reason.map(sanitize) ?? "" : "\(t.from.rawValue) → \(t.to.rawValue)" + (t.reason.map { " (\(sanitize($0)))" } ?? "")
            effects.append(.say("\(sanitize(t.agent)): \(change)"))
        }
    }
    if model.alerting.enabled {
        let alerts = model.alerting.debouncer.offer(seen, now: model.now) + model.alerting.debouncer.due(now: model.now)
        if !alerts.isEmpty {
            if model.alerting.bell { effects.append(.bell) }
            if model.alerting.notify { effects.append(.notify(alerts, swarm: model.fleet.endpoint)) }
        }
    }
    if model.historyDuty == .record, model.now.timeIntervalSince(model.lastBeat ?? .distantPast) >= RecorderTiming.heartbeatEvery {
        model.lastBeat = model.now
        effects.append(.heartbeat(StatusReport(rows: model.rows, endpoint: model.fleet.endpoint, now: model.now)))
    }
    return effects
}

/// A source's message: reduced into the fleet, with what follows from it.
private func apply(_ message: Message, to model: inout ConsoleModel) -> [Effect] {
    switch message {
    case .logs(let logs):
        // A batch that was under way when the logs shown changed belongs to a stream already left.
        guard logs.service == model.fleet.logService else { return [] }
        if case .lines(let service, let entries) = logs {
            model.fleet.appendLogs(entries, of: service, replica: model.ui.logView.replicaFilter)
        } else {
            reduce(&model.fleet, message)
        }
        return []
    case .action(let outcome):
        reduce(&model.fleet, message)
        model.rowsChanged()
        return outcome.ok ? [] : [.bell]
    case .probe(let agent, let url, let sample):
        reduce(&model.fleet, message)
        model.refreshRow(of: agent)
        return model.writesHistory ? [.recordProbe(agent: agent, url: url, sample: sample)] : []
    case .docker(.event), .docker(.connection):
        reduce(&model.fleet, message)
        return []
    case .history(.problem(let problem)) where model.historyDuty == .record:
        // Said once: a full disk fails every batch and every heartbeat until there is room again.
        let changed = problem != model.fleet.historyProblem
        reduce(&model.fleet, message)
        guard changed else { return [] }
        return [.say(problem ?? "the history is written again")]
    case .exec(let exec):
        reduce(&model.fleet, message)
        return reacted(to: exec, in: &model)
    case .usage:
        reduce(&model.fleet, message)
        model.rowsChanged()
        let points = model.fleet.takeUsageToRecord()
        return model.writesHistory && !points.isEmpty ? [.recordUsage(points)] : []
    default:
        reduce(&model.fleet, message)
        model.rowsChanged()
        // The agents, or who probes them (a recorder came or went), may have changed.
        guard message.changesAgents || message.changesProbing else { return [] }
        let targets = model.wantedProbeTargets
        guard targets != model.probeTargets else { return [] }
        model.probeTargets = targets
        return [.setProbeTargets(targets)]
    }
}

/// The frame for the model: what the console draws and `snapshot` prints.
public func view(_ model: ConsoleModel) -> Buffer {
    render(model.fleet, agentRows: model.rowsFresh ? model.rows : nil,
           pageParts: model.rowsFresh ? model.pageParts : nil, ui: model.ui, width: model.width,
           height: model.height, now: model.now)
}
