import ArgumentParser
import ClawtopCore
import Dashboard
import Foundation
import Runtime

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Hold every agent to the containerising guide's checklist: a check before deploying, or from cron.",
        discussion: """
            Reads the fleet once (services, tasks, what each running container runs as on its node, the history's \
            probes and one round more) and prints each rule an agent fails, the worst first, with the fact and the guide's fix; then the \
            rules that cannot be judged, and why. A service's label clawtop.audit.ignore=rule,rule silences rules for \
            it. Exit status: 0 when every agent passes every rule (or is silenced for it), 1 when one fails or cannot \
            be judged, 2 when clawtop could not do its job.
            """)

    @Option(help: "text or json.")
    var format: AuditFormat = .text
    @OptionGroup var fleet: FleetOptions
    @OptionGroup var history: HistoryOptions

    func run() throws {
        try fleet.connection.withFleet { open in
            // The history's probes judge an agent asleep now by what it answered when awake.
            let opening = (fleet.demo ? HistoryPlace.none : history.place).openExisting(swarm: open.name)
            HistoryOptions.complain(opening.notice)
            let model = try Runtime.oneRound(open.model(ui: UIState(), width: 0, height: 0), fleet: open, history: opening.store, cpu: false)
            let report = AuditReport(model.fleet, rows: model.fleet.agentRows(now: model.now))
            switch format {
            case .text: print(Self.text(report, glyphs: fleet.ascii || !StatusCommand.utf8Locale ? .ascii : .unicode), terminator: "")
            case .json:
                let entries = FleetReport(model.fleet, now: model.now)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let document = AuditDocument(audit: entries.audit, silenced: entries.auditSilenced, passes: report.passes)
                FileHandle.standardOutput.write((try encoder.encode(document)) + Data("\n".utf8))
            }
            if !report.passes { throw ExitCode(1) }
        }
    }

    /// One line per finding, then the counts.
    static func text(_ report: AuditReport, glyphs g: Glyphs) -> String {
        var lines = report.failing.map { "\(g.bad) \(sanitize($0.agent)): \($0.fact) [\($0.rule)]; fix: \($0.fix)" }
        lines += report.unjudged.map { "? \(sanitize($0.agent)): cannot judge \($0.rule): \($0.fact)" }
        var summary = report.passes ? "\(g.ok) every agent keeps every rule" : "\(report.failing.count) failing, \(report.unjudged.count) cannot be judged"
        if report.silenced > 0 { summary += ", \(report.silenced) silenced (\(AuditReport.ignoreLabel))" }
        return (lines + [summary]).joined(separator: "\n") + "\n"
    }
}

enum AuditFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `clawtop audit --format json`.
struct AuditDocument: Encodable {
    var audit: [FleetReport.AuditEntry]
    var silenced: Int
    var passes: Bool
}
