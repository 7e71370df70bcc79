import Yams

/// Fills a `WarrenFile` from the YAML tree the way yaml.v3 fills Warren's Go structs, and records every value that
/// yaml.v3 would refuse (a string where Warren reads a number, a bare `30` where it reads a duration, a list where
/// it reads a mapping...). Unknown keys are ignored, as Warren does; a null value leaves the Go zero value.
struct WarrenFileDecoder {
    var problems: [ConfigProblem] = []
    let file: String

    init(file: String) { self.file = file }

    mutating func decode(_ root: Node?) -> WarrenFile {
        var out = WarrenFile(root: root)
        guard let root else { return out }
        for (name, value) in structFields(root, "", type: "the file") {
            switch name {
            case "listen": out.listen = string(value, name)
            case "admin_listen": out.adminListen = string(value, name)
            case "admin_token", "proxy_token", "database_url": _ = string(value, name)
            case "max_ready_agents": out.maxReadyAgents = int(value, name)
            case "defaults":
                for (k, v) in structFields(value, name) where k == "health_check_interval" {
                    out.healthCheckInterval = duration(v, "defaults.health_check_interval")
                }
            case "agents": decodeAgents(value, into: &out)
            case "webhooks":
                for item in sequence(value, name) {
                    guard case .mapping = item.node else {
                        mismatch(item.node, "webhooks[\(item.index)]", expected: "a mapping with a url")
                        continue  // yaml.v3 leaves it out of the list
                    }
                    var hook = WarrenWebhook(index: item.index, node: item.node)
                    for (k, v) in structFields(item.node, "webhooks[\(item.index)]") {
                        let path = "webhooks[\(item.index)].\(k)"
                        switch k {
                        case "url": hook.url = string(v, path)
                        case "headers": stringMap(v, path)
                        case "events": _ = stringList(v, path)
                        default: break
                        }
                    }
                    out.webhooks.append(hook)
                }
            case "hermes":
                for (k, v) in structFields(value, name) {
                    let path = "hermes.\(k)"
                    switch k {
                    case "enabled": out.hermesEnabled = bool(v, path)
                    case "url", "token": _ = string(v, path)
                    case "connect_timeout", "reconnect_wait": _ = duration(v, path)
                    case "max_reconnects": _ = int(v, path)
                    default: break
                    }
                }
            case "alexandria":
                for (k, v) in structFields(value, name) {
                    let path = "alexandria.\(k)"
                    switch k {
                    case "enabled": _ = bool(v, path)
                    case "url": out.alexandriaURL = string(v, path)
                    case "timeout": _ = duration(v, path)
                    default: break
                    }
                }
            case "ssh":
                for (k, v) in structFields(value, name) {
                    switch k {
                    case "enabled": _ = bool(v, "ssh.\(k)")
                    case "alexandria_url", "authorized_keys_path": _ = string(v, "ssh.\(k)")
                    default: break
                    }
                }
            case "usage":
                for (k, v) in structFields(value, name) {
                    switch k {
                    case "enabled": _ = bool(v, "usage.\(k)")
                    case "jsonl_path": _ = string(v, "usage.\(k)")
                    case "flush_interval", "poll_interval": _ = duration(v, "usage.\(k)")
                    default: break
                    }
                }
            case "picoclaw":
                for (k, v) in structFields(value, name) {
                    switch k {
                    case "binary", "mission_base_dir": _ = string(v, "picoclaw.\(k)")
                    case "default_timeout": _ = duration(v, "picoclaw.\(k)")
                    case "max_concurrent": _ = int(v, "picoclaw.\(k)")
                    default: break
                    }
                }
            default: break
            }
        }
        return out
    }

