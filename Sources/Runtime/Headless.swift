import ClawtopCore
import Dashboard
import Foundation
import Synchronization

/// The runtime's loop where there is no terminal (`record`): it drains the inbox when the sources post, ticks every
/// second, and ends on a stop signal or when `update` says so. Its lines go to standard error.
public final class Headless: Frontend, Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let caught = Mutex<Int32>(0)
    private nonisolated(unsafe) var signalSources: [any DispatchSourceSignal] = []
    /// "clawtop record", before each line.
    let name: String

    /// Stop signals are caught from here on, so one that comes while the command starts up (opening the history,
    /// the first read) still ends it cleanly once its loop runs.
    public init(name: String, stoppingOn signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]) {
        self.name = name
        signalSources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { [weak self] in
                self?.caught.withLock { $0 = number }
                self?.semaphore.signal()
            }
            source.resume()
            return source
        }
    }

    deinit {
        signalSources.forEach { $0.cancel() }
    }

    /// What the runtime's inbox calls when something is posted.
    public var wake: @Sendable () -> Void { { [semaphore] in semaphore.signal() } }

    /// Runs until a stop signal arrives (returned) or the runtime is told to end (nil). `publish` is given the model
    /// after each tick (the metrics' next scrape).
    public func run(_ runtime: Runtime, publish: ((ConsoleModel) -> Void)? = nil) -> Int32? {
        var lastTick = ContinuousClock.now
        while true {
            _ = semaphore.wait(timeout: .now() + 1)
            let number = caught.withLock { $0 }
            if number != 0 { return number }
            guard runtime.drain() else { return nil }
            if ContinuousClock.now - lastTick >= .seconds(1) {
                lastTick = ContinuousClock.now
                guard runtime.send(.tick) else { return nil }
                publish?(runtime.model)
            }
        }
    }

    public func bell() {}
    public func repaint() {}
    /// No terminal to leave: a shell is for the console.
    public func runAside(_ command: DockerCommand) -> Result<Int32, Failure>? { nil }

    public func say(_ line: String) {
        FileHandle.standardError.write(Data("\(name): \(line)\n".utf8))
    }
}
