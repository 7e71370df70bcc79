import ClawtopCore
import FleetSource
import Health
import HistoryStore

/// Something that feeds the fleet's state: started with a way to post messages, it runs until cancelled. A source
/// decides nothing: it posts what it reads, `update` decides, the runtime carries out.
public protocol Source: Sendable {
    func run(post: @escaping @Sendable (Message) -> Void) async
}

/// The swarm's state, kept current by its backend (Docker's events, or the demo's world).
struct Watching: Source {
    let backend: any FleetBackend
    func run(post: @escaping @Sendable (Message) -> Void) async { await backend.watch(post: post) }
}

/// What the tasks' containers consume, read on their nodes.
struct ReadingUsage: Source {
    let backend: any FleetBackend
    func run(post: @escaping @Sendable (Message) -> Void) async { await backend.readUsage(post: post) }
}

/// What Warren says, from its admin API.
struct HearingWarren: Source {
    let warren: any WarrenLink
    func run(post: @escaping @Sendable (Message) -> Void) async { await warren.watch(post: post) }
}

extension HealthScheduler: Source {}
extension HistoryFollower: Source {}
extension HistoryWriter: Source {}