    private mutating func decodeAgents(_ node: Node, into out: inout WarrenFile) {
        out.agentsNode = node
        if GoYAML.isNull(node) { return }
        guard case .mapping(let mapping) = node else {
            mismatch(node, "agents", expected: "a mapping of agent names to agents")
            return
        }
        var agents: [WarrenFileAgent] = []
        for (keyNode, body) in pairs(mapping, "agents") {
            guard let name = key(keyNode, "agents") else { continue }
            var agent = WarrenFileAgent(name: name, keyNode: keyNode)
            let base = "agents.\(name)"
            if GoYAML.isNull(body) {
                agent.isNull = true
                agents.append(agent)
                continue
            }
            guard case .mapping = body else {
                mismatch(body, base, expected: "a mapping (an agent)")
                continue  // yaml.v3 leaves such an entry out of the map
            }
            for (k, v) in structFields(body, base) {
                let path = "\(base).\(k)"
                switch k {
                case "hostname": agent.hostname = string(v, path)
                case "hostnames": agent.hostnames = stringList(v, path)
                case "backend": agent.backend = string(v, path)
                case "policy": agent.policy = string(v, path)
                case "hermes":
                    for (hk, hv) in structFields(v, path) where hk == "enabled" { _ = bool(hv, "\(path).enabled") }
                case "container":
                    agent.container = v
                    for (ck, cv) in structFields(v, path) {
                        if ck == "name" { agent.containerName = string(cv, "\(path).name") }
                        if ck == "labels" { stringMap(cv, "\(path).labels") }
                    }
                case "health":
                    agent.health = v
                    for (hk, hv) in structFields(v, path) {
                        let p = "\(path).\(hk)"
                        switch hk {
                        case "url": agent.healthURL = string(hv, p)
                        case "check_interval": agent.checkInterval = duration(hv, p)
                        case "startup_timeout": agent.startupTimeout = duration(hv, p)
                        case "max_failures": agent.maxFailures = int(hv, p)
                        case "max_restart_attempts": agent.maxRestartAttempts = int(hv, p)
                        default: break
                        }
                    }
                case "idle":
                    for (ik, iv) in structFields(v, path) {
                        let p = "\(path).\(ik)"
                        switch ik {
                        case "timeout": agent.idleTimeout = duration(iv, p)
                        case "drain_timeout": agent.drainTimeout = duration(iv, p)
                        case "wake_cooldown": agent.wakeCooldown = duration(iv, p)
                        default: break
                        }
                    }
                default: break
                }
            }
            agents.append(agent)
        }
        out.agents = agents
    }

    // MARK: - yaml.v3's decoding of one value

    /// A Go struct: its fields in file order (merges applied, unknown keys kept for the caller to ignore). Null
    /// leaves the struct as it is; anything but a mapping is a type error.
    private mutating func structFields(_ node: Node, _ path: String, type: String = "a mapping") -> [(String, Node)] {
        if GoYAML.isNull(node) { return [] }
        guard case .mapping(let mapping) = node else {
            mismatch(node, path, expected: type == "the file" ? "the file to be a mapping with an `agents` key" : "a mapping")
            return []
        }
        var seen: Set<String> = []
        var out: [(String, Node)] = []
        for (k, v) in pairs(mapping, path) {
            guard let name = key(k, path) else { continue }
            if !seen.insert(name).inserted {
                problem(k, join(path, name), "the key is given twice")
                continue
            }
            out.append((name, v))
        }
        return out
    }

    private mutating func pairs(_ mapping: Node.Mapping, _ path: String) -> [(key: Node, value: Node)] {
        switch GoYAML.pairs(mapping) {
        case .success(let pairs): return pairs
        case .failure(let e):
            problem(e.node, join(path, "<<"), "a merge (<<) takes a mapping or a list of mappings")
            return Array(mapping).filter { pair in
                if case .scalar(let s) = pair.key { return s.string != "<<" }
                return true
            }.map { (key: $0.0, value: $0.1) }
        }
    }

