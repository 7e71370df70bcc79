import Foundation

/// One replica's container, to open a shell or run a command in: where it runs and how the operator knows it.
public struct ExecTarget: Sendable, Equatable {
    public var agent: String
    public var service: String
    public var taskID: String
    public var containerID: String
    public var nodeID: String
    /// `1@wk1`: the slot (or, for a global service, the task) and the node's hostname.
    public var replica: String
    /// The service's labels `clawtop.exec.shell` and `clawtop.exec.status`, where set.
    public var shellLabel: String?
    public var statusLabel: String?

    public init(agent: String, service: String, taskID: String, containerID: String, nodeID: String, replica: String,
                shellLabel: String? = nil, statusLabel: String? = nil) {
        self.agent = agent
        self.service = service
        self.taskID = taskID
        self.containerID = containerID
        self.nodeID = nodeID
        self.replica = replica
        self.shellLabel = shellLabel
        self.statusLabel = statusLabel
    }

    /// "billing (1@wk1)".
    public var name: String { "\(agent) (\(replica))" }
}

/// A `docker` command line against one node's daemon: the program, its arguments, and what its environment adds.
public struct DockerCommand: Sendable, Equatable {
    public var arguments: [String]
    public var environment: [String: String]

    public init(arguments: [String], environment: [String: String] = [:]) {
        self.arguments = arguments
        self.environment = environment
    }
}

/// What came of opening a shell or running a command in a container.
public enum ExecMessage: Sendable, Equatable {
    /// The shell to run, found in the container: the console steps aside for it.
    case shellReady(ExecTarget, DockerCommand)
    /// The shell ended with this status (nil: it could not be run, `problem` says why).
    case shellEnded(ExecTarget, status: Int32?, problem: String?)
    /// A shell could not be opened.
    case shellRefused(ExecTarget, String)
    /// A command's output (or why it could not be run).
    case output(ExecOutput)
}

extension FleetState {
    mutating func apply(_ message: ExecMessage) {
        guard case .output(let output) = message else { return }
        execOutput = output
        execLines.clear()
        execLines.append(contentsOf: output.lines)
    }
}
