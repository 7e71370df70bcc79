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

    @Test func anEmptyFleetSaysSo() {
        let empty = StatusReport(rows: [], endpoint: "e", now: now)
        #expect(statusLine(empty, glyphs: .unicode, style: .plain) == "no agents" && empty.exitStatus == 0)
    }
}
