import ClawtopCore
import Foundation
import FleetSource

/// A task of the simulated swarm, with the times its lifecycle needs.
struct DemoTask: Sendable {
    var info: TaskInfo
    /// When its container started; nil while it is still being prepared.
    var runningAt: Date?
    /// When it failed or was shut down; nil while it is wanted.
    var endedAt: Date?
    /// When it changes next on its own: starts running, or dies (crash-looping).
    var due: Date?

    var isWanted: Bool { info.desiredState == "running" }
}

/// A service of the simulated swarm: what Docker would report, and the agent that runs in it.
struct DemoService: Sendable {
    var info: ServiceInfo
    var agent: DemoAgent?
    var tasks: [DemoTask]
}

/// The demo's simulated swarm. Tasks start, crash and are replaced on time, as Swarm would, while the caller moves
/// the clock forward; restart and scale act on it as on a real service. A pure value: the same opening moment and
/// the same calls give the same state, so `snapshot --demo` draws the same scene on every run.
public struct DemoWorld: Sendable {
    /// Where the simulation begins: the history the demo opens with starts here.
    public let origin: Date
    /// How far the simulation has run.
    public private(set) var now: Date
    var services: [DemoService] = []
    /// The nodes, with the availability the operator set.
    var nodes = DemoCast.nodes
    private var nodesChanged = false
    private var tasksMade = 0
    /// What changed since the last `drain()`.
    private var changed: Set<Int> = []
    private var notes: [(service: String, note: ServiceEventNote)] = []
    /// Tasks the kernel killed for memory, and when, oldest first; those up to `killsTold` have been posted.
    private(set) var oomKills: [(task: String, at: Date)] = []
    private var killsTold = 0

    /// How much history the demo opens with.
    public static let historySpan: Double = 15 * 60
    /// Docker keeps this many tasks per slot (`TaskHistoryRetentionLimit`).
    static let tasksKeptPerSlot = 5
    /// Swarm's restart delay, and the time from a new task to its container running.
    static let restartDelay: Double = 5
    static let prepareTime: Double = 1.5

    /// The world as it stood at `origin`: agents up (for as long as the cast says), asleep ones at 0 replicas.
    init(origin: Date) {
        self.origin = origin
        now = origin
        let start = origin + Self.historySpan
        for agent in DemoCast.agents where !agent.missing {
            let awake = agent.replicas > 0 && agent.upFor >= Self.historySpan
            add(name: agent.service, image: agent.image, agent: agent, node: agent.node,
                labels: DemoCast.labels(agent), spec: DemoCast.spec(agent), replicas: awake ? agent.replicas : 0,
                runningSince: start - agent.upFor)
        }
        for s in DemoCast.infrastructure {
            add(name: s.name, image: s.image, agent: nil, node: s.node, labels: ["com.docker.stack.namespace": "warren"],
                spec: ServiceSpecSummary(restartCondition: "any", restartDelay: 5), replicas: 1,
                runningSince: start - 12 * 86_400)
        }
        changed = []
    }

    /// The demo as it opens at `start`: the world after `historySpan` of simulated life, and the messages that
    /// bring a new fleet state there (the full read, the recent events, and every agent's health checks so far).
    public static func opening(at start: Date) -> (world: DemoWorld, messages: [Message]) {
        var world = DemoWorld(origin: start - historySpan)
        // Agents that woke during the history: Warren scaled them to 1 when a request came.
        var wakes = DemoCast.agents.filter { !$0.missing && $0.replicas > 0 && $0.upFor < historySpan }
            .map { (at: start - $0.upFor, service: $0.service) }
        var checks: [(at: Date, agent: DemoAgent)] = []
        for agent in DemoCast.agents where !agent.missing {
            // On a 1/16 s grid, so that ages computed from `start` are exact.
            let phase = (noise(agent.name, 0, "phase") * agent.interval * 16).rounded(.down) / 16
            var t = world.origin + phase
            while t <= start {
                checks.append((t, agent))
                t += agent.interval
            }
        }
        checks.sort { ($0.at, $0.agent.name) < ($1.at, $1.agent.name) }
        var probes: [Message] = []
        for check in checks {
            while let wake = wakes.first, wake.at <= check.at {
                world.advance(to: wake.at)
                _ = try? world.scale(wake.service, to: 1)
                wakes.removeFirst()
            }
            world.advance(to: check.at)
            if world.isAwake(check.agent.service) {
                probes.append(.probe(agent: check.agent.listedAs, url: check.agent.url, sample: world.sample(check.agent, at: check.at)))
            }
        }
        world.advance(to: start)
        let events = world.drain().filter { if case .docker(.event) = $0 { return true } else { return false } }
        return (world, [world.snapshotMessage(), .docker(.networks([DemoCast.network]))] + events + probes)
    }

