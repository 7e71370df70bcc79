import Foundation

// Typed views of the Engine API's JSON (API 1.41), decoded with the field names exactly as Docker sends them.
// Only the fields clawtop reads are declared; unknown fields are ignored. Times stay strings (RFC 3339 with
// nanoseconds) and are parsed by `DockerTime`.

public struct Version: Decodable, Sendable, Equatable {
    public var Index: UInt64
}

// MARK: - /info

public struct SystemInfo: Decodable, Sendable {
    public struct SwarmInfo: Decodable, Sendable {
        public struct Cluster: Decodable, Sendable { public var ID: String? }
        public var NodeID: String
        public var NodeAddr: String?
        public var LocalNodeState: String
        public var ControlAvailable: Bool
        public var Error: String?
        public var Nodes: Int?
        public var Managers: Int?
        public var Cluster: Cluster?
    }
    public var Name: String?
    public var ServerVersion: String?
    public var Swarm: SwarmInfo
}

// MARK: - /nodes

public struct SwarmNode: Decodable, Sendable, Equatable {
    public struct Spec: Decodable, Sendable, Equatable {
        public var Role: String?
        public var Availability: String?
    }
    public struct Description: Decodable, Sendable, Equatable {
        public struct Engine: Decodable, Sendable, Equatable {
            public var EngineVersion: String?
        }
        public var Hostname: String?
        public var Engine: Engine?
    }
    public struct Status: Decodable, Sendable, Equatable {
        public var State: String
        public var Addr: String?
    }
    public struct ManagerStatus: Decodable, Sendable, Equatable {
        public var Leader: Bool?
        public var Reachability: String?
    }
    public var ID: String
    public var Spec: Spec
    public var Description: Description?
    public var Status: Status
    public var ManagerStatus: ManagerStatus?
}

// MARK: - /networks

public struct DockerNetwork: Decodable, Sendable, Equatable {
    public var Id: String
    public var Name: String
    public var Driver: String?
    public var Options: [String: String]?
}

// MARK: - /services

public struct SwarmService: Decodable, Sendable, Equatable {
    public struct Spec: Decodable, Sendable, Equatable {
        public struct TaskTemplate: Decodable, Sendable, Equatable {
            public struct ContainerSpec: Decodable, Sendable, Equatable {
                public struct Healthcheck: Decodable, Sendable, Equatable {
                    public var Test: [String]?
                    public var Interval: Int64?
                    public var Timeout: Int64?
                    public var Retries: Int?
                    public var StartPeriod: Int64?
                }
                public var Image: String?
                public var Labels: [String: String]?
                public var Env: [String]?
                public var TTY: Bool?
                public var Healthcheck: Healthcheck?
            }
            public var ContainerSpec: ContainerSpec?
            public var ForceUpdate: UInt64?
        }
        public struct Mode: Decodable, Sendable, Equatable {
            public struct Replicated: Decodable, Sendable, Equatable { public var Replicas: UInt64? }
            public struct Empty: Decodable, Sendable, Equatable {}
            public var Replicated: Replicated?
            public var Global: Empty?
            public var ReplicatedJob: Empty?
            public var GlobalJob: Empty?
        }
        public var Name: String
        public var Labels: [String: String]?
        public var TaskTemplate: TaskTemplate
        public var Mode: Mode
    }
    public struct ServiceStatus: Decodable, Sendable, Equatable {
        public var RunningTasks: UInt64
        public var DesiredTasks: UInt64
    }
    public struct UpdateStatus: Decodable, Sendable, Equatable {
        public var State: String?
        public var StartedAt: String?
        public var Message: String?
    }
    public var ID: String
    public var Version: Version
    public var CreatedAt: String?
    public var UpdatedAt: String?
    public var Spec: Spec
    public var ServiceStatus: ServiceStatus?
    public var UpdateStatus: UpdateStatus?
    /// The whole spec as sent, for updates: `POST /services/{id}/update` must send every field back.
    public var rawSpec: JSONValue

    enum CodingKeys: String, CodingKey { case ID, Version, CreatedAt, UpdatedAt, Spec, ServiceStatus, UpdateStatus }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.ID = try c.decode(String.self, forKey: .ID)
        self.Version = try c.decode(DockerEngine.Version.self, forKey: .Version)
        self.CreatedAt = try c.decodeIfPresent(String.self, forKey: .CreatedAt)
        self.UpdatedAt = try c.decodeIfPresent(String.self, forKey: .UpdatedAt)
        self.Spec = try c.decode(SwarmService.Spec.self, forKey: .Spec)
        self.ServiceStatus = try c.decodeIfPresent(SwarmService.ServiceStatus.self, forKey: .ServiceStatus)
        self.UpdateStatus = try c.decodeIfPresent(SwarmService.UpdateStatus.self, forKey: .UpdateStatus)
        // DockerClient parses the spec itself, much faster (`JSONParser`), and asks for it to be left out here.
        self.rawSpec = decoder.userInfo[Self.leaveOutRawSpec] != nil ? .null : try c.decode(JSONValue.self, forKey: .Spec)
    }

    static let leaveOutRawSpec = CodingUserInfoKey(rawValue: "clawtop.leaveOutRawSpec")!

    public var isGlobal: Bool { self.Spec.Mode.Global != nil || self.Spec.Mode.GlobalJob != nil }
    public var replicas: UInt64? { self.Spec.Mode.Replicated?.Replicas }
    public var forceUpdate: UInt64 { self.Spec.TaskTemplate.ForceUpdate ?? 0 }
}

