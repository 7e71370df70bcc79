import ClawtopCore
import Dashboard
import FleetSource
import Foundation
import HistoryStore
import Screen

/// What the runtime draws on, if anything: the terminal for the console; nothing for `record`, whose lines go to
/// standard error.
public protocol Frontend {
    /// Rings the terminal's bell.
    func bell()
    /// Paints the whole screen again.
    func repaint()
    /// A line for the operator where there is no screen (the recorder's transitions, why the history cannot be
    /// written).
    func say(_ line: String)
    /// Leaves the terminal to this program (`docker exec -it`) until it exits, then takes it back as it was: its
    /// exit status, or why it could not run. Nil where there is no terminal to leave.
    func runAside(_ command: DockerCommand) -> Result<Int32, Failure>?
}

/// How a run reaches beyond the swarm shown: other swarms, the `--notify` command.
public struct RuntimeOptions: Sendable {
    /// The swarms to switch between (files read: off the runtime's thread).
    public var listSwarms: @Sendable () -> [SwarmContext]
    /// A swarm's sources, not started yet, posting to the runtime's inbox; throws when the swarm's address cannot
    /// be used.
    public var openSwarm: OpenSwarm
    public typealias OpenSwarm = @Sendable (String, _ post: @escaping @Sendable (ConsoleEvent) -> Void) throws(Failure) -> SwarmSources
    /// `--notify`.
    public var notify: Notifier?

    public init(listSwarms: @escaping @Sendable () -> [SwarmContext] = { [] },
                openSwarm: @escaping OpenSwarm = Self.noOtherSwarm,
                notify: Notifier? = nil) {
        self.listSwarms = listSwarms
        self.openSwarm = openSwarm
        self.notify = notify
    }

    @Sendable public static func noOtherSwarm(_ name: String, _ post: @escaping @Sendable (ConsoleEvent) -> Void) throws(Failure) -> SwarmSources {
        throw Failure("no other swarm: \(name)")
    }
}

/// The one runtime of every command: it owns the inbox the sources post to, starts and stops the sources, feeds what
/// they post to `update` and carries out the effects it returns. The console, `record`, `snapshot` and `status` are
/// this runtime with a different view (a terminal, none, one frame, one line) and a different end (quit, a signal,
/// one round). It decides nothing: a source posts, `update` decides, the runtime carries out.
///
/// Every call but `inbox.post` comes from one thread (the loop's).
public final class Runtime: @unchecked Sendable {
    public private(set) var model: ConsoleModel
    public let inbox: Inbox<ConsoleEvent>
    /// The swarm shown: its sources feed the model.
    public private(set) var swarm: SwarmSources
    /// A swarm being loaded, to be shown next.
    private var pending: SwarmSources?
    let options: RuntimeOptions
    let frontend: (any Frontend)?
    private let clock: @Sendable () -> Date
    /// One round (`snapshot`, `status`): the sources are never started; the logs a frame shows are read once.
    let once: Bool

    /// - Parameters:
    ///   - wake: tells the loop that the inbox holds something (it must not call back into the runtime).
    ///   - swarm: the sources of the swarm shown first, posting to the runtime's inbox.
    public init(model: ConsoleModel, options: RuntimeOptions = RuntimeOptions(), once: Bool = false,
                frontend: (any Frontend)?, clock: @escaping @Sendable () -> Date = { Date() },
                wake: @escaping @Sendable () -> Void,
                swarm: (_ post: @escaping @Sendable (ConsoleEvent) -> Void) -> SwarmSources) {
        self.model = model
        self.once = once
        self.options = options
        self.frontend = frontend
        self.clock = clock
        let inbox = Inbox<ConsoleEvent>(wake: wake)
        self.inbox = inbox
        self.swarm = swarm(inbox.post)
    }

    /// Applies the swarm's first read, then starts its sources.
    public func start(firstRead: [Message]) {
        for message in firstRead { _ = send(.swarmMessage(swarm.name, message)) }
        swarm.start()
    }

    /// One event through `update`, and its effects carried out; false when one of them is to quit.
    @discardableResult
    public func send(_ event: ConsoleEvent) -> Bool {
        run(update(&model, event, now: clock()))
    }

    /// What the sources posted since the last drain; false when the run is to end.
    public func drain() -> Bool {
        inbox.drain().allSatisfy { send($0) }
    }

    /// The frame at this size, the clock moved on.
    public func frame(width: Int, height: Int) -> Buffer {
        if width != model.width || height != model.height { send(.resize(width: width, height: height)) }
        send(.tick)
        return view(model)
    }

