import Foundation

/// What the details pane shows of a service's spec. Environment *names* only: values never enter the model, so
/// no view can show them.
public struct ServiceSpecSummary: Sendable, Equatable {
    /// `none`, `on-failure`, `any`.
    public var restartCondition: String?
    public var restartDelay: Double?
    public var restartMaxAttempts: Int?
    public var restartWindow: Double?
    /// CPUs and bytes.
    public var cpuLimit: Double?
    public var memoryLimit: Int64?
    public var cpuReservation: Double?
    public var memoryReservation: Int64?
    public var envNames: [String]
    public var secrets: [String]
    /// The networks its tasks attach to, by ID.
    public var networks: [String] = []
    /// Docker's HEALTHCHECK command, if the service sets one.
    public var healthcheck: String?
    /// The service turns the image's HEALTHCHECK off (`--no-healthcheck`, `test: ["NONE"]`).
    public var healthcheckDisabled = false
    /// `--user`, if the service sets one.
    public var user: String?
    /// Variables whose name looks secret and whose value is set right there, not a path to a file (`…_FILE`,
    /// `/run/secrets/…`): names only, as `envNames`.
    public var inlineSecrets: [String] = []
    public var healthcheckInterval: Double?
    public var forceUpdate: Int

    public init(restartCondition: String? = nil, restartDelay: Double? = nil, restartMaxAttempts: Int? = nil,
                restartWindow: Double? = nil, cpuLimit: Double? = nil, memoryLimit: Int64? = nil,
                cpuReservation: Double? = nil, memoryReservation: Int64? = nil, envNames: [String] = [],
                secrets: [String] = [], healthcheck: String? = nil, healthcheckInterval: Double? = nil, forceUpdate: Int = 0) {
        self.restartCondition = restartCondition
        self.restartDelay = restartDelay
        self.restartMaxAttempts = restartMaxAttempts
        self.restartWindow = restartWindow
        self.cpuLimit = cpuLimit
        self.memoryLimit = memoryLimit
        self.cpuReservation = cpuReservation
        self.memoryReservation = memoryReservation
        self.envNames = envNames
        self.secrets = secrets
        self.healthcheck = healthcheck
        self.healthcheckInterval = healthcheckInterval
        self.forceUpdate = forceUpdate
    }
}

/// One Docker event about a service, as the details pane lists it.
public struct ServiceEventNote: Sendable, Equatable {
    public var time: Date
    /// "container start", "container die (exit 137)", "health_status: unhealthy", "service update".
    public var text: String
    public init(time: Date, text: String) {
        self.time = time
        self.text = text
    }
}

/// Whether a label or variable name looks like it holds a secret (its value is then never shown).
public func looksSecret(_ name: String) -> Bool {
    let upper = name.uppercased()
    return ["TOKEN", "KEY", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH"].contains { upper.contains($0) }
}
