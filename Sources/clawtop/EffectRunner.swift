import ClawtopCore
import CursesTerminal
import Dashboard
import FleetSource
import Foundation

/// Carries out what the console's update asks for, through the sources of the swarm shown; loads another swarm
/// beside it when asked, and hands the console over to it once it is shown.
final class EffectRunner: @unchecked Sendable {
    let console: Console
    /// The swarm shown: its sources feed the console.
    private(set) var session: SwarmSession
    /// A swarm being loaded, to be shown next.
    private var pending: SwarmSession?
    /// The swarms to switch between (files read: off the console's thread).
    let listSwarms: @Sendable () -> [SwarmContext]
    /// A swarm's sources, not started yet; throws when the swarm's address cannot be used.
    let openSwarm: (String) throws(Failure) -> SwarmSession
    let post: @Sendable (ConsoleEvent) -> Void
    /// `--bell` and `--notify`.
    let alerts: Alerts
    private var ticking: Task<Void, Never>?

    init(console: Console, session: SwarmSession, listSwarms: @escaping @Sendable () -> [SwarmContext],
         openSwarm: @escaping (String) throws(Failure) -> SwarmSession, alerts: Alerts,
         post: @escaping @Sendable (ConsoleEvent) -> Void) {
        self.console = console
        self.session = session
        self.listSwarms = listSwarms
        self.openSwarm = openSwarm
        self.alerts = alerts
        self.post = post
        if alerts.enabled {
            ticking = Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    alerts.tick()
                }
            }
        }
    }

    /// Runs the effects in order; false when one of them is to quit.
    func run(_ effects: [Effect]) -> Bool {
        for effect in effects {
            switch effect {
            case .perform(let request): session.actions.perform(request)
            case .followLogs(let service): session.logs.follow(service: service)
            case .setProbeTargets(let targets): session.setProbeTargets(targets)
            case .transitions(let transitions):
                session.record(transitions)
                alerts.take(transitions, swarm: session.backend.displayName)
            case .bell: console.bell()
            case .repaint: console.repaint()
            case .listSwarms:
                let (list, post) = (listSwarms, post)
                Task.detached { post(.swarms(list())) }
            case .loadSwarm(let name): load(name)
            case .showSwarm(let name): show(name)
            case .quit: return false
            }
        }
        return true
    }

    /// Connects to the swarm and reads it in the background; the outcome comes back as an event.
    private func load(_ name: String) {
        if let stale = pending { Task.detached { await stale.stop() } }
        pending = nil
        let next: SwarmSession
        do { next = try openSwarm(name) } catch {
            post(.swarmFailed(name: name, reason: error.message))
            return
        }
        pending = next
        let post = post
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
        let old = session
        session = next
        old.logs.stop()
        Task.detached { await old.stop() }
        next.start()
    }

    /// Stops the swarm shown and any being loaded (at quit).
    func stop() async {
        ticking?.cancel()
        await session.stop()
        await pending?.stop()
    }
}
