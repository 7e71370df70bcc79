import ClawtopCore
import Foundation
import Synchronization

/// Follows the log of one service in the background, for the logs pane: the last `tail` lines of each task, then
/// every new line, delivered in batches to `post`.
///
/// When the stream ends or fails while the service is still followed, it reconnects after a backoff (1 s, 2 s, 4 s,
/// … at most 10 s, from the first failure after lines came) and asks only for lines since the newest one received,
/// without repeating it. Problems go to `status`, and `nil` once the service answers again. Both callbacks name the
/// service, so a batch that was under way when the selection changed can be told apart; they are called from a
/// background task, and should hand the data over rather than call back into the follower.
///
/// Every method is safe to call from any thread. The background task ends on `stop()`, on `follow` of another
/// service, or when the follower is released.
public final class LogFollower: Sendable {
    private let session: Session
    private let current = Mutex<(service: String, task: Task<Void, Never>)?>(nil)

    /// - Parameters:
    ///   - tail: lines per task to start with (Docker applies it to each retained task).
    ///   - retry: the wait before the first reconnect, doubled after each failure up to `maxRetry`.
    ///   - batchInterval: how long to gather lines that arrive together before posting them as one batch.
    ///   - status: a problem with the stream of `service`, or nil when it streams again.
    ///   - post: new lines of `service`, oldest first.
    public init(backend: any FleetBackend, tail: Int = 200, retry: Double = 1, maxRetry: Double = 10,
                batchInterval: Double = 0.05,
                status: @escaping @Sendable (_ service: String, _ problem: String?) -> Void = { _, _ in },
                post: @escaping @Sendable (_ service: String, _ entries: [LogEntry]) -> Void) {
        session = Session(backend: backend, tail: tail, retry: retry, maxRetry: maxRetry, batchInterval: batchInterval,
                          status: status, post: post)
    }

    deinit { current.withLock { $0?.task.cancel() } }

    /// The service being followed.
    public var service: String? { current.withLock { $0?.service } }

    /// Follows `service` (a name or ID) from now on, stopping the stream of any other; nil stops. Following the
    /// service already followed changes nothing.
    public func follow(service: String?) {
        let previous: Task<Void, Never>? = current.withLock { state in
            guard state?.service != service else { return nil }
            let old = state?.task
            state = service.map { name in (name, Task { [session] in await session.run(name) }) }
            return old
        }
        previous?.cancel()
    }

    /// Stops following: nothing is posted once the background task has seen the cancellation.
    public func stop() { follow(service: nil) }
}

/// What the background task needs, without the follower (so releasing the follower cancels it).
private struct Session: Sendable {
    let backend: any FleetBackend
    let tail: Int
    let retry: Double
    let maxRetry: Double
    let batchInterval: Double
    let status: @Sendable (String, String?) -> Void
    let post: @Sendable (String, [LogEntry]) -> Void

    /// Streams, reconnecting, until cancelled.
    func run(_ service: String) async {
        var cursor = LogCursor()
        var failures = 0
        while !Task.isCancelled {
            let problem: String
            do {
                let since = cursor.startStream()
                let request = LogRequest(follow: true, tail: since == nil ? tail : nil, since: since)
                let lines = try await backend.logs(service: service, request: request)
                status(service, nil)
                if try await receive(lines, service: service, cursor: &cursor) {
                    failures = 0
                }
                problem = "the log stream ended"
            } catch {
                problem = (error as? SourceError)?.description ?? "\(error)"
            }
            if Task.isCancelled { return }
            failures += 1
            let wait = min(maxRetry, retry * pow(2, Double(failures - 1)))
            status(service, "\(problem) (reconnecting in \(Int(wait.rounded(.up)))s)")
            do { try await Task.sleep(for: .seconds(wait)) } catch { return }
        }
    }

    /// Reads one stream to its end, posting each line with those that arrive within `batchInterval` after it as one
    /// batch (sorted by time: Docker sends each task's backlog in turn). Returns whether any line was new.
    private func receive(_ lines: AsyncThrowingStream<LogEntry, Error>, service: String,
                         cursor: inout LogCursor) async throws -> Bool {
        let outbox = Outbox()
        let (batches, batchStarted) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in batches {
                    try? await Task.sleep(for: .seconds(batchInterval))
                    let batch = outbox.take()
                    if !batch.isEmpty && !Task.isCancelled { post(service, sortedByTime(batch)) }
                }
            }
            var received = false
            var failure: Error?
            do {
                for try await line in lines where cursor.admit(line) {
                    received = true
                    if outbox.add(line) { batchStarted.yield() }
                }
            } catch {
                failure = error
            }
            batchStarted.finish() // the last batch is posted, then the poster ends
            try await group.waitForAll()
            if let failure { throw failure }
            return received
        }
    }

}

extension LogFollower {
    /// The last `tail` lines of each task of a service, once, without following: for `snapshot --view logs`.
    public static func recent(backend: any FleetBackend, service: String, tail: Int = 200) async throws -> [LogEntry] {
        var entries: [LogEntry] = []
        for try await line in try await backend.logs(service: service, request: LogRequest(follow: false, tail: tail)) {
            entries.append(line)
        }
        return sortedByTime(entries)
    }
}

/// A stable sort by time, when every entry has one.
private func sortedByTime(_ entries: [LogEntry]) -> [LogEntry] {
    guard entries.allSatisfy({ $0.time != nil }) else { return entries }
    return entries.enumerated().sorted { ($0.element.time!, $0.offset) < ($1.element.time!, $1.offset) }.map(\.element)
}

/// Lines waiting to be posted, shared by the reader and the poster.
private final class Outbox: Sendable {
    private let entries = Mutex<[LogEntry]>([])

    /// Adds one; true when it starts a new batch.
    func add(_ entry: LogEntry) -> Bool {
        entries.withLock {
            $0.append(entry)
            return $0.count == 1
        }
    }

    func take() -> [LogEntry] {
        entries.withLock {
            let all = $0
            $0 = []
            return all
        }
    }
}

/// Where a followed log got to, so that a new stream asks for lines since the newest one received, and the lines
/// at that very time that were received already are not delivered twice.
private struct LogCursor {
    /// A line, to recognise it when a stream sends it again.
    struct Key: Hashable {
        var taskID: String?
        var stream: LogStreamKind
        var text: String
    }

    /// The newest time received.
    private var newest: Date?
    /// The lines received at `newest`.
    private var atNewest: Set<Key> = []
    /// Where the current stream started: lines before it, or at it and seen, are old.
    private var resumed: (time: Date, seen: Set<Key>)?

    /// Starts a stream: the time to ask for lines since, nil for the first.
    mutating func startStream() -> Date? {
        resumed = newest.map { ($0, atNewest) }
        return newest
    }

    /// Whether `line` is new, noting it if so. Lines without a time are always new.
    mutating func admit(_ line: LogEntry) -> Bool {
        guard let time = line.time else { return true }
        let key = Key(taskID: line.taskID, stream: line.stream, text: line.text)
        if let resumed, time < resumed.time || (time == resumed.time && resumed.seen.contains(key)) { return false }
        if let newest, time <= newest {
            if time == newest { atNewest.insert(key) }
        } else {
            newest = time
            atNewest = [key]
        }
        return true
    }
}
