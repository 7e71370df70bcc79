import ClawtopCore
import Foundation

/// What a run does with the history on disk.
public enum HistoryDuty: Sendable, Equatable {
    /// Keeps none (`--no-history`, the demo, `snapshot` and `status`, which only read it).
    case none
    /// The console: writes its probes and transitions, unless a recorder writes them (`fleet.healthFrom`).
    case write
    /// `clawtop record`: writes them always, and says it is alive every `RecorderTiming.heartbeatEvery` seconds.
    case record
}

/// What the run does when agents change state: `--bell`, `--notify`, debounced per agent.
public struct Alerting: Sendable, Equatable {
    public var bell: Bool
    public var notify: Bool
    public var debouncer: AlertDebouncer

    public init(bell: Bool, notify: Bool, window: TimeInterval) {
        self.bell = bell
        self.notify = notify
        debouncer = AlertDebouncer(window: window)
    }

    var enabled: Bool { bell || notify }
}

/// Everything the console knows: the fleet, the operator's view of it, the screen's size and the clock.
public struct ConsoleModel: Sendable, Equatable {
    public var fleet: FleetState
    public var ui: UIState
    public internal(set) var width: Int
    public internal(set) var height: Int
    /// The time of the last event.
    public internal(set) var now: Date
    /// The agent rows, derived from `fleet` at `rowsAt` (stale, `rowsAt` nil, once a message changed the fleet beyond
    /// one agent's row). Deriving them is the costliest part of a frame, so a key and the frame after it share them.
    public internal(set) var rows: [AgentRow] = []
    private var rowsAt: Date?
    /// The pages' parts of the header (the audit's count), derived with all the rows: a probe that changes one
    /// agent's row moves them at the next full derivation, a second later at most.
    var pageParts: [String] = []
    /// The probe targets asked for last.
    public internal(set) var probeTargets: [ProbeTarget] = []
    /// The swarm shown: its docker context's name.
    public internal(set) var swarm: String
    /// The swarms shown before, by name, with their state and history as they were left.
    public internal(set) var parked: [String: FleetState] = [:]
    /// The swarm being loaded to be shown next.
    public internal(set) var switching: String?
    /// The service whose containers are read more often (`Effect.focusUsage`).
    public internal(set) var usageFocus: String?
    /// What this run does with the history on disk.
    public var historyDuty: HistoryDuty = .none
    /// The alerts asked for, and what the debouncer holds back.
    public var alerting = Alerting(bell: false, notify: false, window: 60)
    /// When the recorder last said it was alive.
    var lastBeat: Date?
    /// Why the run stopped on its own (another recorder took the history over), if it did.
    public internal(set) var stopped: String?

    public init(fleet: FleetState, ui: UIState, width: Int, height: Int, now: Date, swarm: String = "default") {
        self.fleet = fleet
        self.swarm = swarm
        self.ui = ui
        self.width = width
        self.height = height
        self.now = now
    }

    var rowsFresh: Bool { rowsAt != nil }

    /// Whether the probes and transitions seen now go into the history: the console's, unless a recorder writes
    /// them; the recorder's always.
    var writesHistory: Bool {
        switch historyDuty {
        case .none: return false
        case .record: return true
        case .write: return fleet.healthFrom == .probes
        }
    }

    /// The agents this run probes: none while a recorder probes them for the console.
    var wantedProbeTargets: [ProbeTarget] {
        if historyDuty == .write, case .recorder = fleet.healthFrom { return [] }
        return fleet.probeTargets
    }

    /// Derives the rows again when a message changed the fleet, or when they are a second old (so that the
    /// windows that lapse with time, a startup grace or a recent failure, are current).
    mutating func refreshRows() {
        if let at = rowsAt, now.timeIntervalSince(at) < 1, now >= at { return }
        rows = fleet.agentRows(now: now)
        rowsAt = now
        pageParts = pageHeaderParts(fleet, rows: rows)
    }

    mutating func rowsChanged() { rowsAt = nil }

    /// Derives one agent's row again, after a message about it alone, and moves it to its place in the order.
    mutating func refreshRow(of agent: String) {
        guard rowsFresh, let i = rows.firstIndex(where: { $0.agent.name == agent }) else { return rowsChanged() }
        let row = fleet.agentRow(rows[i].agent, now: now)
        rows.remove(at: i)
        // The others are in order: binary search for the first that should come after this one.
        var low = 0, high = rows.count
        while low < high {
            let mid = (low + high) / 2
            if rows[mid].precedes(row) { low = mid + 1 } else { high = mid }
        }
        rows.insert(row, at: low)
    }
}
