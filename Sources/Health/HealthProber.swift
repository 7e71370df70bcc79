import AsyncHTTPClient
import ClawtopCore
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SSHTunnel

/// Probes a health URL the way the orchestrator does, and a little stricter where OpenClaw needs it:
/// any 2xx is healthy; refused, timeout, DNS and TLS failures, 4xx and 5xx are failures, each with a short reason.
/// A 200 whose JSON says `ok:false` or `ready:false`, or an HTML page on a health path, is a failure too.
/// What an OpenClaw gateway's body says of its readiness is kept on any status (`Readiness`): the why, never the verdict.
/// The whole probe (headers and body) is bounded by its timeout; at most `bodyCap` bytes of the body are read.
///
/// With `forwards`, every probe goes out from the SSH host (`ssh -W host:port`), as Warren's would on the manager,
/// and its sample names that path.
public final class HealthProber: Sendable {
    let client: HTTPClient
    public let bodyCap: Int
    let forwards: SSHForwards?

    public init(bodyCap: Int = 64 << 10, forwards: SSHForwards? = nil) {
        self.bodyCap = bodyCap
        self.forwards = forwards
        var config = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: nil))
        config.redirectConfiguration = .follow(max: 5, allowCycles: false)
        config.decompression = .disabled
        // Many agents can sit behind one host and port; a hanging one must not hold the connections others need.
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        // A refused or unresolvable endpoint fails at once, as Warren's Go client does, not after retrying until the
        // deadline: the reason is then "refused", and the probe costs no slot for its whole timeout.
        config.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: config)
    }

    public func shutdown() async {
        try? await client.shutdown()
        if let forwards {
            // stop() blocks while ssh processes end: on a thread of its own, not the cooperative pool.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread { forwards.stop(); done.resume() }
            }
        }
    }

    /// One probe. Never throws: every outcome is a sample. `token` is sent as `Authorization: Bearer` (the client drops
    /// it on a redirect to another origin); `tokenUnreadable` says a token was meant to be sent but its file could
    /// not be read.
    public func probe(_ url: String, timeout: Double = 5, token: BearerToken? = nil, tokenUnreadable: Bool = false,
                      now: @Sendable () -> Date = Date.init) async -> HealthSample {
        let started = now()
        let clock = ContinuousClock()
        let t0 = clock.now
        func elapsed() -> Double { (clock.now - t0) / .seconds(1) }
        let outcome: Outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask { await self.fetch(url, timeout: timeout, token: token, tokenUnreadable: tokenUnreadable) }
            // A guard in case the body stalls past the client's deadline; it fires a second after the client's own
            // deadline, so the client can report what it saw last.
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout + 1))
                return .failure(reason: "timeout after \(Self.seconds(timeout))", status: nil, unreachable: false)
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        switch outcome {
        case .healthy(let status, let readiness):
            return HealthSample(time: started, ok: true, latency: elapsed(), status: status, readiness: readiness,
                                via: forwards?.label)
        case .failure(let reason, let status, let unreachable, let readiness):
            let answered = status != nil
            return HealthSample(time: started, ok: false, latency: answered ? elapsed() : nil, status: status, reason: reason,
                                unreachable: unreachable, readiness: readiness, via: forwards?.label)
        }
    }

    enum Outcome: Sendable {
        case healthy(status: Int, readiness: Readiness? = nil)
        case failure(reason: String, status: Int?, unreachable: Bool = false, readiness: Readiness? = nil)
    }

    private func fetch(_ url: String, timeout: Double, token: BearerToken?, tokenUnreadable: Bool) async -> Outcome {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              parsed.host?.isEmpty == false else {
            return .failure(reason: "not an http(s) URL", status: nil)
        }
        var request = HTTPClientRequest(url: url)
        if let forwards {
            do {
                guard let route = try forwards.route(url) else { return .failure(reason: "not an http(s) URL", status: nil) }
                request = HTTPClientRequest(url: route.url)
                request.headers.add(name: "Host", value: route.hostHeader)
            } catch {
                return .failure(reason: "ssh: \(error.reason)", status: nil)
            }
        }
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "clawtop")
        request.headers.add(name: "Accept", value: "application/json, */*;q=0.5")
        if let token { request.headers.add(name: "Authorization", value: token.header) }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let status = Int(response.status.code)
            var body = ByteBuffer()
            for try await chunk in response.body {
                var c = chunk
                body.writeBuffer(&c)
                if body.readableBytes >= bodyCap { break }
            }
            let bytes = Array(body.readableBytesView.prefix(bodyCap))
            if forwards != nil, response.headers.contains(name: SSHRelay.failureHeader), let failure = SSHRelay.failure(body: bytes) {
                // The relay's own answer: ssh could not reach the address, so no server answered.
                return .failure(reason: failure.probeReason, status: nil, unreachable: failure.probeUnreachable)
            }
            // Read as JSON once: for the readiness, and for what a 2xx body says is wrong.
            let object = Readiness.jsonObject(bytes)
            let readiness = Readiness.parse(object: object, token: tokenUnreadable ? .unreadable : token == nil ? .none : .sent)
            guard (200..<300).contains(status) else {
                return .failure(reason: readiness?.summary ?? "HTTP \(status)", status: status, readiness: readiness)
            }
            let contentType = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
            if let problem = Self.bodyProblem(bytes, object: object, contentType: contentType, readiness: readiness) {
                return .failure(reason: problem, status: status, readiness: readiness)
            }
            return .healthy(status: status, readiness: readiness)
        } catch is CancellationError {
            return .failure(reason: "cancelled", status: nil)
        } catch {
            let (reason, unreachable) = Self.reason(for: error, timeout: timeout)
            return .failure(reason: reason, status: nil, unreachable: unreachable)
        }
    }

    /// What is wrong with a 2xx body, if anything: OpenClaw's `ok:false` / `ready:false`, or an HTML page.
    static func bodyProblem(_ body: [UInt8], object: [String: Any]?, contentType: String, readiness: Readiness?) -> String? {
        let text = body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if contentType.contains("text/html") || text.first == UInt8(ascii: "<") {
            return "HTML page, not a health answer"
        }
        guard let object else { return nil }
        if object["ok"] as? Bool == false { return readiness?.summary ?? "ok:false" }
        if object["ready"] as? Bool == false { return readiness?.summary ?? "ready:false" }
        return nil
    }

    /// A short reason for a transport error: "refused", "timeout after 5s", "DNS: cannot resolve warren".
    public static func describe(_ error: Error, timeout: Double) -> String { reason(for: error, timeout: timeout).0 }

    /// A short reason for a transport error, and whether the server was never reached (no name, no route).
    static func reason(for error: Error, timeout: Double) -> (String, Bool) {
        if let e = error as? HTTPClientError {
            if e == .deadlineExceeded || e == .readTimeout { return ("timeout after \(seconds(timeout))", false) }
            if e == .connectTimeout { return ("connect timeout", false) }
            if e == .remoteConnectionClosed { return ("connection closed without an answer", false) }
        }
        if let tls = error as? NIOSSLError { return (tlsReason(tls), false) }
        if let c = error as? NIOConnectionError {
            if c.dnsAError != nil || c.dnsAAAAError != nil, c.connectionErrors.isEmpty { return ("DNS: cannot resolve \(c.host)", true) }
            for failure in c.connectionErrors {
                if let io = failure.error as? IOError, let r = reason(errno: io.errnoCode) { return r }
            }
        }
        if let io = error as? IOError, let r = reason(errno: io.errnoCode) { return r }
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("connectionRefused") { return ("refused", false) }
        if text.contains("HTTPParserError") || text.lowercased().contains("invalid") { return ("not an HTTP answer", false) }
        if text.contains("resolve") || text.contains("DNS") { return ("DNS: cannot resolve host", true) }
        return (String(text.prefix(80)), false)
    }

    /// "TLS handshake failed: CERTIFICATE_VERIFY_FAILED", not BoringSSL's whole error stack.
    static func tlsReason(_ error: NIOSSLError) -> String {
        let text = String(describing: error)
        // BoringSSL's errors read `error:…:SSL routines:OPENSSL_internal:REASON at file:line`.
        let code = text.range(of: "OPENSSL_internal:").map { text[$0.upperBound...].prefix { $0.isUppercase || $0 == "_" || $0.isNumber } }
        if case .handshakeFailed = error { return "TLS handshake failed" + (code.map { ": \($0)" } ?? "") }
        return "TLS: " + (code.map(String.init) ?? String(text.prefix(60)))
    }

    static func reason(errno code: Int32) -> (String, Bool)? {
        switch code {
        case ECONNREFUSED: return ("refused", false)
        case ENETUNREACH: return ("no route to the network", true)
        case EHOSTUNREACH: return ("no route to the host", true)
        default: return nil
        }
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s))s" : String(format: "%.1fs", s) }
}
