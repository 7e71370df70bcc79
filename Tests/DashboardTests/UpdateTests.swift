import ClawtopCore
@testable import Dashboard
import Foundation
import Screen
import Testing

/// The console's loop in-process: events in, effects and frames out, no terminal.
struct UpdateTests {
    let fleet = sampleFleet().0
    let now = sampleFleet().1

    /// The sample fleet on a screen of this size, after the first frame's tick.
    func console(width: Int = 120, height: Int = 40, selecting agent: String? = nil) -> ConsoleModel {
        var ui = UIState()
        ui.selectedID = agent
        var model = ConsoleModel(fleet: fleet, ui: ui, width: width, height: height, now: now)
        _ = update(&model, .tick, now: now)
        return model
    }

    @discardableResult
    func send(_ events: [ConsoleEvent], to model: inout ConsoleModel, at time: Date? = nil) -> [Effect] {
        var effects: [Effect] = []
        for event in events { effects += update(&model, event, now: time ?? now) }
        return effects
    }

    func keys(_ text: String) -> [ConsoleEvent] { text.map { .key(.char($0)) } }

    func alphaLine(_ text: String, task: String = "t-openclaw_alpha-running") -> LogEntry {
        LogEntry(time: now, stream: .stdout, taskID: task, text: text)
    }

    // MARK: - Swarms

    /// `c` asks for the swarms; Enter on another asks to load it; once loaded it is shown, the first is parked with
    /// its history, and switching back brings that history back. A message from the parked swarm's sources (an
    /// action's outcome) lands in its parked state, not on screen.
    @Test func switchingSwarmsParksEachOnesHistory() {
        var model = console()
        let failure = HealthSample(time: now, ok: false, reason: "refused")
        send([.fleet(.probe(agent: "alpha", url: "http://127.0.0.1:18800/health", sample: failure))], to: &model)
        let history = model.fleet.health["alpha"]
        #expect(history?.count ?? 0 > 0)
        #expect(send(keys("c"), to: &model) == [.listSwarms])
        let choices = [SwarmContext(name: "default", address: "unix:///var/run/docker.sock"),
                       SwarmContext(name: "prod", address: "ssh://ops@manager", description: "the real one"),
                       SwarmContext(name: "broken", address: nil, problem: "no such file")]
        send([.swarms(choices)], to: &model)
        #expect(model.ui.overlay == .swarms(SwarmPicker(choices: choices, selected: 0, shown: "default")))
        #expect(view(model).text.contains("ssh://ops@manager"))
        // The broken one says why and stays closed; the one shown is no switch.
        #expect(send(keys("jj") + [.key(.enter)], to: &model).isEmpty)
        #expect(model.ui.flash?.text == "broken: no such file")
        send(keys("c") + [.swarms(choices)], to: &model)
        #expect(send([.key(.enter)], to: &model).isEmpty && model.ui.flash?.text == "already showing default")
        send(keys("c") + [.swarms(choices)], to: &model)
        #expect(send(keys("j") + [.key(.enter)], to: &model) == [.loadSwarm("prod")])
        #expect(model.switching == "prod" && model.fleet.endpoint == fleet.endpoint, "the first stays until prod is read")

        let effects = send([.swarmLoaded(name: "prod", endpoint: "prod", [])], to: &model)
        #expect(effects.first == .showSwarm("prod") && effects.contains(.setProbeTargets([])))
        #expect(model.swarm == "prod" && model.fleet.endpoint == "prod" && model.fleet.health.isEmpty)
        #expect(view(model).text.contains("prod"))
        let outcome = ActionOutcome(request: ActionRequest(agent: "alpha", service: "openclaw_alpha", serviceID: "id-openclaw_alpha",
                                                           kind: .restart, verb: .restart),
                                    ok: true, message: "done", at: now)
        send([.swarmMessage("default", .action(outcome))], to: &model)
        #expect(model.fleet.lastAction == nil && model.parked["default"]?.lastAction == outcome)

        send(keys("c") + [.swarms(choices)] + keys("k") + [.key(.enter)], to: &model)
        let back = send([.swarmLoaded(name: "default", endpoint: "default", [])], to: &model)
        #expect(back.first == .showSwarm("default"))
        #expect(model.fleet.health["alpha"] == history, "the history as it was left")
        #expect(model.parked["prod"] != nil)
    }