    // MARK: - What Docker would report

    /// A full read, as `DockerWatcher.snapshot` makes from the daemon.
    public func snapshotMessage() -> Message {
        .docker(.snapshot(nodes: nodes, services: services.map(\.info), tasks: services.flatMap { $0.tasks.map(\.info) },
                  at: now))
    }

    /// The services that changed since the last call, and the events that changed them, as the watcher would post.
    public mutating func drain() -> [Message] {
        var messages = changed.sorted().map { i in
            Message.docker(.service(services[i].info, tasks: services[i].tasks.map(\.info), at: now))
        }
        messages += notes.map { Message.docker(.event(service: $0.service, $0.note)) }
        if nodesChanged { messages.append(.docker(.nodes(nodes))) }
        changed = []
        notes = []
        nodesChanged = false
        return messages
    }

    /// The service with this ID or name.
    func index(of ref: String) -> Int? {
        services.firstIndex { $0.info.id == ref || $0.info.name == ref }
    }

    func isAwake(_ service: String) -> Bool {
        index(of: service).map { services[$0].info.desired > 0 } ?? false
    }

    // MARK: - Time

    /// Runs the world forward to `t`: tasks start, crash and are replaced, each at its own time.
    public mutating func advance(to t: Date) {
        while let (s, i, due) = nextDue(), due <= t {
            now = max(now, due)
            step(s, i, at: due)
        }
        now = max(now, t)
        noteRollouts()
    }

    /// A rolling-out agent's service is `updating` while its rollout drains and starts the new task, then
    /// `completed`, as Swarm's UpdateStatus says (the demo opens mid-update).
    private mutating func noteRollouts() {
        for s in services.indices {
            guard case .rollingOut(let cycle, let drain)? = services[s].agent?.behaviour else { continue }
            let into = rolloutPhase(at: now, cycle: cycle)
            let state = into < drain + 8 ? "updating" : "completed"
            guard services[s].info.updateState != state else { continue }
            services[s].info.updateState = state
            services[s].info.updateStartedAt = now - into
            changed.insert(s)
        }
    }

    private func nextDue() -> (Int, Int, Date)? {
        var best: (Int, Int, Date)?
        for (s, service) in services.enumerated() {
            for (i, task) in service.tasks.enumerated() {
                if let due = task.due, due < (best?.2 ?? .distantFuture) { best = (s, i, due) }
            }
        }
        return best
    }

    private mutating func step(_ s: Int, _ i: Int, at time: Date) {
        var task = services[s].tasks[i]
        task.due = nil
        if task.runningAt == nil {
            task.info.state = "running"
            task.info.timestamp = time
            task.runningAt = time
            switch services[s].agent?.behaviour {
            case .crashLooping(let uptime)?: task.due = time + uptime
            case .leaking(_, let every)?: task.due = time + every
            case .dockerHealthOnly?: task.info.containerHealth = .healthy
            default: break
            }
            services[s].tasks[i] = task
            note(s, "container start", at: time)
        } else {
            // A crash-looping task exits 1, a leaking one is killed for memory; Swarm replaces it after the delay.
            let leaking: Bool
            if case .leaking? = services[s].agent?.behaviour { leaking = true } else { leaking = false }
            let code = leaking ? 137 : 1
            end(&task, state: "failed", at: time)
            task.info.error = "task: non-zero exit (\(code))"
            task.info.exitCode = code
            services[s].tasks[i] = task
            if leaking {
                note(s, "container oom", at: time)
                oomKills.append((task.info.id, time))
            }
            note(s, "container die (exit \(code))", at: time)
            addTask(s, slot: task.info.slot ?? 1, at: time, startsAfter: Self.restartDelay + Self.prepareTime)
        }
        countRunning(s)
    }

    // MARK: - Actions

