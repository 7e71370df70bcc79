import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import SSHTunnel

/// A client for the Docker Engine API: one daemon, HTTP/1.1 over a unix socket, TCP (optionally mutual TLS), or SSH
/// (through a local `SSHRelay` to `docker system dial-stdio` on the host).
///
/// Plain calls share a keep-alive connection pool with a per-call deadline; the events and log streams use a second
/// pool with no read timeout, because Docker sends nothing on a quiet stream. Call `shutdown()` when done.
public final class DockerClient: Sendable {
    /// The newest API version clawtop asks for; the daemon may speak an older one (negotiated from `/_ping`).
    public static let maxAPIVersion = APIVersion(1, 47)
    /// The oldest API clawtop can use: `status=true` on the service list arrived in 1.41 (Docker 20.10).
    public static let minAPIVersion = APIVersion(1, 41)

    public let endpoint: DockerEndpoint
    /// Deadline for a plain call, in seconds.
    public let callTimeout: Double
    let http: HTTPClient
    let streaming: HTTPClient
    /// For an `ssh://` endpoint: the local socket both pools connect to.
    let relay: SSHRelay?
    private let negotiated = Mutex<APIVersion?>(nil)

    public init(endpoint: DockerEndpoint, callTimeout: Double = 10) throws(DockerError) {
        self.endpoint = endpoint
        self.callTimeout = callTimeout
        var tlsConfiguration: TLSConfiguration?
        if case .tcp(_, _, let tls?) = endpoint.transport {
            tlsConfiguration = try Self.makeTLS(tls, address: endpoint.address)
        }
        if case .ssh(let target) = endpoint.transport {
            // ssh gives up reaching the host before the call's deadline, so its reason is the one reported.
            do {
                relay = try SSHRelay(target: target, connectTimeout: max(1, Int(callTimeout) - 2))
            } catch {
                throw .transport(address: target.address, reason: error.reason)
            }
        } else {
            relay = nil
        }
        let connect = TimeAmount.milliseconds(Int64(min(callTimeout, 5) * 1000))
        var plain = HTTPClient.Configuration(tlsConfiguration: tlsConfiguration,
                                             timeout: .init(connect: connect, read: .milliseconds(Int64(callTimeout * 1000))))
        plain.decompression = .disabled
        var stream = HTTPClient.Configuration(tlsConfiguration: tlsConfiguration, timeout: .init(connect: connect, read: nil))
        stream.decompression = .disabled
        // A missing socket or a refused port is reported at once, not after retrying until the connect timeout: an
        // operator starting clawtop with no daemon waited 5 s for the message. Streams reconnect with their own backoff.
        plain.connectionPool.retryConnectionEstablishment = false
        stream.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: plain)
        streaming = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: stream)
    }

    /// Resolves the endpoint from the environment (DOCKER_HOST, DOCKER_CONTEXT, currentContext, default socket).
    public convenience init(environment: [String: String] = ProcessInfo.processInfo.environment,
                            callTimeout: Double = 10) throws(DockerError) {
        try self.init(endpoint: EndpointResolver(environment: environment).resolve(), callTimeout: callTimeout)
    }

    public func shutdown() async {
        try? await http.shutdown()
        try? await streaming.shutdown()
        if let relay {
            // stop() blocks while ssh processes end: on a thread of its own, not the cooperative pool.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread { relay.stop(); done.resume() }
            }
        }
    }

    // MARK: - Version negotiation

    /// The API version in use: `min(maxAPIVersion, daemon's Api-Version)`, read once from `/_ping`.
    public func apiVersion() async throws(DockerError) -> APIVersion {
        if let v = negotiated.withLock({ $0 }) { return v }
        let response = try await send(.GET, "/_ping", versioned: false)
        guard let header = response.headers.first(name: "Api-Version"), let daemon = APIVersion(header) else {
            throw .decoding(what: "/_ping", reason: "no Api-Version header; is this a Docker daemon?")
        }
        guard daemon >= Self.minAPIVersion else {
            throw .apiTooOld(daemon: daemon.description, required: Self.minAPIVersion.description)
        }
        let use = min(daemon, Self.maxAPIVersion)
        negotiated.withLock { $0 = use }
        return use
    }

    // MARK: - Requests

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// Sends one request and reads the whole answer. Non-2xx answers become `DockerError`s
    /// (`notFound` tells which error a 404 means for this call).
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil,
              versioned: Bool = true, notFound: ((String) -> DockerError)? = nil,
              operation: String? = nil) async throws(DockerError) -> Response {
        let request = try await makeRequest(method, path, query: query, body: body, versioned: versioned)
        return try await mappingErrors(operation ?? "\(method.rawValue) \(path)") {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(callTimeout * 1000)))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            let status = Int(response.status.code)
            if let failure = relayFailure(response.headers, bytes) { throw DockerError.ssh(failure) }
            if status >= 400 { throw Self.apiError(status: status, body: bytes, notFound: notFound) }
            return Response(status: status, headers: response.headers, body: bytes)
        }
    }

    /// Opens a streaming request (events, logs): returns once the daemon has answered with its headers.
    func openStream(_ path: String, query: [(String, String)],
                    notFound: ((String) -> DockerError)? = nil) async throws(DockerError) -> HTTPClientResponse {
        let request = try await makeRequest(.GET, path, query: query, body: nil, versioned: true)
        return try await mappingErrors("GET \(path)") {
            let response = try await streaming.execute(request, timeout: .milliseconds(Int64(callTimeout * 1000)))
            let status = Int(response.status.code)
            if status >= 400 {
                let bytes = try await response.body.collect(upTo: 1 << 20)
                if let failure = relayFailure(response.headers, bytes) { throw DockerError.ssh(failure) }
                throw Self.apiError(status: status, body: bytes, notFound: notFound)
            }
            return response
        }
    }

    /// Runs a request, passing `DockerError`s through and turning anything else into one.
    private func mappingErrors<T>(_ operation: String, _ body: () async throws -> T) async throws(DockerError) -> T {
        do {
            return try await body()
        } catch let error as DockerError {
            throw error
        } catch {
            throw mapTransportError(error, operation: operation)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, what: String,
                              leavingOutRawSpec: Bool = false) throws(DockerError) -> T {
        do {
            let decoder = JSONDecoder()
            if leavingOutRawSpec { decoder.userInfo[SwarmService.leaveOutRawSpec] = true }
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw .decoding(what: what, reason: EndpointResolver.describe(error))
        }
    }

    /// The answer as a `JSONValue` tree.
    func parse(_ buffer: ByteBuffer, what: String) throws(DockerError) -> JSONValue {
        do {
            return try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw .decoding(what: what, reason: error.description)
        }
    }

    private func makeRequest(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: Data?,
                             versioned: Bool) async throws(DockerError) -> HTTPClientRequest {
        var uri = path
        if versioned { uri = "/v\(try await apiVersion())\(path)" }
        if !query.isEmpty {
            uri += "?" + query.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: baseURL + uri)
        request.method = method
        request.headers.add(name: "Host", value: "docker")
        request.headers.add(name: "User-Agent", value: "clawtop")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    private var baseURL: String {
        switch endpoint.transport {
        case .unix(let path):
            // AsyncHTTPClient takes the socket path as the percent-encoded host of an http+unix URL.
            let host = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path
            return "http+unix://\(host)"
        case .tcp(let host, let port, let tls):
            let h = host.contains(":") ? "[\(host)]" : host
            return "\(tls == nil ? "http" : "https")://\(h):\(port)"
        case .ssh:
            let path = relay?.socketPath ?? ""
            return "http+unix://" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path)
        }
    }

    static func percentEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    // MARK: - Errors

    static func message(from body: ByteBuffer) -> String {
        let data = Data(body.readableBytesView)
        if let decoded = try? JSONDecoder().decode(ErrorBody.self, from: data) { return decoded.message }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func apiError(status: Int, body: ByteBuffer, notFound: ((String) -> DockerError)?) -> DockerError {
        let message = message(from: body)
        if message.contains("not a swarm manager") {
            return .notSwarmManager(detail: message.contains("Worker nodes") ? "this node is a worker" : "this node is not in a swarm")
        }
        if message.contains("update out of sequence") { return .outOfSequence(service: "") }
        if status == 404, let notFound { return notFound(message) }
        return .api(status: status, message: message)
    }

    /// The relay's own answer when ssh failed before the daemon spoke (see `SSHRelaySession`).
    private func relayFailure(_ headers: HTTPHeaders, _ body: ByteBuffer) -> SSHFailure? {
        guard relay != nil else { return nil }
        guard headers.contains(name: SSHRelay.failureHeader) else { return nil }
        return SSHRelay.failure(body: Array(body.readableBytesView))
    }

    /// A stream or connection that ended under us: over SSH, what the relay saw (ssh's exit and last words).
    public func connectionLost(_ what: String) -> DockerError {
        if let relay, case .ssh(let target) = endpoint.transport {
            return .ssh(relay.recentFailure() ?? SSHFailure(kind: .connectionLost, target: target, detail: what))
        }
        return .transport(address: endpoint.address, reason: what)
    }

    func mapTransportError(_ error: Error, operation: String) -> DockerError {
        if relay != nil {
            if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout {
                return .timeout(operation: operation, seconds: callTimeout)
            }
            return connectionLost("the connection closed during \(operation)")
        }
        // A missing or forbidden socket explains any failure, a timeout included.
        if case .unix(let path) = endpoint.transport, let local = Self.socketProblem(path) { return local }
        if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
            return .timeout(operation: operation, seconds: callTimeout)
        }
        if let code = Self.errnoCode(in: error) {
            if code == ECONNREFUSED { return .connectionRefused(address: endpoint.address) }
            if code == ETIMEDOUT { return .timeout(operation: operation, seconds: callTimeout) }
            return .transport(address: endpoint.address, reason: String(cString: strerror(code)))
        }
        if error is NIOSSLError || String(describing: error).contains("SSL") || String(describing: error).contains("handshake") {
            return .tls(address: endpoint.address, reason: String(describing: error))
        }
        return .transport(address: endpoint.address, reason: String(describing: error))
    }

    /// Why a unix socket cannot be used, if the reason is visible from here: missing, or no permission.
    static func socketProblem(_ path: String) -> DockerError? {
        var st = stat()
        if stat(path, &st) != 0 {
            return errno == EACCES ? .permissionDenied(path: path, group: nil) : .socketMissing(path: path)
        }
        if access(path, R_OK | W_OK) != 0 && errno == EACCES {
            var group: String?
            if let g = getgrgid(st.st_gid), let name = g.pointee.gr_name { group = String(cString: name) }
            return .permissionDenied(path: path, group: group)
        }
        return nil
    }

    private static func errnoCode(in error: Error) -> Int32? {
        if let io = error as? IOError { return io.errnoCode }
        if let c = error as? NIOConnectionError {
            for failure in c.connectionErrors { if let code = errnoCode(in: failure.error) { return code } }
            if let dns = c.dnsAError ?? c.dnsAAAAError { return errnoCode(in: dns) }
        }
        return nil
    }

    // MARK: - TLS

    static func makeTLS(_ settings: TLSSettings, address: String) throws(DockerError) -> TLSConfiguration {
        var config = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = settings.caFile { config.trustRoots = .file(ca) }
            if let cert = settings.certFile {
                config.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
            }
            if let key = settings.keyFile { config.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)) }
        } catch {
            throw .tls(address: address, reason: "cannot load the certificates (\(error))")
        }
        if !settings.verifyServer { config.certificateVerification = .none }
        return config
    }
}

/// A Docker API version such as 1.41, ordered numerically (1.9 < 1.41).
public struct APIVersion: Comparable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public init(_ major: Int, _ minor: Int) { self.major = major; self.minor = minor }
    public init?(_ text: String) {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else { return nil }
        self.init(a, b)
    }
    public var description: String { "\(major).\(minor)" }
    public static func < (l: APIVersion, r: APIVersion) -> Bool { (l.major, l.minor) < (r.major, r.minor) }
}
