import ClawtopCore
import DockerEngine
import Foundation
import Synchronization

/// Keeps the fleet state current from Docker: opens the events stream first, re-reads everything whenever it
/// (re)connects, then re-reads one service after the events that concern it, and every task now and then for what
/// no event reports. Messages go to `post`. In steady state that is one request each `taskInterval` besides the
/// events stream: the daemon is a swarm's manager, and an operator's dashboard must not load it.
///
/// Reads of one service are merged: a rolling restart brings some five events a replica within a second, and
/// Docker shows their effect on the tasks only a moment later. So a container event asks for one read of its
/// service `settleDelay` after the last event of its burst (and no later than `settleDelay` after that again), a
/// service event for one read `burstDelay` later and another `settleDelay` after that; while a read of the service
/// is in flight, events only mark it, and one more read follows. Reads fetch only what the events can have changed
/// (see `refresh`). Reads of different services run side by side, and the events loop never waits for one.
public final class DockerWatcher: Sendable {
    public let client: DockerClient
    public let post: @Sendable (Message) -> Void
    /// How often every task is re-read (`GET /tasks`), for changes no event reports: tasks on other nodes.
    public let taskInterval: Double

    /// Delay of the read of a service after a container event, and of the second read after a service event: swarm
    /// marks a task `running` a moment after its container's `start` event, and no task event follows.
    public let settleDelay: Double
    /// Delay of the read after a service event: one API call brings two or three events (the spec, the update state).
    public let burstDelay: Double

    /// The services being read, and what their next read must fetch; a service is here while its reader runs.
    private let readers = Mutex<[String: Reader]>([:])
    /// What the last read of each service found, for a read that fetches only the tasks.
    private let known = Mutex(KnownServices())

    public init(client: DockerClient, taskInterval: Double = 30, settleDelay: Double = 1.5, burstDelay: Double = 0.2,
                post: @escaping @Sendable (Message) -> Void) {
        self.client = client
        self.taskInterval = taskInterval
        self.settleDelay = settleDelay
        self.burstDelay = burstDelay
        self.post = post
    }

    /// Reads nodes, services and tasks once, as one snapshot message.
    /// No `GET /info` first: it is the daemon's slowest answer, and on a daemon that is no manager the swarm reads
    /// fail with the same typed error.
    public static func snapshot(_ client: DockerClient, now: Date = Date()) async throws(DockerError) -> Message {
        async let nodes = client.nodes()
        async let services = client.services()
        async let tasks = client.tasks()
        async let containers = client.taskContainers()
        do {
            let health = WireToModel.health(try await containers)
            return .docker(.snapshot(nodes: try await nodes.map(WireToModel.node), services: try await services.map(WireToModel.service),
                             tasks: try await tasks.map { WireToModel.task($0, health: health) }, at: now))
        } catch let e as DockerError {
            throw e
        } catch {
            throw .transport(address: client.endpoint.address, reason: "\(error)")
        }
    }

    /// Runs until cancelled; the reads it started end with it.
    public func run() async {
        await withDiscardingTaskGroup { group in
            // A slow re-read of the tasks catches what no event reports (tasks on other nodes). Services and nodes
            // change only through the API, which sends events; a dropped stream is followed by a full re-read.
            group.addTask { [self] in
                while !Task.isCancelled {
                    do { try await Task.sleep(for: .seconds(taskInterval)) } catch { return }
                    await rereadTasks()
                }
            }
            for await item in client.events() {
                if Task.isCancelled { break }
                switch item {
                case .connected:
                    await resync()
                case .disconnected(let error, let retry):
                    post(.docker(.connection(.reconnecting("\(error.description) (retrying in \(Int(retry.rounded(.up)))s)"))))
                case .event(let event):
                    if event.kind == .node {
                        // A node went down, came back or changed availability: its tasks may have too.
                        group.addTask { [self] in
                            await rereadNodes()
                            await rereadTasks()
                        }
                        continue
                    }
                    guard let id = event.serviceID, !id.isEmpty else { continue }
                    if let name = event.serviceName, !name.isEmpty { post(.docker(.event(service: name, WireToModel.note(event)))) }
                    if event.kind == .service && event.action == "remove" {
                        readers.withLock { $0[id]?.next = nil } // nothing left to read
                        forget(id)
                        post(.docker(.serviceRemoved(id: id, at: Date())))
                        continue
                    }
                    guard let wanted = wanted(after: event) else { continue }
                    if ask(id, wanted) { group.addTask { [self] in await read(id) } }
                }
            }
            group.cancelAll()
        }
        readers.withLock { $0.removeAll() }
    }

