import ArgumentParser
import ClawtopCore
import Foundation
import HistoryStore
import OrchestratorConfig
import Runtime

/// Where the history on disk lives and how much of it is kept: shared by the console, `record`, `snapshot` and
/// `status`.
struct HistoryOptions: ParsableArguments {
    @Option(name: .customLong("history-retention"),
            help: ArgumentHelp("How long probe results and transitions are kept on disk (Go durations: 168h, 30m; or 7d).",
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
        guard let seconds = Self.seconds(retention), seconds >= 60 else {
            throw ValidationError("--history-retention takes a duration of a minute or more (7d, 48h, 90m), not '\(retention)'")
        }
        guard maxMegabytes >= 1 else { throw ValidationError("--history-max-mb takes a size of 1 MB or more, not \(maxMegabytes)") }
    }

    /// `7d` (days), else a Go duration (`168h`, `90m`).
    static func seconds(_ text: String) -> TimeInterval? {
        if text.hasSuffix("d"), let days = Double(text.dropLast()), days > 0 { return days * 86_400 }
        return GoDuration.parse(text)
    }

    /// The database of the swarm named `swarm`.
    func path(swarm: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard let directory = directory ?? environment["CLAWTOP_HISTORY_DIR"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return HistoryStore.defaultPath(swarm: swarm, environment: environment)
        }
        return HistoryStore.path(swarm: swarm, in: directory)
    }

    /// The swarm's history for a run that writes it (created if need be); nil with `--no-history`. Whatever is wrong
    /// with it (a damaged file, set aside and started anew; a directory that cannot be written; a file from a newer
    /// clawtop; a lock held too long) never stops the live view: the store comes back with a notice of what clawtop
    /// did, or none does.
    func open(swarm: String) -> HistoryOpening {
        open(swarm: swarm, as: .writer)
    }

    /// The swarm's history if there is one already, for `snapshot` and `status`: they create, move and write nothing.
    func openExisting(swarm: String) -> HistoryOpening {
        guard FileManager.default.fileExists(atPath: path(swarm: swarm)) else { return HistoryOpening.none }
        return open(swarm: swarm, as: .reader)
    }

    private func open(swarm: String, as role: HistoryRole) -> HistoryOpening {
        guard !off else { return HistoryOpening.none }
        return HistoryStore.open(path: path(swarm: swarm), retention: Self.seconds(retention) ?? HistoryStore.defaultRetention,
                                 maxBytes: Int64(maxMegabytes) << 20, as: role)
    }

    /// Says on standard error, once, what is wrong with the history and what clawtop did about it.
    static func complain(_ notice: String?) {
        guard let notice else { return }
        FileHandle.standardError.write(Data("clawtop: \(sanitize(notice))\n".utf8))
    }
}