    /// Runs the effects in order; false when one of them is to quit.
    func run(_ effects: [Effect]) -> Bool {
        var go = true
        for effect in effects {
            switch effect {
            case .perform(let request): swarm.actions.perform(request)
            case .followLogs(let service):
                if once { readLogsOnce(service) } else { swarm.logs.follow(service: service) }
            case .setProbeTargets(let targets):
                if !once { swarm.scheduler.setTargets(targets) }
            case .focusUsage(let service): swarm.backend.focusUsage(service: service)
            case .recordProbe(let agent, let url, let sample):
                swarm.writer?.add(RecordedSample(key: agent, url: url, sample: sample))
            case .recordTransitions(let transitions): swarm.writer?.add(transitions)
            case .recordUsage(let points): swarm.writer?.add(points)
            case .heartbeat(let report): beat(report)
            case .notify(let alerts, let name):
                let post = inbox.post
                options.notify?.run(alerts, swarm: name) { post(.notice($0)) }
            case .openShell(let target):
                let (containers, post) = (swarm.containers, swarm.post)
                Task.detached { post(.exec(await containers.shell(for: target))) }
            case .stepAside(let target, let command): stepAside(target, command)
            case .runStatus(let target):
                let (containers, post) = (swarm.containers, swarm.post)
                if once {
                    send(.fleet(.exec(.output(blocking { await containers.status(of: target) }))))
                } else {
                    Task.detached { post(.exec(.output(await containers.status(of: target)))) }
                }
            case .say(let line): frontend?.say(line)
            case .bell: frontend?.bell()
            case .repaint: frontend?.repaint()
            case .listSwarms:
                let (list, post) = (options.listSwarms, inbox.post)
                Task.detached { post(.swarms(list())) }
            case .loadSwarm(let name): load(name)
            case .showSwarm(let name): show(name)
            case .quit: go = false
            }
        }
        return go
    }

    /// The terminal left to a shell in a container, the session recorded; how it ended comes back as a message.
    private func stepAside(_ target: ExecTarget, _ command: DockerCommand) {
        guard let outcome = frontend?.runAside(command) else {
            swarm.post(.exec(.shellEnded(target, status: nil, problem: "no terminal to open a shell in")))
            return
        }
        switch outcome {
        case .success(let status):
            let unlogged = swarm.containers.logShell(target, status: status, at: clock())
            swarm.post(.exec(.shellEnded(target, status: status, problem: unlogged.map { "not logged: \($0)" })))
        case .failure(let failure):
            _ = swarm.containers.logShell(target, status: nil, at: clock())
            swarm.post(.exec(.shellEnded(target, status: nil, problem: failure.message)))
        }
    }

    /// The recorder's heartbeat with the fleet's line, on a thread of its own: a wait for another process's lock
    /// must not hold the loop. A lease taken by another recorder comes back as `.recorderReplaced`.
    private func beat(_ report: StatusReport) {
        guard let store = swarm.history else { return }
        let (post, name) = (inbox.post, swarm.name)
        DispatchQueue.global().async {
            do throws(HistoryError) {
                if try !store.beat(pid: RecorderIdentity.pid, host: RecorderIdentity.host, now: report.generatedAt, status: report) {
                    post(.recorderReplaced("another recorder has taken over \(store.path)"))
                }
            } catch {
                // As the writer says it, so that a full disk is told once, not with every beat.
                post(.swarmMessage(name, .history(.problem("not written: \(error.description); keeping what waits and trying again"))))
            }
        }
    }

    /// Connects to the swarm and reads it in the background; the outcome comes back as an event.
    private func load(_ name: String) {
        if let stale = pending { Task.detached { await stale.stop() } }
        pending = nil
        let next: SwarmSources
        do { next = try options.openSwarm(name, inbox.post) } catch {
            inbox.post(.swarmFailed(name: name, reason: error.message))
            return
        }
        pending = next
        let post = inbox.post
        Task.detached {
            do throws(SourceError) {
                let messages = try await next.backend.load()
                post(.swarmLoaded(name: name, endpoint: next.backend.displayName, messages))
            } catch {
                await next.stop()
                post(.swarmFailed(name: name, reason: error.description))
            }
        }
    }

    /// The swarm loaded last is shown: its sources start, the old swarm's stop.
    private func show(_ name: String) {
        guard let next = pending, next.name == name else { return }
        pending = nil
        let old = swarm
        swarm = next
        old.logs.stop()
        Task.detached { await old.stop() }
        next.start()
    }

    /// Writes what waits for the history, now (the process is about to exit on a signal).
    public func flushHistory() {
        swarm.flushHistory()
    }

    /// Stops the swarm shown and any being loaded.
    public func stop() async {
        await swarm.stop()
        await pending?.stop()
    }

    /// `stop`, from a thread that may block (a command's last step).
    public func stopBlocking() {
        _ = runBlocking { () async throws(SourceError) -> Bool in
            await self.stop()
            return true
        }
    }
}

/// Who this process is, for the recorder's lease.
public enum RecorderIdentity {
    public static let pid = getpid()
    public static let host = ProcessInfo.processInfo.hostName
}
