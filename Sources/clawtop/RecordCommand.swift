import ArgumentParser
import ClawtopCore
import Foundation
import Runtime

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Probe and watch the swarm without a terminal, writing its history: for a systemd unit or a Swarm service on a manager.",
        discussion: """
            Writes every probe result and every transition to the swarm's history, as the console does, and what \
            `clawtop status` prints while it runs. A console opened on the same swarm shows the recorder's results \
            and probes nothing itself; when the recorder stops, the console probes again. One recorder per swarm: \
            a second one exits with status 2 while the first lives. Takes no action on the swarm. \
            Stops on SIGTERM or SIGINT, with what it gathered written.
            """)

    @OptionGroup var fleet: FleetOptions
    @OptionGroup var history: HistoryOptions
    @OptionGroup var alerting: AlertOptions

    func validate() throws {
        if fleet.demo { throw ValidationError("record writes a real swarm's history; --demo has none") }
        if history.off { throw ValidationError("record writes the history; leave out --no-history") }
    }

    func run() throws {
        let headless = Headless(name: "clawtop record")
        try fleet.connection.withFleet { open in
            let opening = history.place.open(swarm: open.name)
            HistoryOptions.complain(opening.notice)
            // A history it may only read (a newer clawtop's, one in a directory it may not write) is no recorder's.
            let store = opening.store.flatMap { $0.isReadOnly ? nil : $0 }
            if opening.store != nil, store == nil { HistoryOptions.complain("probing without writing the history") }
            try Runtime.record(open, store: store, alerting: alerting.alerting(bell: false), notifier: alerting.notifier,
                               headless: headless)
        }
    }
}