    /// A force update: every wanted task is replaced.
    /// Why an action or a log read names a service the world does not have.
    public static func notFound(_ ref: String) -> SourceError {
        SourceError("service '\(ref)' not found: it may have been removed")
    }

    public mutating func restart(_ ref: String) throws(SourceError) -> ActionChange {
        guard let s = index(of: ref) else { throw Self.notFound(ref) }
        let force = services[s].info.spec.forceUpdate
        services[s].info.spec.forceUpdate += 1
        var slots: [Int] = []
        for i in services[s].tasks.indices where services[s].tasks[i].isWanted {
            end(&services[s].tasks[i], state: "shutdown", at: now)
            slots.append(services[s].tasks[i].info.slot ?? 1)
        }
        for slot in slots { addTask(s, slot: slot, at: now, startsAfter: Self.prepareTime) }
        note(s, "service update", at: now)
        countRunning(s)
        return ActionChange(before: "ForceUpdate \(force)", after: "ForceUpdate \(force + 1)")
    }

    /// Sets a node's availability. The demo's agents stay where they are: its scheduler places nothing.
    public mutating func setAvailability(node id: String, to availability: String) throws(SourceError) -> ActionChange {
        guard let i = nodes.firstIndex(where: { $0.id == id }) else { throw SourceError("node '\(id)' not found") }
        let before = nodes[i].availability
        nodes[i].availability = availability
        nodesChanged = true
        return ActionChange(before: "availability \(before)", after: "availability \(availability)")
    }

    /// Sets the replicas: new slots get a task, slots above `replicas` are shut down.
    public mutating func scale(_ ref: String, to replicas: Int) throws(SourceError) -> ActionChange {
        guard let s = index(of: ref) else { throw Self.notFound(ref) }
        guard replicas >= 0 else { throw SourceError("replicas must be 0 or more") }
        let before = services[s].info.desired
        services[s].info.desired = replicas
        var filled = Set<Int>()
        for i in services[s].tasks.indices where services[s].tasks[i].isWanted {
            let slot = services[s].tasks[i].info.slot ?? 1
            if slot > replicas { end(&services[s].tasks[i], state: "shutdown", at: now) } else { filled.insert(slot) }
        }
        for slot in 1...max(1, replicas) where slot <= replicas && !filled.contains(slot) {
            addTask(s, slot: slot, at: now, startsAfter: Self.prepareTime)
        }
        note(s, "service update", at: now)
        countRunning(s)
        return ActionChange(before: "replicas \(before)", after: "replicas \(replicas)")
    }

    /// What a leaking agent holds when it starts.
    static let leakBase: Int64 = 200 << 20

    /// A leaking agent's cycle: its run up to the kill, then Swarm's delay and the new task's start.
    static func leakCycle(every: Double) -> Double { every + restartDelay + prepareTime }

    /// When the world kills a leaking agent first: in the history the demo opens with, and again 50 s after it
    /// opens, so that it is near its limit at first.
    static func firstLeakKill(every: Double, origin: Date) -> Date {
        origin + (historySpan + 50).truncatingRemainder(dividingBy: leakCycle(every: every))
    }

    // MARK: - Building blocks

    private mutating func add(name: String, image: String, agent: DemoAgent?, node: Int, labels: [String: String],
                              spec: ServiceSpecSummary, replicas: Int, runningSince: Date) {
        var runningSince = runningSince
        var firstExit: Date?
        if case .crashLooping(let uptime)? = agent?.behaviour {
            // Mid-way through a run at the origin, so the loop goes on from the first moment.
            runningSince = origin - uptime / 2
            firstExit = origin + uptime / 2
        }
        if case .leaking(_, let every)? = agent?.behaviour {
            firstExit = Self.firstLeakKill(every: every, origin: origin)
            runningSince = firstExit! - every
        }
        let created = min(runningSince, origin) - 9 * 86_400 - Double(stableHash(name) % 86_400)
        let info = ServiceInfo(id: demoID("service", name), name: name, image: image, mode: .replicated, desired: replicas,
                               running: 0, createdAt: created, labels: labels, spec: spec)
        services.append(DemoService(info: info, agent: agent, tasks: []))
        let s = services.count - 1
        guard replicas > 0 else { return }
        for slot in 1...replicas {
            addTask(s, slot: slot, at: runningSince - Self.prepareTime, startsAfter: Self.prepareTime)
            var task = services[s].tasks[services[s].tasks.count - 1]
            task.due = firstExit
            task.info.state = "running"
            task.info.timestamp = runningSince
            task.runningAt = runningSince
            if agent?.behaviour == .dockerHealthOnly { task.info.containerHealth = .healthy }
            services[s].tasks[services[s].tasks.count - 1] = task
        }
        countRunning(s)
    }

