import ClawtopCore

/// Warren's admin API as clawtop uses it: its view of the agents, live, and wake and sleep through it. The real one
/// speaks HTTP (`WarrenSource`); the demo simulates one.
public protocol WarrenLink: Sendable {
    /// Where it is, for the header and the action log (never with a token).
    var address: String { get }
    /// Keeps Warren's view current until cancelled: a full read, then its event stream, re-read after each
    /// reconnect; posts `.warren` messages, the link's state among them.
    func watch(post: @escaping @Sendable (Message) -> Void) async
    /// One full read, for `snapshot`: the messages that bring a new state to what Warren says now.
    func readOnce() async -> [Message]
    /// Asks Warren to wake (or put to sleep) an on-demand agent; Warren scales its service and follows it.
    func wake(_ agent: String) async throws(SourceError)
    func sleep(_ agent: String) async throws(SourceError)
    func shutdown() async
}
