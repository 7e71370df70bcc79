import ClawtopCore
import Foundation
import FleetSource

/// Carries out confirmed actions through the backend, posts how each ended, and appends it to the action log.
public struct ActionRunner: Sendable {
    let backend: any FleetBackend
    /// Wake and sleep of the agents Warren runs go through it.
    let warren: (any WarrenLink)?
    /// Where actions are recorded; nil for the demo, whose actions change nothing real.
    let log: ActionLog?
    let post: @Sendable (Message) -> Void

    /// Starts the action in the background; the outcome arrives as a `.action` message.
    func perform(_ request: ActionRequest) {
        Task.detached {
            let outcome: ActionOutcome
            var change = ActionChange(before: "", after: "")
            do throws(SourceError) {
                if request.route == .warren, let warren, let agent = request.agent {
                    if request.verb == .wake { try await warren.wake(agent) } else { try await warren.sleep(agent) }
                    change = ActionChange(before: "warren: asked to \(request.verb.rawValue)", after: "")
                } else {
                    change = try await backend.perform(request)
                }
                outcome = ActionOutcome(request: request, ok: true, message: "done", at: Date())
            } catch {
                outcome = ActionOutcome(request: request, ok: false, message: error.description, at: Date())
            }
            var logged = outcome
            if let problem = log?.append(outcome, before: change.before, after: change.after) {
                logged.message += " (not logged: \(problem))"
            }
            post(.action(logged))
        }
    }
}
