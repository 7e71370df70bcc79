import ArgumentParser
import ClawtopCore
import Foundation
import Metrics
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

    @Option(name: .customLong("metrics-listen"),
            help: ArgumentHelp("Serve the fleet's metrics for Prometheus at http://ADDR/metrics: a port (on loopback) or HOST:PORT (0.0.0.0:9464 for every interface). No authentication: expose it as you would any exporter.",
                               valueName: "ADDR"))
    var metricsListen: String?

    @Option(name: .customLong("metrics-swarm"),
            help: ArgumentHelp("The swarm's name in the metrics' swarm label (default: the docker context or the daemon's address; give one where that says nothing, as /var/run/docker.sock in a container does).",
                               valueName: "NAME"))
    var metricsSwarm: String?

    func validate() throws {
        if fleet.demo { throw ValidationError("record writes a real swarm's history; --demo has none") }
        if history.off { throw ValidationError("record writes the history; leave out --no-history") }
        if let address = metricsListen, let problem = MetricsListener.problem(with: address) { throw ValidationError(problem) }
        if metricsSwarm != nil && metricsListen == nil { throw ValidationError("--metrics-swarm names the swarm in the metrics: give --metrics-listen too") }
        if metricsSwarm?.trimmingCharacters(in: .whitespaces).isEmpty == true { throw ValidationError("--metrics-swarm takes a name") }
    }

    func run() throws {
        let headless = Headless(name: "clawtop record")
        try fleet.connection.withFleet { open in
            let opening = history.place.open(swarm: open.name)
            HistoryOptions.complain(opening.notice)
            // A history it may only read (a newer clawtop's, one in a directory it may not write) is no recorder's.
            let store = opening.store.flatMap { $0.isReadOnly ? nil : $0 }
            if opening.store != nil, store == nil { HistoryOptions.complain("probing without writing the history") }
            let metrics: MetricsListener?
            do throws(MetricsError) {
                metrics = try metricsListen.map { address throws(MetricsError) in
                    try MetricsListener(address: address, swarm: metricsSwarm ?? open.name, version: Clawtop.configuration.version)
                }
            } catch {
                throw Failure(error.description)
            }
            defer { metrics?.stop() }
            if let metrics { headless.say("serving metrics at http://\(metrics.address)/metrics") }
            try Runtime.record(open, store: store, alerting: alerting.alerting(bell: false), notifier: alerting.notifier,
                               headless: headless, publish: metrics.map { m in { m.publish(fleet: $0.fleet, rows: $0.rows) } })
        }
    }
}
