import ClawtopCore
@testable import Dashboard
import Foundation
import Screen
import Testing
import TestSupport

/// `e` (a shell) and `x` (the agent's status) in-process: which replica, what is refused, and the output pane.
struct ContainerKeysTests {
    let now = sampleFleet().1

    /// The sample fleet with alpha's task in a container on manager-1, delta at two replicas (the second on
    /// worker-2), and node1 and node3 read (worker-2's daemon reached, worker-1's not).
    func console(readOnly: Bool = false, selecting agent: String = "alpha") -> ConsoleModel {
        var fleet = sampleFleet().0
        for (service, tasks) in fleet.tasks {
            fleet.tasks[service] = tasks.map { var t = $0; t.containerID = "c0ffee" + t.id; return t }
        }
        var second = fleet.tasks["id-openclaw_delta"]![0]
        second.id = "t-delta-2"
        second.slot = 2
        second.nodeID = "node3"
        second.containerID = "d2d2d2d2d2d2d2d2"
        fleet.tasks["id-openclaw_delta"]!.append(second)
        reduce(&fleet, .usage(.reach(["node1": NodeReach(via: "this daemon"), "node3": NodeReach(via: "context worker-2")], unmatched: [])))
        var ui = UIState(readOnly: readOnly)
        ui.selectedID = agent
        var model = ConsoleModel(fleet: fleet, ui: ui, width: 120, height: 40, now: now)
        _ = update(&model, .tick, now: now)
        return model
    }

    func send(_ events: [ConsoleEvent], to model: inout ConsoleModel) -> [Effect] {
        events.flatMap { update(&model, $0, now: now) }
    }

    var alpha: ExecTarget {
        ExecTarget(agent: "alpha", service: "openclaw_alpha", taskID: "t-openclaw_alpha-running",
                   containerID: "c0ffeet-openclaw_alpha-running", nodeID: "node1", replica: "1@manager-1")
    }

    @Test func theShellKeyOpensTheOneReplicasContainer() {
        var model = console()
        #expect(send([.key(.char("e"))], to: &model) == [.openShell(alpha)])
        let command = DockerCommand(arguments: ["/usr/bin/docker", "--host", "unix:///run/d.sock", "exec", "-it", alpha.containerID, "bash"])
        #expect(send([.fleet(.exec(.shellReady(alpha, command)))], to: &model) == [.stepAside(alpha, command)])
        #expect(send([.fleet(.exec(.shellEnded(alpha, status: 0, problem: nil)))], to: &model) == [.repaint])
        #expect(model.ui.flash?.text == "shell in alpha (1@manager-1) ended: exit 0" && model.ui.selectedID == "alpha")
        send([.fleet(.exec(.shellRefused(alpha, "alpha (1@manager-1): its image has no shell (neither bash nor sh)")))], to: &model)
        #expect(view(model).text.contains("its image has no shell"))
    }

    @Test func readOnlyAStoppedTaskAndANodeWithoutAnEndpointAreRefused() {
        var model = console(readOnly: true)
        #expect(send([.key(.char("e"))], to: &model).isEmpty)
        #expect(model.ui.flash?.text == "read-only: no shell (started with --read-only)")
        // The status is no change to anything: read-only runs it.
        #expect(send([.key(.char("x"))], to: &model) == [.runStatus(alpha)])

        model = console(selecting: "beta")
        #expect(send([.key(.char("e"))], to: &model).isEmpty)
        #expect(model.ui.flash?.text == "beta has no running replica: no container to open")

        // delta's second replica runs on worker-2, reached; epsilon's only one on manager-1. A node nobody reaches:
        model = console(selecting: "epsilon")
        model.fleet.reach = ["node3": NodeReach(via: "context worker-2")]
        #expect(send([.key(.char("e"))], to: &model).isEmpty)
        #expect(model.ui.flash?.text.hasPrefix("manager-1: no endpoint, see --node") == true, "\(String(describing: model.ui.flash))")
    }

    @Test func severalReplicasArePickedFrom() {
        var model = console(selecting: "delta")
        #expect(send([.key(.char("e"))], to: &model).isEmpty)
        guard case .replicas(let picker) = model.ui.overlay else {
            Issue.record("no picker: \(String(describing: model.ui.overlay))")
            return
        }
        #expect(picker.choices.map(\.replica) == ["1@manager-1", "2@worker-2"])
        let frame = view(model).text
        #expect(frame.contains("a shell in delta") && frame.contains("2@worker-2"), "\(frame)")
        let effects = send([.key(.char("j")), .key(.enter)], to: &model)
        #expect(effects == [.openShell(picker.choices[1])] && model.ui.overlay == nil)
        // Esc closes it, nothing opened.
        send([.key(.char("x"))], to: &model)
        #expect(send([.key(.escape)], to: &model).isEmpty && model.ui.overlay == nil)
    }

    /// The status's output in the pane, readable, scrolled from its top, searchable as logs are.
    @Test func theStatusOutputIsShownReadablyAndSearchable() throws {
        var model = console()
        let document = try String(contentsOf: packageRoot.appendingPathComponent("Tests/Fixtures/openclaw-status.json"), encoding: .utf8)
        let output = ExecOutput(target: alpha, command: "openclaw status --json", status: 0, stdout: document, at: now)
        #expect(send([.fleet(.exec(.output(output)))], to: &model).isEmpty)
        #expect(model.ui.pane == .output && model.ui.focus == .pane && model.ui.keyContext == .logs)
        let frame = view(model).text
        #expect(frame.contains("output: alpha (1@manager-1) · openclaw status --json · exit 0"), "\(frame)")
        #expect(frame.contains("agents:") && frame.contains("  defaultId: main"), "from the top, indented: \(frame)")
        #expect(!frame.contains("{\""), "no raw JSON: \(frame)")
        send([.key(.char("/"))] + "urlSource".map { .key(.char($0)) } + [.key(.enter)], to: &model)
        #expect(view(model).text.contains("urlSource: local loopback"))
        // Escape leaves the pane; the table keys are back.
        send([.key(.escape)], to: &model)
        #expect(model.ui.focus == .table)
    }

    @Test func readableLinesOfNestedJSON() throws {
        let value = try JSONSerialization.jsonObject(with: Data(#"{"b":{"y":[1,{"k":true,"j":null}],"x":[]},"a":"s"}"#.utf8))
        #expect(readableLines(value) == ["a: s", "b:", "  x: []", "  y:", "    - 1", "    - j: null", "      k: true"])
    }
}
