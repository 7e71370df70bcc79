import ClawtopCore
import FleetSource

/// The first read of the fleet, as messages; a `Failure` with the reason (and, when there is no daemon to read, how
/// to see the demo) when there is none.
public func firstRead(_ backend: any FleetBackend) throws(Failure) -> [Message] {
    switch runBlocking({ () async throws(SourceError) -> [Message] in try await backend.load() }) {
    case .failure(let error):
        throw Failure(error.description + (error.noSwarmHere ? "\nTo see clawtop without a swarm: clawtop --demo" : ""))
    case .success(let messages):
        return messages
    }
}