// MARK: - /tasks

public struct SwarmTask: Decodable, Sendable, Equatable {
    public struct Status: Decodable, Sendable, Equatable {
        public struct ContainerStatus: Decodable, Sendable, Equatable {
            public var ContainerID: String?
            public var PID: Int?
            public var ExitCode: Int?
        }
        public var Timestamp: String?
        public var State: String
        public var Message: String?
        public var Err: String?
        public var ContainerStatus: ContainerStatus?
    }
    public var ID: String
    public var ServiceID: String
    public var Slot: Int?
    public var NodeID: String?
    public var CreatedAt: String?
    public var UpdatedAt: String?
    public var DesiredState: String
    public var Status: Status
}

// MARK: - /containers/{id}/json

public struct ContainerInspect: Decodable, Sendable, Equatable {
    public struct State: Decodable, Sendable, Equatable {
        public struct Health: Decodable, Sendable, Equatable {
            public struct Probe: Decodable, Sendable, Equatable {
                public var Start: String?
                public var End: String?
                public var ExitCode: Int?
                public var Output: String?
            }
            public var Status: String
            public var FailingStreak: Int?
            public var Log: [Probe]?
        }
        public var Status: String?
        public var Running: Bool?
        /// The container's main process, in the PID namespace of the daemon's host.
        public var Pid: Int?
        /// The kernel killed a process of the container for memory (the cgroup's limit, or the host's).
        public var OOMKilled: Bool?
        public var ExitCode: Int?
        public var StartedAt: String?
        public var FinishedAt: String?
        public var Health: Health?
    }
    /// The container's settings, the image's with the service's over them. `Env` is never decoded: its values stay
    /// out of clawtop.
    public struct Config: Decodable, Sendable, Equatable {
        public struct Healthcheck: Decodable, Sendable, Equatable {
            public var Test: [String]?
        }
        public var User: String?
        public var Healthcheck: Healthcheck?
    }
    public var Id: String
    public var State: State
    public var Config: Config?
}

// MARK: - /containers/json

/// A row of `GET /containers/json`.
public struct ContainerSummary: Decodable, Sendable, Equatable {
    public var Id: String
    public var Labels: [String: String]?
    public var State: String?
    /// e.g. `Up 4 minutes (healthy)`, `Up 3 seconds (health: starting)`.
    public var Status: String?

    /// The swarm task this container runs, and its service, from their labels.
    public var taskID: String? { Labels?["com.docker.swarm.task.id"] }
    public var serviceID: String? { Labels?["com.docker.swarm.service.id"] }

    /// The exit code of a container that exited, from `Status` (`Exited (137) 3 seconds ago`).
    public var exitCode: Int? {
        guard State == "exited", let status = Status, status.hasPrefix("Exited ("),
              let close = status.firstIndex(of: ")") else { return nil }
        return Int(status[status.index(status.startIndex, offsetBy: 8)..<close])
    }

    /// Docker's health-check status (`starting`, `healthy`, `unhealthy`), read from `Status`: the list has no
    /// separate field at the API versions clawtop supports. Nil when the container has no health check.
    public var health: String? {
        guard let status = Status else { return nil }
        if status.hasSuffix("(healthy)") { return "healthy" }
        if status.hasSuffix("(unhealthy)") { return "unhealthy" }
        if status.hasSuffix("(health: starting)") { return "starting" }
        return nil
    }
}

// MARK: - Errors

struct ErrorBody: Decodable { var message: String }

// MARK: - Times

/// RFC 3339 times with up to nine fractional digits, as Docker writes them. Docker's zero time
/// (`0001-01-01T00:00:00Z`) means "never" and parses to nil.
public enum DockerTime {
    public static func parse(_ text: String?) -> Date? {
        guard let text, text.count >= 20 else { return nil }
        let utf8 = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= utf8.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                let c = utf8[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let year = num(0, 4), let month = num(5, 2), let day = num(8, 2),
              let hour = num(11, 2), let minute = num(14, 2), let second = num(17, 2) else { return nil }
        if year <= 1 { return nil }
        var i = 19
        var fraction = 0.0
        if i < utf8.count && utf8[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < utf8.count, utf8[i] >= 48, utf8[i] <= 57 {
                fraction += Double(utf8[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < utf8.count {
            switch utf8[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"): break
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
                offset = (oh * 3600 + om * 60) * (utf8[i] == UInt8(ascii: "-") ? -1 : 1)
            default: return nil
            }
        }
        // Days since 1970-01-01 (proleptic Gregorian), Howard Hinnant's algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
