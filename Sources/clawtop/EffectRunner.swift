import CursesTerminal
import Dashboard
import FleetSource
import Health

/// Carries out what the console's update asks for.
struct EffectRunner {
    let console: Console
    let scheduler: HealthScheduler
    let logs: LogFollower
    let actions: ActionRunner

    /// Runs the effects in order; false when one of them is to quit.
    func run(_ effects: [Effect]) -> Bool {
        for effect in effects {
            switch effect {
            case .perform(let request): actions.perform(request)
            case .followLogs(let service): logs.follow(service: service)
            case .setProbeTargets(let targets): scheduler.setTargets(targets)
            case .bell: console.bell()
            case .repaint: console.repaint()
            case .quit: return false
            }
        }
        return true
    }
}
