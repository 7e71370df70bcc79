import Foundation
import Synchronization

/// The runtime's loop where there is no terminal (`record`): it drains the inbox when the sources post, ticks every
/// second, and ends on a stop signal or when `update` says so. Its lines go to standard error.
public final class Headless: Frontend, Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let caught = Mutex<Int32>(0)
    /// "clawtop record", before each line.
    let name: String

    public init(name: String) {
        self.name = name
    }

    /// What the runtime's inbox calls when something is posted.
    public var wake: @Sendable () -> Void { { [semaphore] in semaphore.signal() } }

    /// Runs until one of `signals` arrives (returned) or the runtime is told to end (nil).
    public func run(_ runtime: Runtime, stoppingOn signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]) -> Int32? {
        let sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { [self] in
                caught.withLock { $0 = number }
                semaphore.signal()
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        var lastTick = ContinuousClock.now
        while true {
            _ = semaphore.wait(timeout: .now() + 1)
            let number = caught.withLock { $0 }
            if number != 0 { return number }
            guard runtime.drain() else { return nil }
            if ContinuousClock.now - lastTick >= .seconds(1) {
                lastTick = ContinuousClock.now
                guard runtime.send(.tick) else { return nil }
            }
        }
    }

    public func bell() {}
    public func repaint() {}

    public func say(_ line: String) {
        FileHandle.standardError.write(Data("\(name): \(line)\n".utf8))
    }
}