    private mutating func addTask(_ s: Int, slot: Int, at time: Date, startsAfter delay: Double) {
        tasksMade += 1
        let service = services[s]
        let node = DemoCast.nodes[(service.agent?.node ?? 0) % DemoCast.nodes.count]
        let info = TaskInfo(id: demoID("task", "\(service.info.name)#\(tasksMade)"), serviceID: service.info.id, slot: slot,
                            nodeID: node.id, state: "preparing", desiredState: "running", timestamp: time, createdAt: time,
                            containerID: demoID("container", "\(service.info.name)#\(tasksMade)"))
        services[s].tasks.append(DemoTask(info: info, runningAt: nil, endedAt: nil, due: time + delay))
        // Docker forgets the oldest ended tasks of a slot beyond its retention limit.
        let inSlot = services[s].tasks.indices.filter { services[s].tasks[$0].info.slot == slot }
        let excess = inSlot.count - Self.tasksKeptPerSlot
        if excess > 0 {
            let forget = Set(inSlot.filter { !services[s].tasks[$0].isWanted }.prefix(excess))
            services[s].tasks = services[s].tasks.enumerated().filter { !forget.contains($0.offset) }.map(\.element)
        }
        changed.insert(s)
    }

    private func end(_ task: inout DemoTask, state: String, at time: Date) {
        task.info.state = state
        task.info.desiredState = "shutdown"
        task.info.timestamp = time
        task.info.containerHealth = nil
        task.endedAt = time
        task.due = nil
    }

    private mutating func countRunning(_ s: Int) {
        services[s].info.running = services[s].tasks.filter(\.info.isRunning).count
        changed.insert(s)
    }

    private mutating func note(_ s: Int, _ text: String, at time: Date) {
        notes.append((services[s].info.name, ServiceEventNote(time: time, text: text)))
    }

    // MARK: - Usage

    /// The demo's hosts' CPUs.
    static let cpus = 4

    /// Each running task's container as its node's daemon would read it at `t`, by node ID: every agent's gateway
    /// busy at its own steady rate, one at its whole CPU limit, one leaking memory towards its limit.
    func readings(at t: Date) -> [String: [ContainerReading]] {
        var byNode: [String: [ContainerReading]] = [:]
        for service in services {
            for task in service.tasks where task.isWanted && task.info.state == "running" {
                guard let start = task.runningAt, let node = task.info.nodeID else { continue }
                let up = max(0, t.timeIntervalSince(start))
                let cores = service.agent?.cores ?? 0.02
                var memory = service.agent?.memory ?? 90 << 20
                if case .leaking(_, let every)? = service.agent?.behaviour, let limit = service.info.spec.memoryLimit {
                    memory = Self.leakBase + Int64(Double(limit - Self.leakBase) * min(1, up / every))
                }
                let counters = CPUCounters(used: UInt64(cores * up * 1e9),
                                           host: UInt64(t.timeIntervalSince(origin) * Double(Self.cpus) * 1e9), cpus: Self.cpus, at: t)
                byNode[node, default: []].append(ContainerReading(containerID: demoID("container", task.info.id), taskID: task.info.id,
                                                                  serviceID: service.info.id, cpu: counters, memory: memory))
            }
        }
        return byNode
    }

    /// The kills not posted yet, now posted.
    mutating func drainKills() -> [(task: String, at: Date)] {
        defer { killsTold = oomKills.count }
        return Array(oomKills[killsTold...])
    }

    // MARK: - Health

