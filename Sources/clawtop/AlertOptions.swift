import ArgumentParser
import ClawtopCore
import Foundation
import Dashboard
import Runtime

/// `--bell` and `--notify`: what the console and the recorder do when an agent becomes unhealthy, missing or
/// crash-looping, or recovers.
struct AlertOptions: ParsableArguments {
    @Option(name: .customLong("notify"),
            help: ArgumentHelp("A shell command run on each alert, with CLAWTOP_AGENT, CLAWTOP_OLD, CLAWTOP_NEW, CLAWTOP_REASON, CLAWTOP_TIME, CLAWTOP_ACTOR and CLAWTOP_SWARM in its environment.",
                               valueName: "CMD"))
    var notify: String?

    @Option(name: .customLong("notify-debounce"),
            help: ArgumentHelp("At most one alert per agent in this many seconds; what it does meanwhile is told once after, if it did not end where it was.",
                               valueName: "SECONDS"))
    var debounce = 60.0

    func validate() throws {
        if let notify, notify.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--notify takes a shell command, not an empty one")
        }
        guard debounce >= 0, debounce.isFinite else { throw ValidationError("--notify-debounce takes seconds, 0 or more") }
    }
}

extension AlertOptions {
    /// The alerts asked for, as the model keeps them.
    func alerting(bell: Bool) -> Alerting {
        Alerting(bell: bell, notify: notify != nil, window: debounce)
    }

    var notifier: Notifier? { notify.map(Notifier.init(command:)) }
}
