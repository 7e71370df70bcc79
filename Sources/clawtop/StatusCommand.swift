import ArgumentParser
import ClawtopCore
import Dashboard
import Foundation
import FleetSource
import HistoryStore

enum StatusFormat: String, ExpressibleByArgument, CaseIterable {
    case plain, tmux, json
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "One line for a tmux status bar, a shell prompt or a monitoring check.",
        discussion: """
            Prints the agents that need looking at by name and the others counted: \
            `✗ 2 unhealthy: billing, inbox · ● 41 · ○ 3`. While a `clawtop record` writes the swarm's history, from \
            what it last wrote, without a request to Docker; else from one read of the fleet and one round of \
            health probes. Exit status as snapshot's: 0 when no agent is failing, unhealthy or missing, 1 when one \
            is, 2 when clawtop could not do its job. With several --context, the first.
            """)

    @Option(help: "plain, tmux (tmux's #[fg=…] colours) or json.")
    var format: StatusFormat = .plain
    @OptionGroup var display: DisplayOptions
    @OptionGroup var history: HistoryOptions

    func run() throws {
        try display.withBackend { setup, backend, warren in
            let store = display.demo ? nil : try history.openExisting(swarm: backend.displayName)
            let report: StatusReport
            if let recorded = try? store?.recorderStatus(now: Date()) {
                // The recorder's line: Docker is not asked.
                shutdownBlocking(backend, warren)
                report = recorded.report
            } else {
                let (state, now) = try oneRound(setup: setup, backend: backend, warren: warren, history: store)
                shutdownBlocking(backend, warren)
                report = StatusReport(rows: state.agentRows(now: now), endpoint: state.endpoint, now: now)
            }
            let glyphs: Glyphs = display.ascii || !Self.utf8Locale ? .ascii : .unicode
            switch format {
            case .plain: print(statusLine(report, glyphs: glyphs, style: .plain))
            case .tmux: print(statusLine(report, glyphs: glyphs, style: .tmux))
            case .json: FileHandle.standardOutput.write(report.json() + Data("\n".utf8))
            }
            if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
        }
    }

    /// Whether the locale says UTF-8 (LC_ALL, LC_CTYPE, LANG, in that order), as the console decides.
    static var utf8Locale: Bool {
        let env = ProcessInfo.processInfo.environment
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { env[$0] }.first { !$0.isEmpty } ?? ""
        return locale.uppercased().contains("UTF-8") || locale.uppercased().contains("UTF8")
    }
}
