import ArgumentParser
import ClawtopCore
import Dashboard
import Foundation
import Runtime

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
    @OptionGroup var fleet: FleetOptions
    @OptionGroup var history: HistoryOptions

    func run() throws {
        let connection = fleet.connection, place = history.place
        // While a recorder writes the swarm's history, its line: nothing is asked of Docker, no client is made.
        if let name = connection.displayName(context: fleet.contexts.first),
           let recorded = place.recorderStatus(swarm: name, now: Date()) {
            return try print(recorded)
        }
        try connection.withFleet { open in
            let opening = (connection.demo ? HistoryPlace.none : place).openExisting(swarm: open.name)
            HistoryOptions.complain(opening.notice)
            let model = try Runtime.oneRound(open.model(ui: UIState(), width: 0, height: 0), fleet: open, history: opening.store, cpu: false)
            try print(StatusReport(rows: model.fleet.agentRows(now: model.now), endpoint: model.fleet.endpoint, now: model.now))
        }
    }

    /// Prints the line in the format asked; exits 1 (by throwing) when something needs looking at.
    private func print(_ report: StatusReport) throws {
        let glyphs: Glyphs = fleet.ascii || !Self.utf8Locale ? .ascii : .unicode
        switch format {
        case .plain: Swift.print(statusLine(report, glyphs: glyphs, style: .plain))
        case .tmux: Swift.print(statusLine(report, glyphs: glyphs, style: .tmux))
        case .json: FileHandle.standardOutput.write(report.json() + Data("\n".utf8))
        }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }

    /// Whether the locale says UTF-8 (LC_ALL, LC_CTYPE, LANG, in that order), as the console decides.
    static var utf8Locale: Bool {
        let env = ProcessInfo.processInfo.environment
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { env[$0] }.first { !$0.isEmpty } ?? ""
        return locale.uppercased().contains("UTF-8") || locale.uppercased().contains("UTF8")
    }
}
