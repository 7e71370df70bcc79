import Foundation

/// What an operator asked Docker to do to an agent's service, or to a node.
public enum ActionKind: Sendable, Equatable {
    /// A force update: every task is replaced (`docker service update --force`).
    case restart
    case scale(from: Int, to: Int)
    /// Back to the spec before the last update (`docker service rollback`).
    case rollback
    /// A node's availability (`docker node update --availability`), of a `.node` target.
    case availability(from: String, to: String)
}

/// The operator's word for an action: the key pressed, what the confirmation and the action log say.
public enum ActionVerb: String, Sendable, Equatable {
    case restart, scale, wake, sleep, rollback, drain, pause, activate
}

/// What an action acts on: an agent's service, or a node.
public enum ActionTarget: Sendable, Equatable {
    case service(agent: String, name: String, id: String)
    case node(hostname: String, id: String)
}

/// The way an action goes: to Docker, or (a wake or sleep of an agent Warren runs) to Warren, which scales the
/// service and follows the agent.
public enum ActionRoute: String, Sendable, Equatable {
    case docker, warren
}

/// One action, as confirmed by the operator: what it acts on, the exact effect, and the way it goes.
public struct ActionRequest: Sendable, Equatable {
    public var target: ActionTarget
    public var kind: ActionKind
    public var verb: ActionVerb
    public var route: ActionRoute
    /// What the operator should weigh before confirming ("Warren will not know of this scale").
    public var warning: String?

    public init(target: ActionTarget, kind: ActionKind, verb: ActionVerb, route: ActionRoute = .docker,
                warning: String? = nil) {
        self.target = target
        self.kind = kind
        self.verb = verb
        self.route = route
        self.warning = warning
    }

    /// An action on an agent's service.
    public init(agent: String, service: String, serviceID: String, kind: ActionKind, verb: ActionVerb,
                route: ActionRoute = .docker, warning: String? = nil) {
        self.init(target: .service(agent: agent, name: service, id: serviceID), kind: kind, verb: verb, route: route,
                  warning: warning)
    }

    /// The agent acted on; nil for a node.
    public var agent: String? {
        if case .service(let agent, _, _) = target { return agent }
        return nil
    }

    /// The service's name, or the node's hostname: what the confirmation and the status line name.
    public var name: String {
        switch target {
        case .service(_, let name, _): return name
        case .node(let hostname, _): return hostname
        }
    }

    /// The service's or the node's ID, as Docker knows it.
    public var id: String {
        switch target {
        case .service(_, _, let id), .node(_, let id): return id
        }
    }

    /// "scale openclaw_alpha 1 → 0", "restart openclaw_alpha (force update, 2 tasks replaced)".
    public func effect(arrow: String = "→", running: Int? = nil) -> String {
        switch kind {
        case .restart:
            let tasks = running.map { $0 == 1 ? ", its task replaced" : ", its \($0) tasks replaced" } ?? ""
            return "restart \(name) (force update\(tasks))"
        case .scale(let from, let to):
            if route == .warren { return "\(verb.rawValue) \(agent ?? name) through Warren (\(name) \(from) \(arrow) \(to))" }
            return "\(verb.rawValue) \(name) \(from) \(arrow) \(to)"
        case .rollback:
            return "roll back \(name) to its previous spec"
        case .availability(let from, let to):
            return "\(verb.rawValue) node \(name) (\(from) \(arrow) \(to))"
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