    /// What a read of the service must fetch, and when it is due.
    struct Wanted {
        /// A later event of the burst moves it on, up to `latest`.
        var due: ContinuousClock.Instant
        var latest: ContinuousClock.Instant
        /// A service event: the spec, the replicas or the update state may have changed.
        var service = false
        /// A container started: its health check, if it has one, is `starting`.
        var started = false
        /// A health check changed its verdict.
        var health = false
        /// Read `settleDelay` after this read too.
        var settle = false
        /// Reads already made for tasks still on their way to running (see `settleRetries`).
        var retries = 0

        func merged(_ other: Wanted) -> Wanted {
            let latest = min(latest, other.latest)
            return Wanted(due: min(max(due, other.due), latest), latest: latest, service: service || other.service,
                          started: started || other.started, health: health || other.health, settle: settle || other.settle,
                          retries: min(retries, other.retries))
        }

        /// A read `delay` from now, or up to `delay` later when more events come.
        static func after(_ delay: Double) -> Wanted {
            let due = ContinuousClock.now + .seconds(delay)
            return Wanted(due: due, latest: due + .seconds(delay))
        }
    }

    private struct Reader {
        /// nil while the read in flight has all that was asked.
        var next: Wanted?
    }

    private struct KnownServices {
        var byID: [String: Known] = [:]
        /// One more for each full re-read, which forgets them all.
        var generation = 0
    }

    private func forget(_ id: String) { known.withLock { _ = $0.byID.removeValue(forKey: id) } }

    struct Known {
        var service: ServiceInfo
        /// Health-check status by task ID, from the last read of the service's containers.
        var health: [String: ContainerHealth]
        /// Whether the service's running containers have a health check; nil when none was running.
        var checksHealth: Bool?
    }

    /// nil for an event that changes nothing a read shows (`kill`: the task runs until its container dies).
    func wanted(after event: DockerEvent) -> Wanted? {
        switch event.kind {
        case .service:
            var wanted = Wanted.after(burstDelay)
            wanted.latest = wanted.due
            wanted.service = true
            wanted.settle = true
            return wanted
        case .container where event.action == "kill":
            return nil
        default:
            var wanted = Wanted.after(settleDelay)
            wanted.started = event.action == "start"
            wanted.health = event.action.hasPrefix("health_status")
            return wanted
        }
    }

    /// Asks for a read of the service; true when no reader runs for it, and the caller must start one.
    private func ask(_ id: String, _ wanted: Wanted) -> Bool {
        readers.withLock { readers in
            if let reader = readers[id] {
                readers[id]!.next = reader.next.map { $0.merged(wanted) } ?? wanted
                return false
            }
            readers[id] = Reader(next: wanted)
            return true
        }
    }

    /// How many times a service whose tasks are on their way to running is read again (3, 6, 12, 24 s after).
    static let settleRetries = 4

    /// The reader of one service: reads it when a read is due, until none is asked for.
    private func read(_ id: String) async {
        enum Step { case done, wait(Duration), read(Wanted) }
        while !Task.isCancelled {
            let step = readers.withLock { readers -> Step in
                guard let next = readers[id]?.next else {
                    readers[id] = nil
                    return .done
                }
                let now = ContinuousClock.now
                if next.due > now { return .wait(next.due - now) }
                readers[id]!.next = nil
                return .read(next)
            }
            switch step {
            case .done:
                return
            case .wait(let left):
                // Not to the due time at once: an event meanwhile may bring it forward.
                do { try await Task.sleep(for: min(left, .milliseconds(100))) } catch { return }
            case .read(let wanted):
                let unsettled = await refresh(id, wanted)
                if wanted.settle { _ = ask(id, .after(settleDelay)) }
                // A task Swarm has not marked running yet, and no event will say when it does (a loaded manager
                // takes longer than `settleDelay`): read again, each time twice as late, a few times.
                if unsettled, wanted.retries < Self.settleRetries {
                    var again = Wanted.after(settleDelay * Double(2 << wanted.retries))
                    again.retries = wanted.retries + 1
                    _ = ask(id, again)
                }
            }
        }
    }

