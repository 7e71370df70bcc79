import ClawtopCore
import Foundation
import Health
import Testing
import TestSupport

/// The prober against real HTTP servers on loopback that misbehave on purpose (scripts/misbehaving-http.py).
@Suite struct HealthProberTests {
    func probe(_ path: String, timeout: Double = 2) async throws -> HealthSample {
        let server = try await ScriptServer.start(script: "misbehaving-http.py")
        defer { server.stop() }
        let prober = HealthProber()
        let sample = await prober.probe(server.address + path, timeout: timeout)
        await prober.shutdown()
        return sample
    }

    @Test func twoHundredWithOkJSONIsHealthy() async throws {
        let s = try await probe("/ok")
        #expect(s.ok && s.status == 200 && s.reason == nil && s.latency != nil)
    }

    @Test func noContentIsHealthy() async throws {
        let s = try await probe("/204")
        #expect(s.ok && s.status == 204)
    }

    @Test func plainTextOkIsHealthy() async throws {
        #expect(try await probe("/text").ok)
    }

    @Test(arguments: [("/404", 404), ("/500", 500)])
    func errorStatusesFail(path: String, status: Int) async throws {
        let s = try await probe(path)
        #expect(!s.ok && s.status == status && s.reason == "HTTP \(status)")
    }

    @Test func anHTMLPageOnTwoHundredFails() async throws {
        let s = try await probe("/html")
        #expect(!s.ok && s.status == 200 && s.reason == "HTML page, not a health answer")
    }

    @Test func okFalseAndReadyFalseFail() async throws {
        let a = try await probe("/ok-false")
        #expect(!a.ok && a.reason == "ok:false")
        let b = try await probe("/ready-false")
        #expect(!b.ok && b.reason == "starting: startup-sidecars" && b.readiness?.phase == .starting)
    }

    @Test func garbageBytesFail() async throws {
        let s = try await probe("/garbage")
        #expect(!s.ok && s.status == nil)
        #expect(s.reason == "not an HTTP answer" || s.reason == "connection closed without an answer", "\(s.reason ?? "")")
    }

    @Test func aHugeBodyIsHealthy() async throws {
        // Only the first 64 KiB are read (how fast that is belongs in the benchmark, not here: the deadline only
        // bounds liveness, on two cores busy with the whole suite's start).
        let s = try await probe("/huge", timeout: 20)
        #expect(s.ok && s.status == 200, "\(s.reason ?? "")")
    }

    @Test func aHangingEndpointTimesOut() async throws {
        let s = try await probe("/hang", timeout: 1)
        #expect(!s.ok && s.reason == "timeout after 1s" && s.latency == nil, "got \(String(describing: s.reason))")
        let b = try await probe("/hang-body", timeout: 1)
        #expect(!b.ok && b.reason == "timeout after 1s")
    }

    @Test func aRefusedConnectionFails() async throws {
        // Start and stop a server: nothing listens on its port any more.
        let server = try await ScriptServer.start(script: "misbehaving-http.py")
        let address = server.address
        server.stop()
        let prober = HealthProber()
        let s = await prober.probe(address + "/ok", timeout: 2)
        await prober.shutdown()
        #expect(!s.ok && s.reason == "refused", "got \(String(describing: s.reason))")
    }

    @Test func slowButFineIsHealthyWithItsLatency() async throws {
        let s = try await probe("/slow", timeout: 4)
        #expect(s.ok)
        #expect((s.latency ?? 0) >= 1.4)
    }

    @Test func aNonHTTPURLFails() async throws {
        let prober = HealthProber()
        let s = await prober.probe("ftp://127.0.0.1/health")
        await prober.shutdown()
        #expect(!s.ok && s.reason == "not an http(s) URL")
    }

    @Test func aNameThatDoesNotResolveFailsAsUnreachable() async throws {
        // `.invalid` never resolves (RFC 6761); no packet leaves loopback-only rules behind: resolution fails locally
        // or at the resolver, and nothing is connected to.
        let prober = HealthProber()
        let s = await prober.probe("http://tasks.openclaw_alpha.invalid:18789/health", timeout: 3)
        await prober.shutdown()
        #expect(!s.ok && s.status == nil && s.unreachable)
        #expect(s.reason?.hasPrefix("DNS: cannot resolve") == true, "got \(String(describing: s.reason))")
    }

    @Test func aTLSHandshakeWithAPlainServerFails() async throws {
        let server = try await ScriptServer.start(script: "misbehaving-http.py")
        defer { server.stop() }
        let prober = HealthProber()
        let s = await prober.probe(server.address.replacingOccurrences(of: "http://", with: "https://") + "/ok", timeout: 3)
        await prober.shutdown()
        #expect(!s.ok && s.status == nil && !s.unreachable)
        #expect(s.reason == "TLS handshake failed: WRONG_VERSION_NUMBER", "got \(String(describing: s.reason))")
    }
}
