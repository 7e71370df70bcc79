import ArgumentParser
import ClawtopCore
import Foundation
import Runtime

/// Where the history on disk lives and how much of it is kept: shared by the console, `record`, `snapshot` and
/// `status`.
struct HistoryOptions: ParsableArguments {
    @Option(name: .customLong("history-retention"),
            help: ArgumentHelp("How long probe results, transitions and usage are kept on disk (Go durations: 168h, 30m; or 7d).",
                               valueName: "DURATION"))
    var retention = "7d"

    @Option(name: .customLong("history-max-mb"),
            help: ArgumentHelp("The most the history of one swarm may take on disk; the oldest samples go first.", valueName: "MB"))
    var maxMegabytes = 1024

    @Option(name: .customLong("history-dir"),
            help: ArgumentHelp("Where the swarms' histories are, one database each (default: CLAWTOP_HISTORY_DIR, else $XDG_STATE_HOME/clawtop/history, else ~/.local/state/clawtop/history). A console finds a recorder's results only in the same place.",
                               valueName: "DIR"))
    var directory: String?

    @Flag(name: .customLong("no-history"), help: "Keep no history on disk: start empty, write nothing.")
    var off = false

    func validate() throws {
        guard let seconds = HistoryPlace.seconds(retention), seconds >= 60 else {
            throw ValidationError("--history-retention takes a duration of a minute or more (7d, 48h, 90m), not '\(retention)'")
        }
        guard maxMegabytes >= 1 else { throw ValidationError("--history-max-mb takes a size of 1 MB or more, not \(maxMegabytes)") }
    }

    /// Where the histories are, for the runtime to open them.
    var place: HistoryPlace {
        var p = HistoryPlace()
        p.directory = directory
        p.retention = HistoryPlace.seconds(retention) ?? p.retention
        p.maxBytes = Int64(maxMegabytes) << 20
        p.off = off
        return p
    }

    /// Says on standard error, once, what is wrong with the history and what clawtop did about it.
    static func complain(_ notice: String?) {
        guard let notice else { return }
        FileHandle.standardError.write(Data("clawtop: \(sanitize(notice))\n".utf8))
    }
}
