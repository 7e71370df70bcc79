import ArgumentParser
import ClawtopCore
import Dashboard
import Foundation
import FleetSource

enum StatusFormat: String, ExpressibleByArgument, CaseIterable {
    case plain, tmux, json
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "One line for a tmux status bar, a shell prompt or a monitoring check.",
        discussion: """
            Reads the fleet once, with one round of health probes, and prints the agents that need looking at by \
            name and the others counted: `✗ 2 unhealthy: billing, inbox · ● 41 · ○ 3`. Exit status as snapshot's: \
            0 when no agent is failing, unhealthy or missing, 1 when one is, 2 when clawtop could not do its job. \
            With several --context, the first.
            """)

    @Option(help: "plain, tmux (tmux's #[fg=…] colours) or json.")
    var format: StatusFormat = .plain
    @OptionGroup var display: DisplayOptions

    func run() throws {
        try display.withBackend { setup, backend, warren in
            let (state, now) = try oneRound(setup: setup, backend: backend, warren: warren)
            shutdownBlocking(backend, warren)
            let report = StatusReport(rows: state.agentRows(now: now), endpoint: state.endpoint, now: now)
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