    /// A mapping key as a Go string; nil (skipped) for a null key, a type error for a list or mapping.
    private mutating func key(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let s) = node else {
            mismatch(node, path, expected: "a text key")
            return nil
        }
        switch GoYAML.value(s) {
        case .null: return nil
        case .invalid(let why): problem(node, path, why); return nil
        default: return s.string
        }
    }

    private mutating func string(_ node: Node, _ path: String) -> Located<String> {
        guard case .scalar(let s) = node else {
            mismatch(node, path, expected: "a string")
            return Located("")
        }
        switch GoYAML.value(s) {
        case .null: return Located("")
        case .invalid(let why): problem(node, path, why); return Located("")
        case .string(let text) where GoYAML.explicitTag(node) == "!!binary": return Located(text, node)
        default: return Located(s.string, node)
        }
    }

    private mutating func int(_ node: Node, _ path: String) -> Located<Int64> {
        guard case .scalar(let s) = node else {
            mismatch(node, path, expected: "a whole number")
            return Located(0)
        }
        switch GoYAML.value(s) {
        case .null: return Located(0)
        case .int(let i): return Located(i, node)
        case .float(let f) where !f.isNaN && f <= 9_223_372_036_854_775_807.0:
            // yaml.v3 truncates a float into an int field; Go turns an out-of-range float into the minimum int.
            if f >= 9_223_372_036_854_775_807.0 || f < -9_223_372_036_854_775_808.0 { return Located(.min, node) }
            return Located(Int64(f), node)
        case .invalid(let why): problem(node, path, why); return Located(0)
        default:
            mismatch(node, path, expected: "a whole number")
            return Located(0)
        }
    }

    private mutating func duration(_ node: Node, _ path: String) -> Located<Int64> {
        guard case .scalar(let s) = node else {
            mismatch(node, path, expected: "a duration such as 30s")
            return Located(0)
        }
        switch GoYAML.value(s) {
        case .null: return Located(0)
        case .string(let text):
            switch GoDuration.parseNanoseconds(text) {
            case .success(let ns): return Located(ns, node)
            case .failure(let e):
                problem(node, path, "\(goQuote(text)) is not a duration (\(e)); write one such as 300ms, 30s, 5m or 1h30m")
                return Located(0)
            }
        case .int, .uint, .float:
            if s.string.range(of: #"^[0-9]+$"#, options: .regularExpression) != nil {
                problem(node, path, "\(s.string) has no unit: write a duration such as \(s.string)s or \(s.string)ms")
            } else {
                problem(node, path, "\(s.string) is a number, not a duration: write one such as 30s")
            }
            return Located(0)
        case .invalid(let why): problem(node, path, why); return Located(0)
        default:
            mismatch(node, path, expected: "a duration such as 30s")
            return Located(0)
        }
    }

    private mutating func bool(_ node: Node, _ path: String) -> Located<Bool> {
        guard case .scalar(let s) = node else {
            mismatch(node, path, expected: "true or false")
            return Located(false)
        }
        switch GoYAML.value(s) {
        case .null: return Located(false)
        case .bool(let b): return Located(b, node)
        case .string(let text) where ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"].contains(text): return Located(true, node)
        case .string(let text) where ["n", "N", "no", "No", "NO", "off", "Off", "OFF"].contains(text): return Located(false, node)
        case .invalid(let why): problem(node, path, why); return Located(false)
        default:
            mismatch(node, path, expected: "true or false")
            return Located(false)
        }
    }

    /// A Go slice: null is empty; each null item is dropped (yaml.v3 does), other items are decoded.
    private mutating func sequence(_ node: Node, _ path: String) -> [(index: Int, node: Node)] {
        if GoYAML.isNull(node) { return [] }
        guard case .sequence(let items) = node else {
            mismatch(node, path, expected: "a list")
            return []
        }
        return items.enumerated().filter { !GoYAML.isNull($0.element) }.map { (index: $0.offset, node: $0.element) }
    }

    private mutating func stringList(_ node: Node, _ path: String) -> [Located<String>] {
        sequence(node, path).map { string($0.node, "\(path)[\($0.index)]") }
    }

    private mutating func stringMap(_ node: Node, _ path: String) {
        if GoYAML.isNull(node) { return }
        guard case .mapping(let mapping) = node else {
            mismatch(node, path, expected: "a mapping of strings")
            return
        }
        for (k, v) in pairs(mapping, path) {
            guard let name = key(k, path) else { continue }
            _ = string(v, join(path, name))
        }
    }

    // MARK: - Problems

    private mutating func mismatch(_ node: Node, _ path: String, expected: String) {
        problem(node, path, "expected \(expected), found \(describe(node))")
    }

    mutating func problem(_ node: Node?, _ path: String, _ message: String) {
        problems.append(ConfigProblem(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0,
                                      key: path, message: message))
    }

    private func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return goQuote(s.string)
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