    /// What a probe of the agent's health URL answers at `t`.
    func sample(_ agent: DemoAgent, at t: Date) -> HealthSample {
        let k = Int((t.timeIntervalSince(origin) / agent.interval).rounded(.down))
        let n = noise(agent.name, k)
        func ok(_ latency: Double) -> HealthSample { HealthSample(time: t, ok: true, latency: latency, status: 200) }
        func failed(_ status: Int, _ latency: Double) -> HealthSample {
            HealthSample(time: t, ok: false, latency: latency, status: status, reason: "HTTP \(status)")
        }
        func notReady(_ body: String, _ latency: Double) -> HealthSample {
            let readiness = Readiness.parse(Array(body.utf8))
            return HealthSample(time: t, ok: false, latency: latency, status: 503, reason: readiness?.summary, readiness: readiness)
        }
        if agent.behaviour == .dockerHealthOnly {
            return HealthSample(time: t, ok: false, reason: "DNS: cannot resolve tasks.\(agent.service)", unreachable: true)
        }
        guard let s = index(of: agent.service),
              let running = services[s].tasks.first(where: { $0.isWanted && $0.info.state == "running" })?.runningAt,
              t >= running + agent.boot else {
            return HealthSample(time: t, ok: false, reason: "refused")
        }
        switch agent.behaviour {
        case .steady(let latency):
            let spike = noise(agent.name, k, "spike") > 0.95 ? 5.0 : 1.0
            return ok(latency * (0.75 + 0.5 * n) * spike)
        case .slow:
            if n > 0.92 { return HealthSample(time: t, ok: false, reason: "timeout after 5s") }
            return ok(0.35 + 1.4 * n)
        case .flapping:
            // 100 s of sluggish answers, then 40 s not ready while its Telegram channel is down (the demo opens 12 s
            // into such a spell).
            let phase = flappingPhase(at: t)
            return phase >= 100 ? notReady(Self.telegramDown, 0.003 + 0.004 * n) : ok(0.08 + 0.5 * n)
        case .rollingOut(let cycle, let drain):
            let into = rolloutPhase(at: t, cycle: cycle)
            if into < drain { return notReady(Self.draining, 0.002 + 0.002 * n) }
            if into < drain + 8 { return notReady(Self.starting, 0.002 + 0.002 * n) }
            return ok(0.062 * (0.75 + 0.5 * n))
        case .leaking(let latency, _):
            return ok(latency * (0.75 + 0.5 * n))
        case .crashLooping:
            return failed(500, 0.002 + 0.003 * n)
        case .slowStarter:
            return ok(0.025 * (0.75 + 0.5 * n))
        case .dockerHealthOnly:
            return HealthSample(time: t, ok: false, reason: "refused") // answered above
        }
    }

    /// Seconds into the flapping agent's 140 s cycle: 100 s up, then 40 s not ready.
    func flappingPhase(at t: Date) -> Double {
        (t.timeIntervalSince(origin) + 52).truncatingRemainder(dividingBy: 140)
    }

    /// Seconds into the current rollout of a `rollingOut` agent: the demo opens 20 s into a drain.
    func rolloutPhase(at t: Date, cycle: Double) -> Double {
        let phase = (t.timeIntervalSince(origin) - Self.historySpan + 20).truncatingRemainder(dividingBy: cycle)
        return phase < 0 ? phase + cycle : phase
    }

    func draining(at t: Date, cycle: Double, drain: Double) -> Bool { rolloutPhase(at: t, cycle: cycle) < drain }

    /// OpenClaw's readiness answers (503) to a local caller, as its gateway builds them.
    static let telegramDown = """
        {"ready":false,"failing":["telegram"],"uptimeMs":86400000,"conditions":[\
        {"type":"ChannelRuntimeReady","status":"False","requirement":"required","reason":"ChannelRuntimeUnavailable",\
        "message":"Selected channels are not ready: telegram."}],"failures":["ChannelRuntimeUnavailable"]}
        """
    static let draining = #"{"ready":false,"failing":["gateway-draining"],"uptimeMs":9000}"#
    static let starting = #"{"ready":false,"failing":["startup-sidecars"],"uptimeMs":2000}"#

    /// The sample for an agent by name; one the cast does not know (an `--all` service given `--health-url`)
    /// answers when its service runs.
    public func sample(agent name: String, at t: Date) -> HealthSample {
        if let agent = DemoCast.agents.first(where: { $0.listedAs == name }) { return sample(agent, at: t) }
        let running = index(of: name).map { services[$0].info.running > 0 } ?? false
        return running ? HealthSample(time: t, ok: true, latency: 0.01, status: 200)
            : HealthSample(time: t, ok: false, reason: "refused")
    }
}
