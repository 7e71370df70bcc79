import DockerEngine
import Foundation
import Testing
import TestSupport

/// The adapter against the real private swarm from scripts/test.
@Suite(.enabled(if: TestDocker.shouldRun, "needs the private swarm from scripts/test"))
struct DaemonTests {
    @Test func negotiatesAVersionTheDaemonSupports() async throws {
        try await TestDocker.withClient { client in
            let version = try await client.apiVersion()
            #expect(version >= DockerClient.minAPIVersion)
            #expect(version <= DockerClient.maxAPIVersion)
            // The daemon from Debian's docker.io speaks 1.41; we must not ask for more than it has.
            let raw = try await TestDocker.docker(["version", "--format", "{{.Server.APIVersion}}"])
            #expect(version == min(APIVersion(raw)!, DockerClient.maxAPIVersion))
        }
    }

    @Test func readsSwarmInfoAndNodes() async throws {
        try await TestDocker.withClient { client in
            let info = try await client.requireManager()
            #expect(info.Swarm.LocalNodeState == "active")
            #expect(info.Swarm.ControlAvailable)
            let nodes = try await client.nodes()
            #expect(nodes.count == 1)
            #expect(nodes.first?.ID == info.Swarm.NodeID)
            #expect(nodes.first?.Status.State == "ready")
        }
    }

    @Test func listsAndInspectsServicesWithStatus() async throws {
        try await TestDocker.withService("list", extraFlags: ["--label", "orchestrator.agent=yes"]) { name in
            try await TestDocker.withClient { client in
                try await TestDocker.waitUntil("\(name) running 1/1") {
                    try await client.services().first { $0.Spec.Name == name }?.ServiceStatus?.RunningTasks == 1
                }
                let listed = try #require(try await client.services().first { $0.Spec.Name == name })
                #expect(listed.ServiceStatus?.DesiredTasks == 1)
                #expect(listed.Spec.Labels?["orchestrator.agent"] == "yes")
                #expect(listed.Spec.TaskTemplate.ContainerSpec?.Image?.hasPrefix(TestDocker.image) == true)
                let byName = try await client.service(name)
                #expect(byName.ID == listed.ID)
                let tasks = try await client.tasks(service: listed.ID)
                #expect(tasks.contains { $0.Status.State == "running" && $0.DesiredState == "running" })
                #expect(tasks.allSatisfy { $0.ServiceID == listed.ID })
            }
        }
    }

    @Test func scalesUpAndDownAsSeenInTheTasks() async throws {
        try await TestDocker.withService("scale") { name in
            try await TestDocker.withClient { client in
                try await TestDocker.waitUntil("\(name) running") { try TestDocker.runningTasks(name) == 1 }
                let up = try await client.scale(name, to: 3)
                #expect(up.attempts == 1)
                #expect(up.before.replicas == 1)
                try await TestDocker.waitUntil("3 running tasks") { try TestDocker.runningTasks(name) == 3 }
                _ = try await client.scale(name, to: 0)
                try await TestDocker.waitUntil("no running tasks") { try TestDocker.runningTasks(name) == 0 }
                #expect(try await client.service(name).replicas == 0)
                // Nothing else in the spec was lost on the way (the update sends the whole spec back).
                let after = try await client.service(name)
                #expect(after.Spec.TaskTemplate.ContainerSpec?.Image == up.before.Spec.TaskTemplate.ContainerSpec?.Image)
            }
        }
    }

    @Test func forceRestartStartsANewTask() async throws {
        try await TestDocker.withService("restart") { name in
            try await TestDocker.withClient { client in
                var first: SwarmTask?
                try await TestDocker.waitUntil("a running task") {
                    first = try await client.tasks(service: name).first { $0.Status.State == "running" }
                    return first != nil
                }
                let before = try await client.service(name).forceUpdate
                let result = try await client.forceRestart(name)
                #expect(result.attempts == 1)
                #expect(try await client.service(name).forceUpdate == before + 1)
                try await TestDocker.waitUntil("a new running task", timeout: 60) {
                    try await client.tasks(service: name).contains { $0.Status.State == "running" && $0.ID != first!.ID }
                }
                #expect(try await client.tasks(service: name).first { $0.ID == first!.ID }?.DesiredState == "shutdown")
            }
        }
    }

