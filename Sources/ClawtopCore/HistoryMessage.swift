import Foundation

/// What the history on disk posts: what it held at start, the figures read again, who probes, and its problems.
public enum HistoryMessage: Sendable, Equatable {
    /// The history on disk, read on start.
    case past(PastHistory)
    /// The figures over the last hour, day and week, read again from the history on disk.
    case windows([String: HealthWindows])
    /// Where health results come from from now on.
    case healthFrom(HealthOrigin)
    /// Why the history cannot be written, or nil when it is written again.
    case problem(String?)
}

/// Applies what the history said. Pure.
func reduce(_ state: inout FleetState, _ message: HistoryMessage) {
    switch message {
    case .past(let past):
        state.loadPast(past)
    case .windows(let windows):
        state.windows = windows
    case .healthFrom(let origin):
        state.healthFrom = origin
    case .problem(let problem):
        state.historyProblem = problem
    }
}
