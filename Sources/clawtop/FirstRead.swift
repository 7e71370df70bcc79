import ClawtopCore
import DockerEngine
import Poller

/// The first read of the fleet, as messages; a `Failure` with the reason (and, when there is no daemon to read, how
/// to see the demo) when there is none.
func firstRead(_ backend: any FleetBackend) throws(Failure) -> [Message] {
    switch runBlocking({ () async throws(DockerError) -> [Message] in try await backend.load() }) {
    case .failure(let error):
        throw Failure(error.description + (suggestsDemo(error) ? "\nTo see clawtop without a swarm: clawtop --demo" : ""))
    case .success(let messages):
        return messages
    }
}

/// Whether the error means there is no swarm here to show, rather than one clawtop may not use.
func suggestsDemo(_ error: DockerError) -> Bool {
    switch error {
    case .socketMissing, .connectionRefused, .notSwarmManager, .contextNotFound, .transport, .timeout: return true
    default: return false
    }
}