    @Test func retriesOnceWhenTheVersionIsStale() async throws {
        try await TestDocker.withService("stale") { name in
            try await TestDocker.withClient { client in
                let stale = try await client.service(name)
                // Someone else updates the service, so the version we hold is now out of date.
                try await TestDocker.docker(["service", "update", "-d", "--label-add", "other=change", name])
                #expect(try await client.service(name).Version.Index > stale.Version.Index)
                let result = try await client.scale(name, to: 2, known: stale)
                #expect(result.attempts == 2)
                let now = try await client.service(name)
                #expect(now.replicas == 2)
                // The retry re-read the service, so the other change survived.
                #expect(now.Spec.Labels?["other"] == "change")
            }
        }
    }

    @Test func refusesToScaleAGlobalService() async throws {
        try await TestDocker.withService("global", extraFlags: ["--mode", "global"]) { name in
            try await TestDocker.withClient { client in
                await #expect(throws: DockerError.cannotScaleGlobal(service: name)) {
                    try await client.scale(name, to: 2)
                }
            }
        }
    }

    @Test func reportsAMissingService() async throws {
        try await TestDocker.withClient { client in
            let error = await #expect(throws: DockerError.self) { try await client.service("no-such-service-xyz") }
            #expect(error == .serviceNotFound("no-such-service-xyz"))
            #expect(error?.description == "service 'no-such-service-xyz' not found: it may have been removed; `docker service ls` lists what exists.")
            await #expect(throws: DockerError.serviceNotFound("no-such-service-xyz")) {
                try await client.scale("no-such-service-xyz", to: 1)
            }
        }
    }

    @Test func reportsADaemonThatIsNotASwarmManager() async throws {
        let plain = try TestDocker.require(TestDocker.plainHost, "CLAWTOP_TEST_PLAIN_DOCKER_HOST")
        try await TestDocker.withClient(host: plain) { client in
            let error = await #expect(throws: DockerError.self) { try await client.requireManager() }
            #expect(error == .notSwarmManager(detail: "this node is not in a swarm"))
            #expect(error?.description == "this Docker daemon is not a swarm manager (this node is not in a swarm): run clawtop against a manager node (DOCKER_HOST or DOCKER_CONTEXT), or `docker swarm init` to start a swarm.")
            // The cluster calls themselves answer 503, mapped to the same error.
            await #expect(throws: DockerError.notSwarmManager(detail: "this node is not in a swarm")) {
                try await client.services()
            }
        }
    }

    @Test func reportsAMissingSocket() async throws {
        let path = NSTemporaryDirectory() + "clawtop-no-such-\(UUID().uuidString).sock"
        try await TestDocker.withClient(host: "unix://\(path)") { client in
            let error = await #expect(throws: DockerError.self) { try await client.services() }
            #expect(error == .socketMissing(path: path))
            #expect(error?.description == "no Docker socket at \(path): is the Docker daemon running on this machine? Set DOCKER_HOST or DOCKER_CONTEXT to reach another daemon.")
        }
    }

    @Test func reportsNothingListeningOnTCP() async throws {
        // A port that was just free on loopback: nothing listens there.
        let port = try freeLoopbackPort()
        try await TestDocker.withClient(host: "tcp://127.0.0.1:\(port)") { client in
            await #expect(throws: DockerError.connectionRefused(address: "tcp://127.0.0.1:\(port)")) {
                try await client.services()
            }
        }
    }

    @Test func reachesTheDaemonOverPlainTCP() async throws {
        let host = try TestDocker.requireHost()
        let proxy = try DockerProxy(targetHost: host, listen: "tcp:127.0.0.1:0")
        defer { proxy.stop() }
        let info = try await TestDocker.withClient(host: proxy.address) { client in try await client.requireManager() }
        #expect(info.Swarm.ControlAvailable)
    }

    @Test func reachesTheDaemonOverMutualTLSFromTheEnvironment() async throws {
        let host = try TestDocker.require(TestDocker.tlsHost, "CLAWTOP_TEST_TLS_DOCKER_HOST")
        let certs = try TestDocker.require(TestDocker.tlsCertPath, "CLAWTOP_TEST_TLS_CERT_PATH")
        let client = try DockerClient(environment: ["DOCKER_HOST": host, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certs])
        defer { Task { await client.shutdown() } }
        guard case .tcp(_, _, let tls?) = client.endpoint.transport else { Issue.record("no TLS"); return }
        #expect(tls.verifyServer && tls.certFile != nil && tls.keyFile != nil && tls.caFile != nil)
        #expect(try await client.requireManager().Swarm.ControlAvailable)
        await client.shutdown()

        // Without the client certificate the daemon refuses the handshake.
        let noCert = try DockerClient(endpoint: DockerEndpoint.parse(host: host, tls: TLSSettings(
            caFile: certs + "/ca.pem", certFile: nil, keyFile: nil, verifyServer: true), source: .dockerHost))
        let error = await #expect(throws: DockerError.self) { try await noCert.info() }
        await noCert.shutdown()
        guard case .tls = error else { Issue.record("expected a TLS error, got \(String(describing: error))"); return }
    }

    @Test func followsTheDockerContextFromTheConfig() async throws {
        let host = try TestDocker.require(TestDocker.tlsHost, "CLAWTOP_TEST_TLS_DOCKER_HOST")
        let certs = try TestDocker.require(TestDocker.tlsCertPath, "CLAWTOP_TEST_TLS_CERT_PATH")
        // A docker config with a TLS context, written the way `docker context create` lays it out.
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("clawtop-ctx-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: config) }
        let dir = "0123abcd"
        let meta = config.appendingPathComponent("contexts/meta/\(dir)")
        let tls = config.appendingPathComponent("contexts/tls/\(dir)/docker")
        try FileManager.default.createDirectory(at: meta, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: tls, withIntermediateDirectories: true)
        try #"{"Name":"testswarm","Metadata":{},"Endpoints":{"docker":{"Host":"\#(host)","SkipTLSVerify":false}}}"#
            .write(to: meta.appendingPathComponent("meta.json"), atomically: true, encoding: .utf8)
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            try FileManager.default.copyItem(atPath: certs + "/" + f, toPath: tls.appendingPathComponent(f).path)
        }
        try #"{"auths":{},"currentContext":"testswarm"}"#.write(to: config.appendingPathComponent("config.json"),
                                                                 atomically: true, encoding: .utf8)
        let client = try DockerClient(environment: ["DOCKER_CONFIG": config.path])
        #expect(client.endpoint.source == .context("testswarm"))
        let info = try await client.requireManager()
        await client.shutdown()
        #expect(info.Swarm.ControlAvailable)
    }

    @Test func readsContainerHealthForLocalTasks() async throws {
        let port = try freeLoopbackPort()
        let flags = ["--health-cmd", "wget -q -O- http://127.0.0.1:\(port)/api/health", "--health-interval", "1s",
                     "--health-retries", "2"]
        try await TestDocker.withService("health", command: "httpd -f -p 127.0.0.1:\(port) -h /www", extraFlags: flags) { name in
            try await TestDocker.withClient { client in
                var status: String?
                try await TestDocker.waitUntil("a healthy container", timeout: 60) {
                    guard let task = try await client.tasks(service: name).first(where: { $0.Status.State == "running" }),
                          let id = task.Status.ContainerStatus?.ContainerID else { return false }
                    status = try await client.container(id).State.Health?.Status
                    return status == "healthy"
                }
                #expect(status == "healthy")
            }
        }
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
func freeLoopbackPort() throws -> Int {
    let out = try run("/usr/bin/env", ["python3", "-c",
        "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
    guard let port = Int(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw TestDocker.Unavailable(description: "no free port: \(out.stderr)")
    }
    return port
}
