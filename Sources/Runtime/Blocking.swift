import Foundation
import FleetSource

/// Runs async work from synchronous code (the console owns the main thread; work runs on the pool).
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws(SourceError) -> T) -> Result<T, SourceError> {
    let semaphore = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, SourceError>?
    Task.detached {
        do throws(SourceError) { result = .success(try await body()) } catch { result = .failure(error) }
        semaphore.signal()
    }
    semaphore.wait()
    return result!
}

/// Closes the backend's connections from synchronous code.
public func shutdownBlocking(_ backend: any FleetBackend, _ warren: (any WarrenLink)? = nil) {
    _ = runBlocking { () async throws(SourceError) -> Bool in
        await backend.shutdown()
        await warren?.shutdown()
        return true
    }
}
