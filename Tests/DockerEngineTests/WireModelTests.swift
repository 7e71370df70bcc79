@testable import DockerEngine
import Foundation
import Testing

/// The wire models against answers captured from a real Docker Engine 20.10.24 (API 1.41; see Fixtures/README.md),
/// `JSONValue`, `DockerTime` and event lines.
@Suite struct WireModelTests {

    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"),
                               "Fixtures/\(name).json is not in the test bundle")
        return try Data(contentsOf: url)
    }

    static func decode<T: Decodable>(_ type: T.Type, fixture name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: fixture(name))
    }

    /// Every path in a JSON document (objects by key, arrays by index), read independently with JSONSerialization.
    static func paths(ofSerialized any: Any, _ prefix: String = "") -> Set<String> {
        var out: Set<String> = [prefix]
        if let dict = any as? [String: Any] {
            for (k, v) in dict { out.formUnion(paths(ofSerialized: v, "\(prefix)/\(k)")) }
        } else if let array = any as? [Any] {
            for (i, v) in array.enumerated() { out.formUnion(paths(ofSerialized: v, "\(prefix)/\(i)")) }
        }
        return out
    }

    static func paths(of value: JSONValue, _ prefix: String = "") -> Set<String> {
        var out: Set<String> = [prefix]
        switch value {
        case .object(let o): for (k, v) in o { out.formUnion(paths(of: v, "\(prefix)/\(k)")) }
        case .array(let a): for (i, v) in a.enumerated() { out.formUnion(paths(of: v, "\(prefix)/\(i)")) }
        default: break
        }
        return out
    }

    static func roundTrip(_ value: JSONValue) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    // MARK: - Fixtures from the daemon

    @Suite struct Services {
        private func theService() throws -> SwarmService {
            let services = try decode([SwarmService].self, fixture: "services")
            #expect(services.count == 1)
            return try #require(services.first)
        }

        @Test func decodesTheTypedFields() throws {
            let s = try theService()
            #expect(s.ID == "slwscc2zpahyr48htbwbxf42i")
            #expect(s.Version.Index == 444)
            #expect(s.Spec.Name == "fixture-svc")
            #expect(s.replicas == 1)
            #expect(!s.isGlobal)
            #expect(s.forceUpdate == 0)
            #expect(s.Spec.Labels == ["orchestrator.agent": "yes"])
            #expect(s.Spec.TaskTemplate.ContainerSpec?.Image == "clawtop-test-agent:latest")
            #expect(s.Spec.TaskTemplate.ContainerSpec?.Env == ["SECRET_TOKEN=hunter2"])
            #expect(s.Spec.TaskTemplate.ContainerSpec?.Healthcheck == nil)
            #expect(s.ServiceStatus == SwarmService.ServiceStatus(RunningTasks: 1, DesiredTasks: 1))
            #expect(s.UpdateStatus == nil)
        }

        @Test func itsTimesParse() throws {
            let s = try theService()
            let created = try #require(DockerTime.parse(s.CreatedAt))
            let updated = try #require(DockerTime.parse(s.UpdatedAt))
            let whole = try #require(ISO8601DateFormatter().date(from: "2026-11-24T21:13:50Z"))
            #expect(abs(created.timeIntervalSince(whole) - 0.581705122) < 1e-5)
            #expect(updated > created)
        }

        @Test func rawSpecHoldsTheWholeSpec() throws {
            let s = try theService()
            let raw = s.rawSpec
            #expect(raw.value(at: ["TaskTemplate", "ContainerSpec", "Env"]) == .array([.string("SECRET_TOKEN=hunter2")]))
            // Fields the typed model does not declare are kept, with their JSON types.
            #expect(raw.value(at: ["TaskTemplate", "ContainerSpec", "Args"])
                    == .array([.string("sh"), .string("-c"), .string("sleep 3600")]))
            #expect(raw.value(at: ["TaskTemplate", "ContainerSpec", "Init"]) == .bool(false))
            #expect(raw.value(at: ["TaskTemplate", "ContainerSpec", "DNSConfig"]) == .object([:]))
            #expect(raw.value(at: ["TaskTemplate", "ForceUpdate"]) == .int(0))
            #expect(raw.value(at: ["TaskTemplate", "Runtime"]) == .string("container"))
            #expect(raw.value(at: ["EndpointSpec", "Mode"]) == .string("vip"))
            #expect(raw.value(at: ["Mode", "Replicated", "Replicas"]) == .int(1))
            #expect(raw.value(at: ["TaskTemplate", "Networks"])
                    == .array([.object(["Target": .string("4gw1463qo2rxl068on7mvy0rk")])]))
            // Only the spec: the service's other fields are not in it.
            #expect(raw["ServiceStatus"] == nil)
            #expect(raw["Endpoint"] == nil)
        }

        @Test func rawSpecHasEveryPathOfTheSpecAsSent() throws {
            let s = try theService()
            let any = try JSONSerialization.jsonObject(with: fixture("services"))
            let spec = try #require(((any as? [Any])?.first as? [String: Any])?["Spec"])
            let expected = paths(ofSerialized: spec)
            #expect(expected.count > 20)
            #expect(paths(of: s.rawSpec) == expected)
        }

        @Test func specRoundTripsThroughJSONUnchanged() throws {
            let s = try theService()
            #expect(try roundTrip(s.rawSpec) == s.rawSpec)
            // And the text sent back keeps numbers as numbers and booleans as booleans.
            let text = String(decoding: try JSONEncoder().encode(s.rawSpec), as: UTF8.self)
            #expect(text.contains(#""Replicas":1"#))
            #expect(text.contains(#""Init":false"#))
            #expect(text.contains(#""ForceUpdate":0"#))
        }

        @Test func settingReplicasChangesOnlyThatValue() throws {
            let s = try theService()
            let path = ["Mode", "Replicated", "Replicas"]
            var spec = s.rawSpec
            spec.set(path, to: .int(3))
            #expect(spec.value(at: path) == .int(3))
            #expect(spec != s.rawSpec)
            #expect(paths(of: spec) == paths(of: s.rawSpec))
            var back = spec
            back.set(path, to: .int(1))
            #expect(back == s.rawSpec)
            // What would be sent to the daemon reads back as 3 replicas, everything else as before.
            let sent = try JSONDecoder().decode(SwarmService.Spec.self, from: JSONEncoder().encode(spec))
            #expect(sent.Mode.Replicated?.Replicas == 3)
            #expect(sent.Name == s.Spec.Name)
            #expect(sent.TaskTemplate == s.Spec.TaskTemplate)
            #expect(sent.Labels == s.Spec.Labels)
        }

        @Test func settingANewPathCreatesObjectsAndKeepsSiblings() throws {
            let s = try theService()
            var spec = s.rawSpec
            spec.set(["Labels", "clawtop.note"], to: .string("scaled"))
            #expect(spec.value(at: ["Labels"]) == .object(["orchestrator.agent": .string("yes"),
                                                           "clawtop.note": .string("scaled")]))
            spec.set(["TaskTemplate", "ForceUpdate"], to: .int(1))
            #expect(spec.value(at: ["TaskTemplate", "ForceUpdate"]) == .int(1))
            #expect(spec.value(at: ["TaskTemplate", "ContainerSpec"]) == s.rawSpec.value(at: ["TaskTemplate", "ContainerSpec"]))
            spec.set(["A", "B", "C"], to: .null)
            #expect(spec.value(at: ["A"]) == .object(["B": .object(["C": .null])]))
        }
    }

    @Suite struct Tasks {
        @Test func decodeWithStateSlotAndContainerStatus() throws {
            let tasks = try decode([SwarmTask].self, fixture: "tasks")
            #expect(tasks.count == 1)
            let t = try #require(tasks.first)
            #expect(t.ID == "i9jrcv172n3jau15mnp314byr")
            #expect(t.Slot == 1)
            #expect(t.DesiredState == "running")
            #expect(t.Status.State == "running")
            #expect(t.Status.Message == "started")
            #expect(t.Status.Err == nil)
            let cs = try #require(t.Status.ContainerStatus)
            #expect(cs.ContainerID == "608bb358f945001993140c638e6a8d14af76bb682c077bf9ea3e2eb403451eca")
            #expect(cs.PID == 24607)
            #expect(cs.ExitCode == 0)
            #expect(DockerTime.parse(t.Status.Timestamp) != nil)
        }

        @Test func pointAtTheServiceAndNodeOfTheOtherFixtures() throws {
            let task = try #require(try decode([SwarmTask].self, fixture: "tasks").first)
            let service = try #require(try decode([SwarmService].self, fixture: "services").first)
            let node = try #require(try decode([SwarmNode].self, fixture: "nodes").first)
            #expect(task.ServiceID == service.ID)
            #expect(task.NodeID == node.ID)
        }
    }

    @Suite struct Nodes {
        @Test func decode() throws {
            let nodes = try WireModelTests.decode([SwarmNode].self, fixture: "nodes")
            #expect(nodes.count == 1)
            let n = try #require(nodes.first)
            #expect(n.ID == "sjhy0w7ceqql5rk0qazgf8y3b")
            #expect(n.Spec.Role == "manager")
            #expect(n.Spec.Availability == "active")
            #expect(n.Description?.Hostname == "vm")
            #expect(n.Status.State == "ready")
            #expect(n.Status.Addr == "127.0.0.1")
            #expect(n.ManagerStatus?.Leader == true)
            #expect(n.ManagerStatus?.Reachability == "reachable")
        }
    }

    @Suite struct Info {
        @Test func decode() throws {
            let info = try WireModelTests.decode(SystemInfo.self, fixture: "info")
            #expect(info.Name == "vm")
            #expect(info.ServerVersion == "20.10.24+dfsg1")
            #expect(info.Swarm.NodeID == "sjhy0w7ceqql5rk0qazgf8y3b")
            #expect(info.Swarm.NodeAddr == "127.0.0.1")
            #expect(info.Swarm.LocalNodeState == "active")
            #expect(info.Swarm.ControlAvailable)
            #expect(info.Swarm.Error == "")
            #expect(info.Swarm.Nodes == 1)
            #expect(info.Swarm.Managers == 1)
            #expect(info.Swarm.Cluster?.ID == "w85gkgoeqcwjydv3rnzkxhd5c")
        }

        @Test func aDaemonOutsideASwarmDecodes() throws {
            // The shape /info has on a daemon that never joined a swarm.
            let json = #"{"Name":"box","ServerVersion":"20.10.24","Swarm":{"NodeID":"","NodeAddr":"","LocalNodeState":"inactive","ControlAvailable":false,"Error":"","RemoteManagers":null}}"#
            let info = try JSONDecoder().decode(SystemInfo.self, from: Data(json.utf8))
            #expect(info.Swarm.LocalNodeState == "inactive")
            #expect(!info.Swarm.ControlAvailable)
            #expect(info.Swarm.Cluster == nil)
        }
    }

    @Suite struct WholeFixtures {
        @Test(arguments: ["services", "tasks", "nodes", "info"])
        func roundTripAsJSONValue(name: String) throws {
            let data = try fixture(name)
            let value = try JSONDecoder().decode(JSONValue.self, from: data)
            #expect(try roundTrip(value) == value)
            #expect(paths(of: value) == paths(ofSerialized: try JSONSerialization.jsonObject(with: data)))
        }

        @Test func largeNumbersStayIntegers() throws {
            let node = try #require(try JSONDecoder().decode(JSONValue.self, from: fixture("nodes"))
                .arrayFirst)
            #expect(node.value(at: ["Description", "Resources", "NanoCPUs"]) == .int(2_000_000_000))
            #expect(node.value(at: ["Description", "Resources", "MemoryBytes"]) == .int(25_276_510_208))
            let info = try JSONDecoder().decode(JSONValue.self, from: fixture("info"))
            #expect(info.value(at: ["Swarm", "Cluster", "Spec", "CAConfig", "NodeCertExpiry"]) == .int(7_776_000_000_000_000))
            #expect(info.value(at: ["Swarm", "Cluster", "DefaultAddrPool"]) == .null)
        }
    }

    // MARK: - JSONValue

    @Suite struct JSONValues {
        @Test func scalarsDecodeToTheirCase() throws {
            let json = #"{"n":null,"t":true,"f":false,"i":-42,"zero":0,"one":1,"d":2.5,"s":"x","a":[1,"1",true],"o":{}}"#
            let v = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
            #expect(v == .object(["n": .null, "t": .bool(true), "f": .bool(false), "i": .int(-42), "zero": .int(0),
                                  "one": .int(1), "d": .double(2.5), "s": .string("x"),
                                  "a": .array([.int(1), .string("1"), .bool(true)]), "o": .object([:])]))
            #expect(try roundTrip(v) == v)
        }

        @Test func intValue() {
            #expect(JSONValue.int(7).intValue == 7)
            #expect(JSONValue.double(3).intValue == 3)
            #expect(JSONValue.double(3.5).intValue == nil)
            #expect(JSONValue.string("3").intValue == nil)
            #expect(JSONValue.bool(true).intValue == nil)
        }

        @Test func subscriptOnlyReadsAndWritesObjects() {
            var a = JSONValue.array([.int(1)])
            #expect(a["x"] == nil)
            a["x"] = .int(2)
            #expect(a == .array([.int(1)]))
            var o = JSONValue.object(["k": .int(1)])
            o["k"] = nil
            #expect(o == .object([:]))
        }

        @Test func setWithAnEmptyPathReplacesTheValue() {
            var v = JSONValue.object(["k": .int(1)])
            v.set([], to: .string("new"))
            #expect(v == .string("new"))
        }

        @Test func setThroughANonObjectReplacesIt() {
            var v = JSONValue.object(["Mode": .string("odd")])
            v.set(["Mode", "Replicated", "Replicas"], to: .int(2))
            #expect(v == .object(["Mode": .object(["Replicated": .object(["Replicas": .int(2)])])]))
        }

        @Test func valueAtAMissingPathIsNil() {
            let v = JSONValue.object(["a": .object(["b": .int(1)])])
            #expect(v.value(at: ["a", "b"]) == .int(1))
            #expect(v.value(at: ["a", "c"]) == nil)
            #expect(v.value(at: ["a", "b", "c"]) == nil)
            #expect(v.value(at: []) == v)
        }
    }

    // MARK: - Service modes

    @Suite struct Modes {
        private func service(mode: String) throws -> SwarmService {
            let json = #"{"ID":"x","Version":{"Index":9},"Spec":{"Name":"m","TaskTemplate":{"ForceUpdate":4},"Mode":"#
                + mode + "}}"
            return try JSONDecoder().decode(SwarmService.self, from: Data(json.utf8))
        }

        @Test func globalServicesHaveNoReplicas() throws {
            let s = try service(mode: #"{"Global":{}}"#)
            #expect(s.isGlobal)
            #expect(s.replicas == nil)
            #expect(s.forceUpdate == 4)
            #expect(s.ServiceStatus == nil)
        }

        @Test func globalJobsAreGlobal() throws {
            #expect(try service(mode: #"{"GlobalJob":{}}"#).isGlobal)
            #expect(try !service(mode: #"{"ReplicatedJob":{}}"#).isGlobal)
        }

        @Test func replicatedWithZeroReplicas() throws {
            let s = try service(mode: #"{"Replicated":{"Replicas":0}}"#)
            #expect(!s.isGlobal)
            #expect(s.replicas == 0)
        }
    }

    // MARK: - DockerTime

    @Suite struct Times {
        @Test func nanosecondsUTC() throws {
            let d = try #require(DockerTime.parse("2026-11-24T18:32:12.136515284Z"))
            let whole = try #require(ISO8601DateFormatter().date(from: "2026-11-24T18:32:12Z")).timeIntervalSince1970
            #expect(abs(d.timeIntervalSince1970 - (whole + 0.136515284)) < 1e-6)
            #expect(abs(d.timeIntervalSince1970 - 1795545132.136515) < 1e-5)
        }

        @Test func offsetsAreApplied() throws {
            let utc = try #require(DockerTime.parse("2026-11-24T18:32:12.136515284Z"))
            let plus = try #require(DockerTime.parse("2026-11-24T20:32:12.136515284+02:00"))
            let minus = try #require(DockerTime.parse("2026-11-24T13:02:12.136515284-05:30"))
            #expect(abs(plus.timeIntervalSince(utc)) < 1e-6)
            #expect(abs(minus.timeIntervalSince(utc)) < 1e-6)
        }

        @Test func noFraction() throws {
            #expect(DockerTime.parse("2026-11-24T18:32:12Z")?.timeIntervalSince1970 == 1795545132)
        }

        @Test func dockersZeroTimeIsNil() {
            #expect(DockerTime.parse("0001-01-01T00:00:00Z") == nil)
        }

        @Test(arguments: [nil, "", "garbage", "2026-11-24", "yesterday, around noon or so",
                          "2026-11-24T18:32:12Q", "2026-11-24T18:32:12+02", "20x6-11-24T18:32:12Z"] as [String?])
        func garbageIsNil(text: String?) {
            #expect(DockerTime.parse(text) == nil)
        }

        /// Whole seconds against Foundation's parser, across month and leap-year boundaries.
        @Test(arguments: ["1970-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2000-02-29T12:00:00Z",
                          "2000-03-01T00:00:00Z", "2024-02-29T23:59:59Z", "2024-03-01T00:00:00Z",
                          "2025-01-01T00:00:00Z", "2026-02-28T08:09:10Z", "2026-12-31T23:59:59Z",
                          "2100-03-01T00:00:00Z", "2026-06-15T01:30:00+05:45", "2026-01-01T00:30:00-01:00"])
        func agreesWithISO8601DateFormatter(text: String) throws {
            let expected = try #require(ISO8601DateFormatter().date(from: text))
            #expect(DockerTime.parse(text) == expected)
        }
    }

    // MARK: - Events

    @Suite struct Events {
        // Lines as the 20.10.24 daemon sent them on GET /events (captured on the private swarm).
        static let serviceScaled = #"{"Type":"service","Action":"update","Actor":{"ID":"l4xhjjre0fzidaiiovf3t5onk","Attributes":{"name":"tscale-6a40b37e","replicas.new":"3","replicas.old":"1"}},"scope":"swarm","time":1795554495,"timeNano":1795554495642763856}"#
        static let healthy = #"{"status":"health_status: healthy","id":"5f9af3a6688ca7df96b6a16114eede74e603c26f78c18df60855a5a0b7313e53","from":"clawtop-test-agent:latest","Type":"container","Action":"health_status: healthy","Actor":{"ID":"5f9af3a6688ca7df96b6a16114eede74e603c26f78c18df60855a5a0b7313e53","Attributes":{"com.docker.swarm.node.id":"sjhy0w7ceqql5rk0qazgf8y3b","com.docker.swarm.service.id":"y1t9po4cr5it2977z6kv71sf6","com.docker.swarm.service.name":"thealth-37cfd572","com.docker.swarm.task":"","com.docker.swarm.task.id":"uoycqioo2r4xxhwjqb9zlngd2","com.docker.swarm.task.name":"thealth-37cfd572.1.uoycqioo2r4xxhwjqb9zlngd2","image":"clawtop-test-agent:latest","name":"thealth-37cfd572.1.uoycqioo2r4xxhwjqb9zlngd2"}},"scope":"local","time":1795554595,"timeNano":1795554595491952645}"#
        static let serviceRemoved = #"{"Type":"service","Action":"remove","Actor":{"ID":"y1t9po4cr5it2977z6kv71sf6","Attributes":{"name":"thealth-37cfd572"}},"scope":"swarm","time":1795554595,"timeNano":1795554595656691939}"#
        // The shape of a node event, as in the Engine API docs (no node changed state during the capture).
        static let nodeUpdate = #"{"Type":"node","Action":"update","Actor":{"ID":"sjhy0w7ceqql5rk0qazgf8y3b","Attributes":{"name":"vm","state.new":"down","state.old":"ready"}},"scope":"swarm","time":1795554600,"timeNano":1795554600000000500}"#

        private func event(_ line: String) throws -> DockerEvent {
            try #require(DockerEvent.decode(line: Array(line.utf8)))
        }

        @Test func aServiceScale() throws {
            let e = try event(Self.serviceScaled)
            #expect(e.kind == .service)
            #expect(e.action == "update")
            #expect(e.actorID == "l4xhjjre0fzidaiiovf3t5onk")
            #expect(e.serviceID == "l4xhjjre0fzidaiiovf3t5onk")
            #expect(e.serviceName == "tscale-6a40b37e")
            #expect(e.attributes["replicas.new"] == "3")
            #expect(e.attributes["replicas.old"] == "1")
            #expect(abs(e.time.timeIntervalSince1970 - 1795554495.642763856) < 1e-6)
        }

        @Test func aContainerHealthStatus() throws {
            let e = try event(Self.healthy)
            #expect(e.kind == .container)
            #expect(e.action == "health_status: healthy")
            #expect(e.actorID == "5f9af3a6688ca7df96b6a16114eede74e603c26f78c18df60855a5a0b7313e53")
            #expect(e.serviceID == "y1t9po4cr5it2977z6kv71sf6")
            #expect(e.serviceName == "thealth-37cfd572")
            #expect(e.attributes["com.docker.swarm.task.id"] == "uoycqioo2r4xxhwjqb9zlngd2")
            #expect(abs(e.time.timeIntervalSince1970 - 1795554595.491952645) < 1e-6)
        }

        @Test func aServiceRemoval() throws {
            let e = try event(Self.serviceRemoved)
            #expect(e.kind == .service)
            #expect(e.action == "remove")
            #expect(e.serviceName == "thealth-37cfd572")
        }

        @Test func aNodeEventConcernsNoService() throws {
            let e = try event(Self.nodeUpdate)
            #expect(e.kind == .node)
            #expect(e.actorID == "sjhy0w7ceqql5rk0qazgf8y3b")
            #expect(e.serviceID == nil)
            #expect(e.serviceName == nil)
            #expect(e.attributes["state.new"] == "down")
        }

        @Test func otherTypesAreKeptByName() throws {
            let e = try event(#"{"Type":"network","Action":"connect","Actor":{"ID":"n1","Attributes":{"container":"c"}},"time":1795554600}"#)
            #expect(e.kind == .other("network"))
            #expect(e.serviceID == nil)
            // Without timeNano, whole seconds from time.
            #expect(e.time.timeIntervalSince1970 == 1795554600)
        }

        @Test func timeNanoWinsOverTime() throws {
            let e = try event(#"{"Type":"service","Action":"create","Actor":{"ID":"s"},"time":1,"timeNano":1795554600250000000}"#)
            #expect(abs(e.time.timeIntervalSince1970 - 1795554600.25) < 1e-6)
            #expect(e.attributes.isEmpty)
        }

        @Test(arguments: ["", "not json", "{}", #"{"Type":"service"}"#, #"{"Action":"update"}"#, "[1,2]"])
        func unusableLinesAreNil(line: String) {
            #expect(DockerEvent.decode(line: Array(line.utf8)) == nil)
        }
    }
}

private extension JSONValue {
    var arrayFirst: JSONValue? { if case .array(let a) = self { return a.first } else { return nil } }
}

/// `GET /containers/json` rows: the health-check status lives only in the `Status` text at these API versions
/// (the strings are the daemon's, as seen in docs/docker-engine-api.md §6 and on the test swarm).
@Suite struct ContainerSummaryTests {
    @Test func healthIsReadFromTheStatusText() throws {
        let json = """
            [{"Id":"a","Labels":{"com.docker.swarm.task.id":"t1"},"State":"running","Status":"Up 3 seconds (health: starting)"},
             {"Id":"b","Labels":{"com.docker.swarm.task.id":"t2"},"State":"running","Status":"Up 4 minutes (healthy)"},
             {"Id":"c","Labels":{"com.docker.swarm.task.id":"t3"},"State":"running","Status":"Up 9 seconds (unhealthy)"},
             {"Id":"d","Labels":{},"State":"running","Status":"Up 2 hours"}]
            """
        let rows = try JSONDecoder().decode([ContainerSummary].self, from: Data(json.utf8))
        #expect(rows.map(\.health) == ["starting", "healthy", "unhealthy", nil])
        #expect(rows.map(\.taskID) == ["t1", "t2", "t3", nil])
    }
}