    @Test func aSwarmThatCannotBeReadLeavesTheOneShown() {
        var model = console()
        let choices = [SwarmContext(name: "default", address: "unix:///var/run/docker.sock"),
                       SwarmContext(name: "prod", address: "ssh://ops@manager")]
        send(keys("c") + [.swarms(choices)] + keys("j") + [.key(.enter)], to: &model)
        #expect(send([.swarmFailed(name: "prod", reason: "ssh to manager: authentication failed")], to: &model) == [.bell])
        #expect(model.swarm == "default" && model.switching == nil)
        #expect(model.ui.flash?.text == "cannot switch to prod: ssh to manager: authentication failed")
        // A late answer for a swarm no longer asked for changes nothing.
        #expect(send([.swarmLoaded(name: "prod", endpoint: "prod", [])], to: &model).isEmpty && model.swarm == "default")
    }

    // MARK: - Messages

    @Test func theFirstReadAsksForTheProbeTargetsAndOnlyAChangeAsksAgain() {
        var model = ConsoleModel(fleet: FleetState(endpoint: "e", setup: fleet.setup), ui: UIState(), width: 120, height: 40,
                                 now: now)
        let read = Message.docker(.snapshot(nodes: fleet.nodes, services: Array(fleet.services.values),
                                    tasks: Array(fleet.tasks.values.joined()), at: now))
        let first = send([.fleet(read)], to: &model)
        #expect(first == [.setProbeTargets(fleet.probeTargets)] && fleet.probeTargets.count >= 3)
        #expect(send([.fleet(read)], to: &model).isEmpty, "the same agents: nothing to ask")
        let removed = send([.fleet(.docker(.serviceRemoved(id: "id-openclaw_alpha", at: now)))], to: &model)
        #expect(removed == [.setProbeTargets(fleet.probeTargets.filter { $0.agent != "alpha" })])
    }

    /// Three failed probes make alpha unhealthy; the tick after them tells of it.
    func failAlpha(_ model: inout ConsoleModel) -> [Effect] {
        let failure = HealthSample(time: now, ok: false, reason: "refused")
        var effects: [Effect] = []
        for _ in 0..<3 {
            effects += send([.fleet(.probe(agent: "alpha", url: "http://127.0.0.1:18800/health", sample: failure))], to: &model)
        }
        return effects
    }

    let alphaDown = Transition(time: sampleFleet().1, agent: "alpha", from: .healthy, to: .unhealthy, reason: "refused")

    @Test func anAlertRingsTheBellAndRunsTheHookOncePerWindow() {
        var model = console()
        model.alerting = Alerting(bell: true, notify: true, window: 60)
        _ = failAlpha(&model)
        #expect(send([.tick], to: &model) == [.bell, .notify([alphaDown], swarm: fleet.endpoint)])
        // Back to healthy within the window: held, and told when the window ends only if it did not end where it was.
        let ok = HealthSample(time: now, ok: true, latency: 0.01, status: 200)
        _ = send([.fleet(.probe(agent: "alpha", url: "http://127.0.0.1:18800/health", sample: ok)), .tick], to: &model,
                 at: now.addingTimeInterval(10))
        #expect(send([.tick], to: &model, at: now.addingTimeInterval(30)).isEmpty)
        let due = send([.tick], to: &model, at: now.addingTimeInterval(61))
        #expect(due.first == .bell && due.count == 2, "\(due)")
    }

    @Test func withoutBellOrNotifyTransitionsAskNothing() {
        var model = console()
        #expect(failAlpha(&model).isEmpty)
        #expect(send([.tick], to: &model).isEmpty)
    }

