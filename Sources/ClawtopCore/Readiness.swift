import Foundation

/// What an OpenClaw gateway says of its readiness in a probe's body (`/ready`, `/readyz`, `/startupz`): which checks
/// keep it from being ready, and whether it is draining or still starting. It never changes Warren's verdict (a
/// non-2xx is a failure whatever the body says); it says why.
public struct Readiness: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        case ready
        case notReady = "not-ready"
        /// Finishing its work before it stops: expected while a rollout replaces it.
        case draining
        /// Still starting (`startup-sidecars` and the like).
        case starting
    }

    /// How much the gateway told.
    public enum Detail: String, Sendable, Hashable {
        case full
        /// The bare `{"ready":…}` a remote caller gets without the gateway token.
        case withheld
        /// The gateway token was sent and the answer was still bare: the gateway did not take it.
        case tokenRefused = "token-refused"
        /// A token file is set for the agent, but it could not be read: the probe went without it.
        case tokenUnreadable = "token-unreadable"
    }

    /// One check that is not passing: an id from `failing` (a channel, `startup-sidecars`, `gateway-draining`), a
    /// condition whose status is not `True`, or a reason from `failures` or `advisories` that no condition gives.
    public struct Check: Sendable, Hashable {
        public var name: String
        /// A condition's status (`False`, `Unknown`); nil for an id or a reason.
        public var status: String?
        public var message: String?
        /// Reported, but not what keeps the gateway from being ready.
        public var advisory: Bool

        public init(name: String, status: String? = nil, message: String? = nil, advisory: Bool = false) {
            self.name = name
            self.status = status
            self.message = message
            self.advisory = advisory
        }
    }

    public var phase: Phase
    public var detail: Detail
    /// The ids in `failing`, in the gateway's order (`failing` names what to fix first).
    public var failing: [String]
    /// Conditions not `True`, then the reasons in `failures` and `advisories` that no condition gives.
    public var checks: [Check]
    public var pendingReason: String?

    public init(phase: Phase, detail: Detail = .full, failing: [String] = [], checks: [Check] = [],
                pendingReason: String? = nil) {
        self.phase = phase
        self.detail = detail
        self.failing = failing
        self.checks = checks
        self.pendingReason = pendingReason
    }

    /// At most this many ids and checks are kept, each at most `textCap` characters: a body is the agent's to write.
    static let listCap = 16
    static let textCap = 200

    static let drainingID = "gateway-draining"
    static let startupID = "startup-sidecars"

    /// What became of the gateway token for this probe.
    public enum Token: Sendable {
        case none, sent
        /// A token file is set for the agent, but could not be read: the probe went without it.
        case unreadable
    }

    /// The readiness a body tells, or nil when it tells nothing (a liveness answer such as `{"ok":true,"status":"live"}`,
    /// a bare `{"ready":true}` when no token was meant to bring more, something that is not JSON). A body cut short
    /// by the probe's cap is not JSON.
    public static func parse(_ body: [UInt8], token: Token = .none) -> Readiness? {
        parse(object: jsonObject(body), token: token)
    }

    /// A body as the JSON object it is, or nil when it is not one.
    public static func jsonObject(_ body: [UInt8]) -> [String: Any]? {
        guard body.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) == UInt8(ascii: "{") else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    }

    /// The readiness a body already read as JSON tells (see `parse(_:token:)`).
    public static func parse(object: [String: Any]?, token: Token = .none) -> Readiness? {
        guard let object else { return nil }
        let ready = object["ready"] as? Bool
        let ok = object["ok"] as? Bool
        let status = object["status"] as? String
        let pendingReason = (object["pendingReason"] as? String).map(capped)
        let failing = strings(object["failing"])
        var checks: [Check] = []
        var reasons = Set<String>()
        for case let condition as [String: Any] in (object["conditions"] as? [Any] ?? []) {
            guard let type = condition["type"] as? String, let conditionStatus = condition["status"] as? String,
                  conditionStatus != "True" else { continue }
            if let reason = condition["reason"] as? String { reasons.insert(reason) }
            checks.append(Check(name: capped(type), status: capped(conditionStatus),
                                message: (condition["message"] as? String).map(capped),
                                advisory: condition["requirement"] as? String == "advisory"))
        }
        for (key, advisory) in [("failures", false), ("advisories", true)] {
            for reason in strings(object[key]) where !reasons.contains(reason) {
                reasons.insert(reason)
                checks.append(Check(name: reason, advisory: advisory))
            }
        }
        checks = Array(checks.prefix(listCap))

        let phase: Phase
        if failing.contains(drainingID) || status == "draining" || checks.contains(where: { $0.name == "GatewayAcceptingWork" }) {
            phase = .draining
        } else if failing.contains(startupID) || status == "starting" || pendingReason != nil
                    || checks.contains(where: { $0.name == "GatewayStartupComplete" }) {
            phase = .starting
        } else if ready == false || ok == false {
            phase = .notReady
        } else {
            phase = .ready
        }
        let told = !failing.isEmpty || !checks.isEmpty || pendingReason != nil || object["uptimeMs"] != nil
        if let ready, !told {
            // The bare answer OpenClaw gives a remote caller without the gateway token.
            let detail: Detail = token == .sent ? .tokenRefused : token == .unreadable ? .tokenUnreadable : .withheld
            return ready && detail == .withheld ? nil : Readiness(phase: phase, detail: detail)
        }
        // `{"ok":false}` alone is the prober's to word; a ready gateway with nothing to add says nothing.
        guard phase != .ready || !checks.isEmpty, ready != nil || phase != .notReady else { return nil }
        return Readiness(phase: phase, failing: failing, checks: checks, pendingReason: pendingReason)
    }

    private static func strings(_ value: Any?) -> [String] {
        Array(((value as? [Any]) ?? []).compactMap { $0 as? String }.prefix(listCap)).map(capped)
    }

    private static func capped(_ text: String) -> String { text.count > textCap ? String(text.prefix(textCap)) + "…" : text }

    /// The names that say what is not ready: the `failing` ids other than draining and starting, else the failing
    /// required checks.
    public var culprits: [String] {
        let ids = failing.filter { $0 != Self.drainingID && $0 != Self.startupID }
        if !ids.isEmpty || phase != .notReady { return ids }
        return checks.filter { !$0.advisory }.map(\.name)
    }

    /// In a few words, for the table's row: "not ready: discord, telegram", "draining (expected during a rollout)",
    /// "starting: startup-sidecars", "not ready (detail needs the gateway token)".
    public var summary: String {
        let names = culprits.prefix(3).joined(separator: ", ") + (culprits.count > 3 ? ", …" : "")
        let text: String
        switch phase {
        case .draining: text = "draining (expected during a rollout)"
        case .starting: text = "starting: " + (pendingReason ?? failing.first ?? Self.startupID)
        case .notReady: text = names.isEmpty ? "not ready" : "not ready: " + names
        case .ready: text = "ready" + (checks.isEmpty ? "" : ", advisory: " + checks.prefix(3).map(\.name).joined(separator: ", "))
        }
        return text + (detailNote.map { " (\($0))" } ?? "")
    }

    /// Why the answer has no detail, when it has none.
    public var detailNote: String? {
        switch detail {
        case .full: return nil
        case .withheld: return "detail needs the gateway token"
        case .tokenRefused: return "gateway token refused"
        case .tokenUnreadable: return "gateway token file unreadable"
        }
    }
}
