import Yams

/// A value read from orchestrator.yaml with where it was written (`node` is nil when the key is absent or null).
struct Located<T> {
    var value: T
    var node: Node?
    init(_ value: T, _ node: Node? = nil) { self.value = value; self.node = node }
}

/// Warren's `config.Config` (internal/config/config.go) as yaml.v3 fills it from the file, before `applyDefaults`:
/// every key Warren reads, with its node. Durations are nanoseconds, as Go's `time.Duration`.
struct WarrenFile {
    var root: Node?
    var listen = Located("")
    var adminListen = Located("")
    var healthCheckInterval = Located<Int64>(0)
    /// nil when `agents` is absent, null, or not a mapping; entries in file order.
    var agents: [WarrenFileAgent]?
    var agentsNode: Node?
    var webhooks: [WarrenWebhook] = []
    var maxReadyAgents = Located<Int64>(0)
    var hermesEnabled = Located(false)
    var alexandriaURL = Located("")
}

/// One `agents.<name>` entry (Warren's `config.Agent`).
struct WarrenFileAgent {
    var name: String
    var keyNode: Node
    /// The entry is null (`agents: {a: }`): Warren keeps a nil pointer and crashes in applyDefaults.
    var isNull = false
    var hostname = Located("")
    var hostnames: [Located<String>] = []
    var backend = Located("")
    var policy = Located("")
    var container: Node?
    var containerName = Located("")
    var health: Node?
    var healthURL = Located("")
    var checkInterval = Located<Int64>(0)
    var startupTimeout = Located<Int64>(0)
    var maxFailures = Located<Int64>(0)
    var maxRestartAttempts = Located<Int64>(0)
    var idleTimeout = Located<Int64>(0)
    var drainTimeout = Located<Int64>(0)
    var wakeCooldown = Located<Int64>(0)

    init(name: String, keyNode: Node) { self.name = name; self.keyNode = keyNode }
}

/// One `webhooks[i]` entry (Warren's `config.WebhookConfig`).
struct WarrenWebhook {
    var index: Int
    var node: Node
    var url = Located("")
}
