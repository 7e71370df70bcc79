import Foundation

/// One rule an agent fails, or that cannot be judged for it.
public struct AuditFinding: Sendable, Equatable {
    public var agent: String
    public var rule: String
    /// The fact that fails the rule, or why it cannot be judged.
    public var fact: String
    public var fix: String
    public var source: String
    /// False: the rule cannot be judged here (`fact` says why).
    public var judged: Bool
}

/// The fleet held to the guide's rules (`auditRules`): what fails, the worst rule first; what cannot be judged; and
/// how many failures a service's label `clawtop.audit.ignore=rule,rule` silences. Agents with no service are left
/// out: there is nothing to judge.
public struct AuditReport: Sendable, Equatable {
    public var failing: [AuditFinding] = []
    public var unjudged: [AuditFinding] = []
    public var silenced = 0

    /// The label that silences rules for a service.
    public static let ignoreLabel = "clawtop.audit.ignore"

    public init(_ fleet: FleetState, rows: [AgentRow]) {
        for row in rows.sorted(by: { $0.agent.name < $1.agent.name }) {
            guard let service = row.summary?.service else { continue }
            let ignored = Set((service.labels[Self.ignoreLabel] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            let subject = AuditSubject(row: row, service: service, fleet: fleet)
            for rule in auditRules {
                let verdict = rule.judge(subject)
                if verdict == .passes { continue }
                if ignored.contains(rule.id) {
                    if case .fails = verdict { silenced += 1 }
                    continue
                }
                switch verdict {
                case .fails(let fact):
                    failing.append(AuditFinding(agent: row.agent.name, rule: rule.id, fact: fact, fix: rule.fix, source: rule.source, judged: true))
                case .cannotJudge(let why):
                    unjudged.append(AuditFinding(agent: row.agent.name, rule: rule.id, fact: why, fix: rule.fix, source: rule.source, judged: false))
                case .passes: break
                }
            }
        }
        // The worst rule first (the rules' order), then by agent.
        let rank = Dictionary(uniqueKeysWithValues: auditRules.enumerated().map { ($1.id, $0) })
        failing.sort { (rank[$0.rule] ?? 0, $0.agent) < (rank[$1.rule] ?? 0, $1.agent) }
    }

    /// Every agent passes every rule (or is silenced for it). A rule that cannot be judged is not passed: the node's
    /// endpoint, or the label, settles it.
    public var passes: Bool { failing.isEmpty && unjudged.isEmpty }
}
