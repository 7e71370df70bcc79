import ClawtopCore
@testable import Dashboard
import Foundation
import Testing

/// `clawtop status`'s line, from the sample fleet (pure).
struct StatusLineTests {
    let fleet = sampleFleet().0
    let now = sampleFleet().1

    var report: StatusReport { StatusReport(rows: fleet.agentRows(now: now), endpoint: fleet.endpoint, now: now) }

    @Test func theAgentsToLookAtByNameTheOthersCounted() {
        #expect(report.unhealthy == ["beta"] && report.missing == ["zeta"] && report.failing == ["delta"])
        #expect(report.exitStatus == 1)
        #expect(statusLine(report, glyphs: .unicode, style: .plain)
                == "✗ 1 unhealthy: beta · ◌ 1 missing: zeta · ▲ 1 failing: delta · ● 2 · ○ 1 · ? 1")
        #expect(statusLine(report, glyphs: .ascii, style: .plain)
                == "x 1 unhealthy: beta | - 1 missing: zeta | ! 1 failing: delta | * 2 | o 1 | ? 1")
    }

    @Test func tmuxColoursInItsOwnSyntaxWithItsFormatCharacterDoubled() {
        var r = report
        r.unhealthy = ["a#b", "c", "d", "e"]
        let line = statusLine(r, glyphs: .unicode, style: .tmux)
        #expect(line.hasPrefix("#[fg=red]✗ 4 unhealthy: a##b, c, d +1#[default] · "), "\(line)")
        #expect(line.contains("#[fg=green]● 2#[default]") && line.hasSuffix(" · ○ 1 · ? 1"), "\(line)")
    }

    /// A service with a task that cannot be placed needs looking at: `status` names it unhealthy, and the console's
    /// header counts it among the failing, whatever its running replica says.
    @Test func theHeaderCountsAsStatusDoes() {
        var fleet = self.fleet
        var alpha = fleet.services["id-openclaw_alpha"]!
        alpha.desired = 2
        let stuck = TaskInfo(id: "t-stuck", serviceID: alpha.id, slot: 2, nodeID: nil, state: "pending", desiredState: "running",
                             error: "no suitable node (insufficient resources on 3 nodes)", exitCode: nil,
                             timestamp: now, createdAt: now, containerHealth: nil)
        reduce(&fleet, .docker(.service(alpha, tasks: (fleet.tasks[alpha.id] ?? []) + [stuck], at: now)))
        let report = StatusReport(rows: fleet.agentRows(now: now), endpoint: fleet.endpoint, now: now)
        #expect(report.unhealthy.contains("alpha"), "\(report)")
        var model = ConsoleModel(fleet: fleet, ui: UIState(), width: 160, height: 30, now: now, swarm: "prod")
        _ = update(&model, .tick, now: now)
        let header = view(model).text.split(separator: "\n").first.map(String.init) ?? ""
        let failing = report.unhealthy.count + report.failing.count
        #expect(header.contains("● \(report.healthy) healthy") && header.contains("✗ \(failing) failing"), "\(header)")
    }

    @Test func anEmptyFleetSaysSo() {
        let empty = StatusReport(rows: [], endpoint: "e", now: now)
        #expect(statusLine(empty, glyphs: .unicode, style: .plain) == "no agents" && empty.exitStatus == 0)
    }
}
