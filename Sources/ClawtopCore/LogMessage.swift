import Foundation

/// What the log follower posts: lines of the service whose logs are shown, and how its stream goes.
public enum LogMessage: Sendable, Equatable {
    /// New log lines of a service; lines of another service than the one shown replace them.
    case lines(service: String, [LogEntry])
    /// A problem with the log stream of a service, or nil when it streams again.
    case status(service: String, String?)

    /// The service the message is about.
    public var service: String {
        switch self {
        case .lines(let service, _), .status(let service, _): return service
        }
    }
}

/// Applies what the log follower said. Pure.
func reduce(_ state: inout FleetState, _ message: LogMessage) {
    switch message {
    case .lines(let service, let entries):
        state.appendLogs(entries, of: service)
    case .status(let service, let problem):
        if state.logService == service { state.logProblem = problem }
    }
}
