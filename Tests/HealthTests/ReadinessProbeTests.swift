import ClawtopCore
import Foundation
import Health
import Testing
import TestSupport

/// The prober against a loopback server answering OpenClaw's exact readiness bodies (scripts/misbehaving-http.py):
/// Warren's verdict stands (a 503 fails, a 200 passes), and the why comes from the body.
@Suite struct ReadinessProbeTests {
    static let token = "gw-test-7c1d9e52a4"

    func probe(_ path: String) async throws -> HealthSample {
        let server = try await ScriptServer.start(script: "misbehaving-http.py", arguments: [Self.token])
        defer { server.stop() }
        let prober = HealthProber()
        // What the gateway says, not how fast: a CI machine running every suite at once took over 3 s for 2 MB.
        let sample = await prober.probe(server.address + path, timeout: 15)
        await prober.shutdown()
        return sample
    }

    func tokenFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "clawtop-token-\(UUID().uuidString.prefix(8))"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func failingChannelsAreTheReason() async throws {
        let s = try await probe("/openclaw/channels")
        #expect(!s.ok && s.status == 503 && s.reason == "not ready: discord, telegram")
        #expect(s.readiness?.phase == .notReady && s.readiness?.failing == ["discord", "telegram"])
    }

    @Test func drainingIsToldApartFromFailing() async throws {
        let s = try await probe("/openclaw/draining")
        #expect(!s.ok && s.status == 503 && s.reason == "draining (expected during a rollout)")
        #expect(s.readiness?.phase == .draining)
    }

    @Test func aBareAnswerSaysTheDetailNeedsTheToken() async throws {
        let s = try await probe("/openclaw/bare")
        #expect(!s.ok && s.reason == "not ready (detail needs the gateway token)" && s.readiness?.detail == .withheld)
    }

    @Test func startingOnATwoHundredStaysHealthy() async throws {
        let s = try await probe("/openclaw/startupz")
        #expect(s.ok && s.status == 200 && s.reason == nil)
        #expect(s.readiness == Readiness(phase: .starting, pendingReason: "startup-sidecars"))
        #expect(s.readiness?.summary == "starting: startup-sidecars")
    }

    @Test func conditionsGiveEveryCheckWithItsMessage() async throws {
        let s = try await probe("/openclaw/conditions")
        #expect(!s.ok && s.reason == "not ready: discord")
        let checks = s.readiness?.checks ?? []
        #expect(checks.map(\.name) == ["ChannelRuntimeReady", "EventLoopHealthy", "WorkspaceWritable", "StorageUnavailable"])
        #expect(checks.first?.message == "Selected channels are not ready: discord." && checks.first?.status == "False")
        #expect(checks[1].advisory && !checks[0].advisory && !checks[3].advisory)
    }

    @Test func aTwoMegabyteBodyIsStillBounded() async throws {
        let s = try await probe("/openclaw/huge")
        // Only the first 64 KiB are read: no longer JSON, so no reason but the status.
        #expect(!s.ok && s.status == 503 && s.reason == "HTTP 503" && s.readiness == nil, "\(s)")
    }

    @Test func theTokenBringsTheDetailAndOnlyItsProbeCarriesIt() async throws {
        let server = try await ScriptServer.start(script: "misbehaving-http.py", arguments: [Self.token])
        defer { server.stop() }
        let right = try tokenFile(Self.token + "\n")
        let wrong = try tokenFile("not-the-token")
        defer { for f in [right, wrong] { try? FileManager.default.removeItem(atPath: f) } }
        let prober = HealthProber()
        let with = await prober.probe(ProbeTarget(agent: "a", url: server.address + "/openclaw/gated?a", interval: 10,
                                                  timeout: 3, tokenFile: right))
        let without = await prober.probe(ProbeTarget(agent: "b", url: server.address + "/openclaw/gated?b", interval: 10, timeout: 3))
        let refused = await prober.probe(ProbeTarget(agent: "c", url: server.address + "/openclaw/gated?c", interval: 10,
                                                     timeout: 3, tokenFile: wrong))
        let unreadable = await prober.probe(ProbeTarget(agent: "d", url: server.address + "/openclaw/gated?d", interval: 10,
                                                        timeout: 3, tokenFile: "/nonexistent/clawtop-token"))
        await prober.shutdown()
        #expect(with.reason == "not ready: discord, telegram" && with.readiness?.detail == .full)
        #expect(without.reason == "not ready (detail needs the gateway token)")
        #expect(refused.reason == "not ready (gateway token refused)" && refused.readiness?.detail == .tokenRefused)
        #expect(unreadable.reason == "not ready (gateway token file unreadable)")

        let seen = try await server.get("/requests")
        let counts = try JSONDecoder().decode([String: [String: Int]].self, from: Data(seen.utf8))
        #expect(counts["/openclaw/gated?a"] == ["right": 1, "wrong": 0, "none": 0], "\(counts)")
        #expect(counts["/openclaw/gated?b"] == ["right": 0, "wrong": 0, "none": 1], "\(counts)")
        #expect(counts["/openclaw/gated?c"] == ["right": 0, "wrong": 1, "none": 0], "\(counts)")
        #expect(counts["/openclaw/gated?d"] == ["right": 0, "wrong": 0, "none": 1], "\(counts)")
        for sample in [with, without, refused, unreadable] {
            #expect(!"\(sample)".contains(Self.token), "a sample never carries the token")
        }
    }

    @Test func aTokenNeverPrints() throws {
        let file = try tokenFile(Self.token)
        let blank = try tokenFile("  \n")
        let spaced = try tokenFile("two words")
        defer { for f in [file, blank, spaced] { try? FileManager.default.removeItem(atPath: f) } }
        let token = try #require(BearerToken(file: file))
        for text in ["\(token)", String(reflecting: token), String(describing: [token]), "\(Optional(token) as Any)"] {
            #expect(!text.contains(Self.token), "\(text)")
        }
        #expect(BearerToken(file: blank) == nil, "a blank file holds no token")
        #expect(BearerToken(file: spaced) == nil, "a header cannot carry a space-separated value")
    }
}