    /// The console writes what it probes and the transitions it sees; while a recorder writes them, it probes
    /// nothing and writes nothing, and probes again when the recorder is gone.
    @Test func theConsoleWritesTheHistoryUnlessARecorderDoes() {
        var model = console()
        model.historyDuty = .write
        let read = Message.docker(.snapshot(nodes: fleet.nodes, services: Array(fleet.services.values),
                                    tasks: Array(fleet.tasks.values.joined()), at: now))
        #expect(send([.fleet(read)], to: &model) == [.setProbeTargets(fleet.probeTargets)])
        let url = "http://127.0.0.1:18800/health"
        let probes = failAlpha(&model)
        #expect(probes.count == 3 && probes.allSatisfy { if case .recordProbe("alpha", url, _) = $0 { true } else { false } }, "\(probes)")
        #expect(send([.tick], to: &model) == [.recordTransitions([alphaDown])])
        #expect(send([.fleet(.history(.healthFrom(.recorder("42@mgr1"))))], to: &model) == [.setProbeTargets([])])
        let sample = HealthSample(time: now, ok: true, latency: 0.01, status: 200)
        #expect(send([.fleet(.probe(agent: "alpha", url: url, sample: sample)), .tick], to: &model).isEmpty,
                "the recorder's samples and transitions are its to write")
        let targets = send([.fleet(.history(.healthFrom(.probes)))], to: &model)
        #expect(targets == [.setProbeTargets(fleet.probeTargets)] && !fleet.probeTargets.isEmpty)
    }

    /// The recorder writes always, says each transition on its lines, beats every few seconds with the fleet's
    /// line, and stops when another recorder has taken over.
    @Test func theRecorderWritesSaysAndBeats() {
        var model = console()
        model.historyDuty = .record
        _ = update(&model, .fleet(.history(.healthFrom(.recorder("elsewhere")))), now: now)
        #expect(failAlpha(&model).count == 3, "a recorder writes its probes whatever it reads")
        let effects = send([.tick], to: &model)
        #expect(effects.count == 3, "\(effects)")
        #expect(effects.first == .recordTransitions([alphaDown]))
        #expect(effects.contains(.say("alpha: healthy → unhealthy (refused)")))
        guard case .heartbeat(let report)? = effects.last else { Issue.record("no heartbeat: \(effects)"); return }
        #expect(report.unhealthy.contains("alpha") && report.exitStatus == 1, "\(report)")
        #expect(send([.tick], to: &model, at: now.addingTimeInterval(2)).isEmpty, "the next beat comes after 5 s")
        #expect(send([.tick], to: &model, at: now.addingTimeInterval(5)).count == 1)
        #expect(send([.fleet(.history(.problem("disk full")))], to: &model) == [.say("disk full")])
        #expect(send([.fleet(.history(.problem("disk full")))], to: &model).isEmpty, "said once")
        #expect(send([.fleet(.history(.problem(nil)))], to: &model) == [.say("the history is written again")])
        #expect(send([.notice("--notify exited with 1")], to: &model) == [.say("--notify exited with 1")])
        #expect(send([.recorderReplaced("another recorder has taken over")], to: &model) == [.quit])
        #expect(model.stopped == "another recorder has taken over")
    }

    @Test func aNoticeFlashesInTheConsole() {
        var model = console()
        #expect(send([.notice("--notify exited with 3 for alpha")], to: &model).isEmpty)
        #expect(view(model).text.contains("--notify exited with 3 for alpha"))
    }

    @Test func aProbeResultReachesTheNextFrameAndAsksNothing() {
        var model = console()
        let before = view(model).text
        #expect(failAlpha(&model).isEmpty)
        #expect(send([.tick], to: &model).isEmpty)
        let after = view(model).text
        #expect(after != before)
        #expect(model.rows.first { $0.id == "alpha" }?.health == .unhealthy)
    }

    /// A probe result derives its agent's row alone and moves it into place: the rows are those a full derivation
    /// gives, in the same order.
    @Test func aProbeResultMovesItsRowWhereAFullDerivationPutsIt() {
        var model = console()
        let ok = HealthSample(time: now, ok: true, latency: 0.01, status: 200)
        let refused = HealthSample(time: now, ok: false, reason: "refused")
        for (agent, sample) in [("alpha", refused), ("beta", ok), ("alpha", refused), ("delta", ok), ("alpha", refused),
                                ("beta", ok), ("beta", ok), ("beta", ok)] {
            send([.fleet(.probe(agent: agent, url: "http://127.0.0.1:18800/health", sample: sample))], to: &model)
            let full = model.fleet.agentRows(now: now)
            #expect(model.rows.map(\.id) == full.map(\.id), "after \(agent)")
            let same = model.rows == full
            #expect(same, "the rows differ from a full derivation after \(agent)")
        }
        #expect(model.rows.first?.id == "alpha" && model.rows.first?.health == .unhealthy)
    }

    /// The header's audit count is derived with the rows, not at every frame: the same count a frame drawn from
    /// scratch gives, and a service read that breaks a rule moves it.
    @Test func theHeadersAuditCountFollowsTheRows() {
        func count(_ frame: Buffer) -> String? {
            frame.lines[0].components(separatedBy: " audit ").dropFirst().first?.split(separator: " ").first.map(String.init)
        }
        var model = console()
        let scratch = render(model.fleet, ui: model.ui, width: 120, height: 40, now: now)
        #expect(count(view(model)) == count(scratch) && count(scratch) != nil)
        var alpha = fleet.services["id-openclaw_alpha"]!
        alpha.spec.inlineSecrets += ["ANTHROPIC_API_KEY"]
        send([.fleet(.docker(.service(alpha, tasks: fleet.tasks["id-openclaw_alpha"] ?? [], at: now))), .tick], to: &model)
        let after = render(model.fleet, ui: model.ui, width: 120, height: 40, now: now)
        #expect(count(view(model)) == count(after) && count(after) != count(scratch), "\(view(model).lines[0])")
    }

    @Test func aFailedActionRingsTheBellAndOneThatWorkedSetsTheCount() {
        var model = console()
        let request = ActionRequest(agent: "alpha", service: "openclaw_alpha", serviceID: "id-openclaw_alpha",
                                    kind: .scale(from: 1, to: 2), verb: .scale)
        #expect(send([.fleet(.action(ActionOutcome(request: request, ok: false, message: "rpc error", at: now)))], to: &model) == [.bell])
        #expect(model.fleet.services["id-openclaw_alpha"]?.desired == 1)
        #expect(send([.fleet(.action(ActionOutcome(request: request, ok: true, message: "done", at: now)))], to: &model).isEmpty)
        #expect(model.fleet.services["id-openclaw_alpha"]?.desired == 2)
        send([.tick], to: &model)
        #expect(view(model).lines[39].contains("scale openclaw_alpha 1 → 2: done"))
    }

    @Test func connectionAndEventMessagesShowAndAskNothing() {
        var model = console(selecting: "beta")
        let note = ServiceEventNote(time: now, text: "container die (exit 9)")
        #expect(send([.fleet(.docker(.connection(.reconnecting("EOF")))), .fleet(.docker(.event(service: "openclaw_beta", note))), .key(.enter),
                      .tick], to: &model).isEmpty)
        let frame = view(model).text
        #expect(frame.contains("reconnecting: EOF") && frame.contains("container die (exit 9)"), "\(frame)")
    }

    @Test func tasksAndServiceReadsReachTheRows() {
        var model = console()
        var alpha = fleet.services["id-openclaw_alpha"]!
        alpha.desired = 0
        alpha.running = 0
        model.historyDuty = .write
        #expect(send([.fleet(.docker(.service(alpha, tasks: [], at: now))), .tick], to: &model) ==
                [.setProbeTargets(fleet.probeTargets.filter { $0.agent != "alpha" }),
                 .recordTransitions([Transition(time: now, agent: "alpha", from: .healthy, to: .asleep)])])
        #expect(model.rows.first { $0.id == "alpha" }?.health == .asleep)
        #expect(send([.fleet(.docker(.tasks(Array(fleet.tasks.values.joined()), at: now)))], to: &model).isEmpty)
    }

    // MARK: - Logs

    /// `@` in the logs pane: the logs of one node or replica. The stream is read again, and only the lines of the
    /// replicas whose label matches are kept; leaving the pane forgets the filter.
    @Test func theLogsOfOneNodeOrReplica() {
        var model = console(selecting: "alpha")
        #expect(send(keys("l"), to: &model) == [.followLogs(service: "openclaw_alpha")])
        send(keys("@"), to: &model)
        let effects = send(keys("@worker-2") + [.key(.enter)], to: &model)
        #expect(effects == [.followLogs(service: nil), .followLogs(service: "openclaw_alpha")])
        #expect(model.ui.logView.replicaFilter == "@worker-2" && model.fleet.logs.isEmpty)
        let there = LogEntry(time: now, stream: .stdout, replica: "2@worker-2", text: "from worker-2")
        send([.fleet(.logs(.lines(service: "openclaw_alpha", [alphaLine("from the manager"), there]))), .tick], to: &model)
        #expect(model.fleet.logs.entries.map(\.text) == ["from worker-2"])
        #expect(view(model).text.contains("only @worker-2"))
        send([.key(.escape), .key(.char("j"))], to: &model)
        #expect(model.ui.logView.replicaFilter.isEmpty)
    }

    @Test func theLogsShownAreFollowedAndLinesOfAnyOtherServiceAreDropped() {
        var model = console(selecting: "alpha")
        #expect(send([.key(.char("l"))], to: &model) == [.followLogs(service: "openclaw_alpha")])
        #expect(model.fleet.logService == "openclaw_alpha" && model.fleet.logs.isEmpty)
        send([.fleet(.logs(.lines(service: "openclaw_beta", [alphaLine("from a stream already left")]))),
              .fleet(.logs(.status(service: "openclaw_beta", "gone")))], to: &model)
        #expect(model.fleet.logs.isEmpty && model.fleet.logProblem == nil)
        send([.fleet(.logs(.lines(service: "openclaw_alpha", [alphaLine("hello from alpha")]))),
              .fleet(.logs(.status(service: "openclaw_alpha", "the log stream ended"))), .tick], to: &model)
        #expect(model.fleet.logs.entries.map(\.replica) == ["1@manager-1"], "labelled with the task's slot and node")
        let frame = view(model).text
        #expect(frame.contains("hello from alpha") && frame.contains("the log stream ended"))
    }

    @Test func movingTheSelectionFollowsTheNewAgentsLogsFromEmpty() {
        var model = console(selecting: "alpha")
        send([.key(.char("l")), .fleet(.logs(.lines(service: "openclaw_alpha", [alphaLine("old")])))], to: &model)
        // Tab gives the keys back to the table; the pane still shows the selected agent's logs.
        #expect(send([.key(.tab)], to: &model).isEmpty)
        let next = visibleRows(model.rows, ui: model.ui).drop { $0.id != "alpha" }.dropFirst().first!
        #expect(send([.key(.down)], to: &model) == [.followLogs(service: next.agent.serviceName)])
        #expect(model.fleet.logs.isEmpty && model.ui.logView == LogViewState())
    }

    @Test func theSelectedAgentsContainersAreReadMoreOftenOnceAnyAreRead() {
        var model = console(selecting: "alpha")
        // Nothing reads containers yet: nothing to ask.
        #expect(send([.key(.down), .key(.up)], to: &model).isEmpty)
        let alpha = model.fleet.services.values.first { $0.name == "openclaw_alpha" }!.id
        // Asked at the next frame's tick, as the logs followed are.
        #expect(send([.fleet(.usage(.reach(["n1": NodeReach(via: "this daemon")], unmatched: []))), .tick], to: &model) == [.focusUsage(service: alpha)])
        let next = visibleRows(model.rows, ui: model.ui).drop { $0.id != "alpha" }.dropFirst().first!
        let nextService = next.summary.map(\.service.id)
        #expect(send([.key(.down)], to: &model) == (nextService == alpha ? [] : [.focusUsage(service: nextService)]))
        #expect(send([.tick], to: &model).isEmpty, "asked once, not every frame")
        // A recorder has no selection.
        model.historyDuty = .record
        #expect(send([.tick], to: &model).contains(.focusUsage(service: nil)))
    }

    @Test func aScreenThatNoLongerShowsTheLogsStopsFollowingThem() {
        var model = console(selecting: "alpha")
        send([.key(.char("l")), .key(.tab)], to: &model)
        #expect(model.fleet.logService == "openclaw_alpha")
        // 80×24 shows the table or the pane: with the keys on the table, the table.
        #expect(send([.resize(width: 80, height: 24)], to: &model) == [.followLogs(service: nil)])
        #expect(send([.key(.tab)], to: &model) == [.followLogs(service: "openclaw_alpha")])
        #expect(send([.key(.escape)], to: &model) == [.followLogs(service: nil)])
    }

    // MARK: - Keys

    @Test func anActionRunsOnlyOnY() {
        var model = console(selecting: "alpha")
        let request = ActionRequest(agent: "alpha", service: "openclaw_alpha", serviceID: "id-openclaw_alpha", kind: .restart,
                                    verb: .restart)
        #expect(send([.key(.char("r"))], to: &model).isEmpty && model.ui.overlay == .confirm(request))
        #expect(send([.key(.char("n"))], to: &model).isEmpty && model.ui.overlay == nil)
        #expect(send([.key(.char("r")), .key(.enter)], to: &model).isEmpty)
        #expect(send([.key(.char("r")), .key(.char("y"))], to: &model) == [.perform(request)])
        #expect(send(keys("-Y"), to: &model) == [.perform(ActionRequest(agent: "alpha", service: "openclaw_alpha",
                                                                        serviceID: "id-openclaw_alpha",
                                                                        kind: .scale(from: 1, to: 0), verb: .scale))])
    }

    @Test func readOnlyNeverPerforms() {
        var model = console(selecting: "alpha")
        model.ui.readOnly = true
        for key in "r+-=wz" { #expect(send([.key(.char(key)), .key(.char("y"))], to: &model).isEmpty, "\(key)") }
    }

    @Test func ctrlLRepaintsAndQQuits() {
        var model = console()
        #expect(send([.key(.redraw)], to: &model) == [.repaint])
        #expect(send([.key(.char("q"))], to: &model) == [.quit])
        #expect(send([.key(.escape)], to: &model) == [.quit])
    }

    /// Every key of the key table, pressed where it applies, changes what the console shows or asks something of
    /// the world: no binding is dead.
    @Test func everyKeyInTheKeyTableDoesSomething() {
        func start(_ context: KeyContext) -> ConsoleModel {
            var model = console(selecting: "delta")
            guard context == .logs else { return model }
            send([.key(.char("l"))], to: &model)
            send([.fleet(.logs(.lines(service: "openclaw_delta",
                                   (0..<300).map { LogEntry(time: now.addingTimeInterval(Double($0 - 300)), text: "line \($0)") })))],
                 to: &model)
            scrollLogs(&model.ui.logView, by: 100, buffer: model.fleet.logs, page: 10)
            return model
        }
        for binding in keyBindings {
            // The keys that act anywhere, from the table; the logs pane's own, from the logs pane.
            for context in binding.context == .anywhere ? [KeyContext.table] : [binding.context] {
                for key in binding.keys {
                    var model = start(context)
                    #expect(model.ui.keyContext == context)
                    let before = model
                    let effects = send([.key(key)], to: &model)
                    #expect(model != before || !effects.isEmpty, "\(key) (\(binding.command)) in \(context) did nothing")
                }
            }
        }
    }

    @Test func theViewIsTheFrameOfTheModel() {
        let model = console(width: 80, height: 24)
        #expect(view(model) == render(fleet, ui: UIState(), width: 80, height: 24, now: now))
    }
}

