import ClawtopCore
import Foundation

/// The history's side of a console: the figures of the last hour, day and week read again each minute, and a watch
/// on the recorder's lease. While a recorder lives, its samples are read as they are written and posted as probes,
/// and `following` is told so that the console's own probes stop; when it stops (or dies), they start again.
public final class HistoryFollower: Sendable {
    public let store: HistoryStore

    public init(store: HistoryStore) {
        self.store = store
    }

    public func run(post: @escaping @Sendable (Message) -> Void, following: @escaping @Sendable (Bool) -> Void) async {
        var recorder: RecorderInfo?
        var cursor: Int64 = 0
        var windowsAt = ContinuousClock.now - .seconds(3_600)
        while !Task.isCancelled {
            let now = Date()
            let live = try? store.liveRecorder(now: now)
            if live?.pid != recorder?.pid || live?.host != recorder?.host {
                if let live {
                    cursor = (try? store.lastSampleID()) ?? 0
                    following(true)
                    post(.healthFrom(.recorder(live.description)))
                } else {
                    following(false)
                    post(.healthFrom(.probes))
                }
                recorder = live
            }
            if recorder != nil, let (samples, next) = try? store.samples(after: cursor) {
                cursor = next
                for s in samples { post(.probe(agent: s.key, url: s.url, sample: s.sample)) }
            }
            if ContinuousClock.now - windowsAt > .seconds(60), let windows = try? store.windows(now: now) {
                windowsAt = ContinuousClock.now
                post(.windows(windows))
            }
            try? await Task.sleep(for: .seconds(recorder == nil ? 2 : 1))
        }
    }
}
