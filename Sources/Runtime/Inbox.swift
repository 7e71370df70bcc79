import Synchronization

/// What the sources post, kept for the runtime's thread: post from anywhere; `wake` tells the loop (the terminal's
/// poll, or the headless loop's wait) that there is something to drain.
public final class Inbox<Event: Sendable>: Sendable {
    private let queue = Mutex<[Event]>([])
    private let wake: @Sendable () -> Void

    public init(wake: @escaping @Sendable () -> Void) {
        self.wake = wake
    }

    public func post(_ event: Event) {
        queue.withLock { $0.append(event) }
        wake()
    }

    public func drain() -> [Event] { queue.withLock { q in defer { q.removeAll() }; return q } }
}