/// What the containers consume goes into the history as the probes do: written by the console unless a recorder
/// writes it, by a recorder always, by `snapshot` never.
struct UsageRecordingTests {
    let fleet = sampleFleet().0
    let now = sampleFleet().1

    func readAlpha(_ duty: HistoryDuty, recorder: Bool = false) -> [Effect] {
        var model = ConsoleModel(fleet: fleet, ui: UIState(), width: 120, height: 40, now: now)
        model.historyDuty = duty
        if recorder { _ = update(&model, .fleet(.history(.healthFrom(.recorder("42@mgr1")))), now: now) }
        let task = fleet.tasks.values.joined().first { $0.id == "t-openclaw_alpha-running" }!
        let node = task.nodeID!
        _ = update(&model, .fleet(.usage(.reach([node: NodeReach(via: "this daemon")], unmatched: []))), now: now)
        let reading = ContainerReading(containerID: "c1", taskID: task.id, serviceID: task.serviceID,
                                       cpu: CPUCounters(used: 0, host: nil, cpus: 1, at: now), memory: 5 << 20)
        let effects = update(&model, .fleet(.usage(.readings(node: node, [reading], at: now))), now: now)
        #expect(model.fleet.usageHistory["openclaw_alpha"]?.minutes.count == 1, "kept in memory whoever writes it")
        return effects.filter { if case .recordUsage = $0 { true } else { false } }
    }

    @Test func usageIsWrittenByWhoeverWritesTheProbes() {
        let point = UsagePoint(service: "openclaw_alpha", time: now, memory: 5 << 20, cores: nil)
        #expect(readAlpha(.write) == [.recordUsage([point])])
        #expect(readAlpha(.write, recorder: true).isEmpty, "the recorder's to write")
        #expect(readAlpha(.record, recorder: true) == [.recordUsage([point])])
        #expect(readAlpha(.none).isEmpty)
    }
}
