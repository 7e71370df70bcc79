import ArgumentParser
import ClawtopCore
import Dashboard
import Foundation
import Runtime
import Screen

enum SnapshotFormat: String, ExpressibleByArgument, CaseIterable {
    case text, ansi, json
}

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Print the console's frame (or the state as JSON), without a terminal.",
        discussion: """
            Draws exactly what the console would show for the same state and size, through the same renderer, after \
            one round of health probes. Exit status: 0 when no agent is failing, unhealthy or missing; 1 when one \
            is; 2 when clawtop could not do its job (no daemon, an unknown --select); 64 for a malformed option.
            """)

    @Option(help: "Columns of the frame (default: the terminal's, else 120).")
    var width: Int?
    @Option(help: "Rows of the frame (default: the terminal's, else 40).")
    var height: Int?
    @Option(help: "What to draw: \(UIState.snapshotViews.joined(separator: ", ")).")
    var view = "table"
    @Option(help: "The agent to select (for details and logs; default: the first row).")
    var select: String?
    @Option(help: "text (the frame), ansi (the frame with colours) or json (the state).")
    var format: SnapshotFormat = .text
    @Option(name: .customLong("exec-status"),
            help: "Print this agent's own status instead, run in its first running replica's container: `openclaw status --json`, or its label clawtop.exec.status (a JSON document shown readably; --format json gives it whole). Exit 0 when it succeeds, 1 when it fails, 2 when it cannot be run.")
    var execStatus: String?
    @OptionGroup var fleet: FleetOptions
    @OptionGroup var history: HistoryOptions

    func validate() throws {
        var ui = UIState()
        guard ui.show(view: view) else {
            throw ValidationError("--view takes one of \(UIState.snapshotViews.joined(separator: ", ")), not '\(view)'")
        }
        for value in [width, height].compactMap({ $0 }) where !(1...1000).contains(value) {
            throw ValidationError("--width and --height must be between 1 and 1000")
        }
    }

    /// The terminal's size when standard output is one.
    static func terminalSize() -> (Int, Int)? {
        var size = winsize()
        guard isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    func run() throws {
        guard fleet.contexts.count > 1 else {
            try fleet.connection.withFleet { open in
                let (output, status) = try snapshot(open)
                FileHandle.standardOutput.write(output)
                if status != 0 { throw ExitCode(status) }
            }
            return
        }
        // Each swarm in turn: frames one after another (a blank line between), JSON documents one after another (a
        // stream, as jq reads it), each naming its endpoint. The exit status is the worst; a swarm that cannot be
        // read says why and makes it 2, and the others are still shown.
        var worst: Int32 = 0
        for (i, context) in fleet.contexts.enumerated() {
            do {
                try fleet.connection.withFleet(context: context) { open in
                    let (output, status) = try snapshot(open)
                    if i > 0 && format != .json { FileHandle.standardOutput.write(Data("\n".utf8)) }
                    FileHandle.standardOutput.write(output)
                    worst = max(worst, status)
                }
            } catch let failure as Failure {
                FileHandle.standardError.write(Data("clawtop: \(context): \(failure.message)\n".utf8))
                worst = 2
            }
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    /// The frame (or JSON) of one swarm, and the exit status it calls for.
    private func snapshot(_ open: OpenFleet) throws -> (Data, Int32) {
        let opening = (fleet.demo ? HistoryPlace.none : history.place).openExisting(swarm: open.name)
        HistoryOptions.complain(opening.notice)
        var ui = UIState(glyphs: fleet.ascii ? .ascii : .unicode)
        ui.sort = fleet.sort
        ui.selectedID = select
        _ = ui.show(view: view)
        let (w, h) = Self.terminalSize() ?? (120, 40)
        // The last hour, day and week, for the details and the JSON.
        let model = try Runtime.oneRound(open.model(ui: ui, width: width ?? w, height: height ?? h), fleet: open,
                                         history: opening.store, windows: execStatus == nil, execStatus: execStatus)
        if execStatus != nil, let output = model.fleet.execOutput { return try Self.printed(output, format: format) }
        if let select, !model.fleet.agents.contains(where: { $0.name == select }) {
            let names = model.fleet.agents.map(\.name)
            throw Failure("no agent named '\(select)'" + (names.isEmpty ? "" : "; the agents are: " + names.joined(separator: ", ")))
        }
        let status = StatusReport(rows: model.fleet.agentRows(now: model.now), endpoint: model.fleet.endpoint, now: model.now).exitStatus
        switch format {
        case .text: return (Data(Dashboard.view(model).text.utf8), status)
        case .ansi: return (Data(ansiText(Dashboard.view(model)).utf8), status)
        case .json: return (FleetReport(model.fleet, now: model.now).json() + Data("\n".utf8), status)
        }
    }

    /// `--exec-status`: the command's output as the pane shows it (text), or whole (JSON); 0 when it succeeded, 1
    /// when it failed; a command that could not be run is a failure (2).
    static func printed(_ output: ExecOutput, format: SnapshotFormat) throws -> (Data, Int32) {
        guard output.problem == nil, let status = output.status else { throw Failure(output.problem ?? "not run") }
        let verdict: Int32 = status == 0 ? 0 : 1
        if format == .json {
            var document: [String: Any] = ["agent": output.target.agent, "replica": output.target.replica,
                                           "container": String(output.target.containerID.prefix(12)), "command": output.command,
                                           "exitStatus": status, "output": output.json ?? sanitize(output.stdout)]
            if !output.stderr.isEmpty { document["stderr"] = sanitize(output.stderr) }
            let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            return (data + Data("\n".utf8), verdict)
        }
        let head = "\(output.target.name): \(output.command): \(output.outcome)"
        let lines = [head] + output.lines.map { ($0.stream == .stderr ? "! " : "  ") + sanitize($0.text) }
        return (Data((lines.map { sanitize($0) }.joined(separator: "\n") + "\n").utf8), verdict)
    }
}