    private func resync() async {
        do {
            let snapshot = try await Self.snapshot(client)
            let networks = await WireToModel.networks(client, services: snapshot.servicesRead)
            known.withLock { // events may have been missed: the next reads fetch everything
                $0.byID.removeAll()
                $0.generation += 1
            }
            post(snapshot)
            if let networks { post(.docker(.networks(networks))) }
        } catch {
            post(.docker(.connection(.failed(error.description))))
        }
    }

    private func rereadNodes() async {
        do {
            post(.docker(.nodes(try await client.nodes().map(WireToModel.node))))
        } catch {
            post(.docker(.connection(.failed(error.description))))
        }
    }

    private func rereadTasks() async {
        let started = Date()
        do {
            post(.docker(.tasks(try await client.tasks().map { WireToModel.task($0) }, at: started)))
        } catch {
            post(.docker(.connection(.failed(error.description))))
        }
    }

    /// Reads the service's tasks, its spec after a service event, and its containers when a health check may have
    /// changed: after container events alone the service is the one read last, with its running tasks counted
    /// again; a container that starts has a health check only if the service's running ones had one (or none ran).
    /// The first read of a service fetches all three.
    /// Messages carry when the read began: the store drops a read that began before the last one it applied.
    /// True when a task it read is on its way to running.
    private func refresh(_ id: String, _ wanted: Wanted) async -> Bool {
        let started = Date()
        let (last, generation) = known.withLock { ($0.byID[id], $0.generation) }
        let readService = wanted.service || last == nil
        let readContainers = last == nil || wanted.health || (wanted.started && last?.checksHealth != false)
        do {
            async let listed = readService ? client.services(id: id) : nil
            async let tasks = client.tasks(service: id)
            async let containers = readContainers ? client.taskContainers(service: id) : nil
            var service: ServiceInfo
            var health = last?.health ?? [:], checksHealth = last?.checksHealth
            if let listed = try await listed {
                guard let first = listed.first else {
                    forget(id)
                    post(.docker(.serviceRemoved(id: id, at: started)))
                    return false
                }
                service = WireToModel.service(first)
                if let last, last.service.image != service.image || last.service.spec.healthcheck != service.spec.healthcheck {
                    checksHealth = nil // the next containers may check their health where the last did not
                }
            } else {
                service = last!.service
            }
            if let containers = try await containers {
                health = WireToModel.health(containers)
                checksHealth = containers.isEmpty ? nil : !health.isEmpty
            }
            let infos = try await tasks.map { task in
                // A health status read before is the container's only while it runs.
                WireToModel.task(task, health: readContainers || task.Status.State == "running" ? health : [:])
            }
            if !readService {
                // As Docker counts `RunningTasks`: a task being stopped runs until its container dies (10 s by
                // default), and the full re-read, `snapshot` and the service reads show it as running meanwhile.
                service.running = infos.filter(\.isRunning).count
            }
            let kept = known.withLock { known in
                guard known.generation == generation else { return false }
                known.byID[id] = Known(service: service, health: health, checksHealth: checksHealth)
                return true
            }
            // A full re-read came meanwhile: the service this read took from the one before may be older than it.
            guard kept || readService else { return false }
            post(.docker(.service(service, tasks: infos, at: started)))
            return infos.contains(where: \.isOnItsWay)
        } catch DockerError.serviceNotFound {
            forget(id)
            post(.docker(.serviceRemoved(id: id, at: started)))
            return false
        } catch {
            // Read everything again rather than keep a stale service until its next event; the stream stays up.
            await resync()
            return false
        }
    }
}

extension Message {
    /// The services a full read (`DockerWatcher.snapshot`) brought.
    var servicesRead: [ServiceInfo] {
        if case .docker(.snapshot(_, let services, _, _)) = self { return services }
        return []
    }
}
