import Foundation

/// What an operator asked Docker to do to an agent's service, or to a node.
public enum ActionKind: Sendable, Equatable {
    /// A force update: every task is replaced (`docker service update --force`).
    case restart
    case scale(from: Int, to: Int)
    /// Back to the spec before the last update (`docker service rollback`).
    case rollback
    /// A node's availability (`docker node update --availability`): `serviceID` is the node's ID.
    case availability(from: String, to: String)
}

/// The operator's word for an action: the key pressed, what the confirmation and the action log say.
public enum ActionVerb: String, Sendable, Equatable {
    case restart, scale, wake, sleep, rollback, drain, pause, activate
}

/// One action, as confirmed by the operator: which agent, which service (or node), and the exact effect.
public struct ActionRequest: Sendable, Equatable {
    public var agent: String
    public var service: String
    public var serviceID: String
    public var kind: ActionKind
    public var verb: ActionVerb
    /// A wake or sleep asked of Warren, which scales the service and follows the agent, rather than a scale sent
    /// to Docker behind Warren's back.
    public var viaWarren: Bool
    /// What the operator should weigh before confirming ("Warren will not know of this scale").
    public var warning: String?

    public init(agent: String, service: String, serviceID: String, kind: ActionKind, verb: ActionVerb,
                viaWarren: Bool = false, warning: String? = nil) {
        self.agent = agent
        self.service = service
        self.serviceID = serviceID
        self.kind = kind
        self.verb = verb
        self.viaWarren = viaWarren
        self.warning = warning
    }

    /// `warren` or `docker`: which way the action went, for the action log.
    public var path: String { viaWarren ? "warren" : "docker" }

    /// "scale openclaw_alpha 1 → 0", "restart openclaw_alpha (force update, 2 tasks replaced)".
    public func effect(arrow: String = "→", running: Int? = nil) -> String {
        switch kind {
        case .restart:
            let tasks = running.map { $0 == 1 ? ", its task replaced" : ", its \($0) tasks replaced" } ?? ""
            return "restart \(service) (force update\(tasks))"
        case .scale(let from, let to):
            if viaWarren { return "\(verb.rawValue) \(agent) through Warren (\(service) \(from) \(arrow) \(to))" }
            return "\(verb.rawValue) \(service) \(from) \(arrow) \(to)"
        case .rollback:
            return "roll back \(service) to its previous spec"
        case .availability(let from, let to):
            return "\(verb.rawValue) node \(service) (\(from) \(arrow) \(to))"
        }
    }
}

/// How an action ended, for the status line and the action log.
public struct ActionOutcome: Sendable, Equatable {
    public var request: ActionRequest
    public var ok: Bool
    /// "done" or Docker's reason.
    public var message: String
    public var at: Date

    public init(request: ActionRequest, ok: Bool, message: String, at: Date) {
        self.request = request
        self.ok = ok
        self.message = message
        self.at = at
    }
}
