import ClawtopCore
import Dispatch
import Foundation

/// The history's side of a console: the past read first (the first frame does not wait for it), the figures of the
/// last hour, day and week read a few seconds later and again each minute, and a watch on the recorder's lease. While
/// a recorder lives, `.history(.healthFrom(.recorder))` says so and its samples are read as they are written and
/// posted as probes; when it stops (or dies), `.history(.healthFrom(.probes))`. The reads run on a thread of their
/// own, off the tasks that watch and probe.
public final class HistoryFollower: Sendable {
    public let store: HistoryStore
    /// The samples each agent's history holds.
    let capacity: Int
    private let queue = DispatchQueue(label: "clawtop.history.follower")

    public init(store: HistoryStore, capacity: Int) {
        self.store = store
        self.capacity = capacity
    }

    public func run(post: @escaping @Sendable (Message) -> Void) async {
        let past: PastHistory? = await withCheckedContinuation { done in
            queue.async { done.resume(returning: try? self.store.loadPast(capacity: self.capacity)) }
        }
        if let past { post(.history(.past(past))) }
        var recorder: RecorderInfo?
        var cursor = SampleCursor()
        // The windows a few seconds after the start, when the first frames are drawn.
        var windowsAt = ContinuousClock.now - .seconds(57)
        while !Task.isCancelled {
            (recorder, cursor, windowsAt) = await withCheckedContinuation { done in
                queue.async { [recorder, cursor, windowsAt] in
                    done.resume(returning: self.step(recorder: recorder, cursor: cursor, windowsAt: windowsAt, post: post))
                }
            }
            try? await Task.sleep(for: .seconds(recorder == nil ? 2 : 1))
        }
    }

    /// One look: the recorder's lease, its new samples, the windows once a minute.
    private func step(recorder: RecorderInfo?, cursor: SampleCursor, windowsAt: ContinuousClock.Instant,
                      post: @Sendable (Message) -> Void) -> (RecorderInfo?, SampleCursor, ContinuousClock.Instant) {
        var (recorder, cursor, windowsAt) = (recorder, cursor, windowsAt)
        let now = Date()
        let live = try? store.liveRecorder(now: now)
        if live?.pid != recorder?.pid || live?.host != recorder?.host {
            if let live {
                cursor = (try? store.endOfSamples()) ?? SampleCursor()
                post(.history(.healthFrom(.recorder(live.description))))
            } else {
                post(.history(.healthFrom(.probes)))
            }
            recorder = live
        }
        if recorder != nil, let samples = try? store.samples(after: &cursor) {
            for s in samples { post(.probe(agent: s.key, url: s.url, sample: s.sample)) }
        }
        if ContinuousClock.now - windowsAt > .seconds(60), let windows = try? store.windows(now: now) {
            windowsAt = ContinuousClock.now
            post(.history(.windows(windows)))
        }
        return (recorder, cursor, windowsAt)
    }
}
