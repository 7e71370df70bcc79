import ClawtopCore
import Foundation
import FleetSource
import Synchronization

/// The demo: a simulated swarm in this process, behind the same interface as Docker. It opens with a quarter of an
/// hour of history, then lives on in real time: agents answer their probes, one flaps, one crash-loops, logs flow,
/// and restart, scale, wake and sleep act on it. Nothing leaves the process.
public final class DemoBackend: FleetBackend {
    /// The demo's first moment: a whole minute, so the ages it shows are exact and its usage minutes fall the same
    /// way on every run.
    public let start: Date
    private let world: Shared
    private let opening: [Message]
    /// How often the world moves on and its changes are posted.
    public let tick: Double

    public init(start: Date = Date(), tick: Double = 0.5) {
        let whole = Date(timeIntervalSinceReferenceDate: (start.timeIntervalSinceReferenceDate / 60).rounded(.down) * 60)
        let (world, messages) = DemoWorld.opening(at: whole)
        self.start = whole
        self.world = Shared(world)
        opening = messages
        self.tick = tick
    }

    /// The agents as Warren's orchestrator.yaml would list them (the labelled agent is not in it).
    public static func setup(showAll: Bool = false, healthURLs: [String: String] = [:]) -> AgentSetup {
        DemoCast.setup(showAll: showAll, healthURLs: healthURLs)
    }

    /// The demo's Warren, over the same simulated world.
    public var warren: DemoWarren { DemoWarren(world: world, tick: 2) }

    public var displayName: String { "demo" }
    public var openingMoment: Date? { start }
    public var prober: any HealthProbing { DemoProber(world: world) }

    public func load() async throws(SourceError) -> [Message] {
        opening + [.history(.past(DemoPast.history(before: start)))]
    }

    /// Posts what changed every `tick`, and a full read every 30 s (the Docker watcher re-reads its tasks as often).
    public func watch(post: @escaping @Sendable (Message) -> Void) async {
        var lastFull = Date()
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(tick)) } catch { return }
            let now = Date()
            let full = now.timeIntervalSince(lastFull) >= 30
            if full { lastFull = now }
            for message in world.state.withLock({ w -> [Message] in
                w.advance(to: now)
                return w.drain() + (full ? [w.snapshotMessage()] : [])
            }) {
                post(message)
            }
        }
    }

    public func perform(_ request: ActionRequest) async throws(SourceError) -> ActionChange {
        let now = Date()
        return try world.state.withLock { (w: inout DemoWorld) throws(SourceError) -> ActionChange in
            w.advance(to: now)
            switch request.kind {
            case .restart: return try w.restart(request.id)
            case .scale(_, let to): return try w.scale(request.id, to: to)
            case .availability(_, let to): return try w.setAvailability(node: request.id, to: to)
            case .rollback:
                // As Docker answers for a service that was never updated: the demo's never were.
                throw SourceError("service \(request.name) has no previous spec to roll back to")
            }
        }
    }

    public func logs(service: String, request: LogRequest) async throws(SourceError) -> AsyncThrowingStream<LogEntry, Error> {
        guard world.state.withLock({ $0.index(of: service) }) != nil else { throw DemoWorld.notFound(service) }
        let world = world, tick = tick
        return AsyncThrowingStream { continuation in
            let task = Task {
                var upTo = world.state.withLock { $0.now }
                for line in world.state.withLock({ $0.logLines(service, since: request.since, tail: request.tail, until: upTo) }) {
                    continuation.yield(line)
                }
                while request.follow && !Task.isCancelled {
                    do { try await Task.sleep(for: .seconds(tick)) } catch { break }
                    let (exists, lines, now) = world.state.withLock { w in
                        (w.index(of: service) != nil, w.logLines(service, since: upTo, tail: nil, until: w.now), w.now)
                    }
                    guard exists else { break }
                    for line in lines { continuation.yield(line) }
                    upTo = now
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Every node "read", every `tick` × 4, with the kills as they happen.
    public func readUsage(post: @escaping @Sendable (Message) -> Void) async {
        post(reach)
        while !Task.isCancelled {
            let now = Date()
            let (readings, kills) = world.state.withLock { w in
                w.advance(to: now)
                return (w.readings(at: now), w.drainKills())
            }
            for message in Self.messages(readings, kills: kills, at: now) { post(message) }
            do { try await Task.sleep(for: .seconds(tick * 4)) } catch { return }
        }
    }

    /// Every node is read every 2 s already.
    public func focusUsage(service: String?) {}

    /// Two readings, two seconds apart, up to the world's moment, and every kill so far.
    public func usageOnce(cpu: Bool) async -> [Message] {
        let (before, readings, kills, now) = world.state.withLock { w in
            (w.readings(at: w.now - 2), w.readings(at: w.now), w.oomKills, w.now)
        }
        return [reach] + (cpu ? Self.messages(before, kills: [], at: now - 2) : []) + Self.messages(readings, kills: kills, at: now)
    }

    /// Every node of the demo, read as a daemon of its own would be.
    private var reach: Message {
        .usage(.reach(Dictionary(DemoCast.nodes.map { ($0.id, NodeReach(via: "the demo")) }, uniquingKeysWith: { a, _ in a }),
                      unmatched: []))
    }

    private static func messages(_ readings: [String: [ContainerReading]], kills: [(task: String, at: Date)], at: Date) -> [Message] {
        let nodes = DemoCast.nodes.map(\.id)
        let byTask = Dictionary(kills.map { ($0.task, $0.at) }, uniquingKeysWith: { a, _ in a })
        let killed = byTask.sorted { $0.value < $1.value }.map { Message.usage(.oomKilled(node: "", tasks: [$0.key], at: $0.value)) }
        return nodes.map { .usage(.readings(node: $0, readings[$0] ?? [], at: at)) } + killed
    }

    public func shutdown() async {}

    /// The world, shared by the backend, its prober and its log streams.
    final class Shared: Sendable {
        let state: Mutex<DemoWorld>
        init(_ world: DemoWorld) { state = Mutex(world) }
    }
}

/// Answers probes from the simulated world, taking as long as the simulated answer does.
struct DemoProber: HealthProbing {
    let world: DemoBackend.Shared

    func probe(_ target: ProbeTarget) async -> HealthSample {
        let now = Date()
        let sample = world.state.withLock { $0.sample(agent: target.agent, at: now) }
        let takes = sample.latency ?? (sample.reason?.hasPrefix("timeout") == true ? target.timeout : 0.001)
        try? await Task.sleep(for: .seconds(min(takes, target.timeout)))
        return sample
    }
}
