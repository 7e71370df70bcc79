import AsyncHTTPClient
import ClawtopCore
import FleetSource
import Foundation
import Health
import NIOCore
import NIOHTTP1
import NIOPosix
import SSHTunnel

/// Warren's admin API over HTTP: reads `/admin/agents` and `/admin/health`, follows `/admin/events`, and wakes and
/// puts to sleep through `/admin/agents/{name}/wake|sleep`. The admin token, when there is one, goes as
/// `Authorization: Bearer` to this address only. With `forwards`, every request goes out from the SSH host.
public final class WarrenAdmin: WarrenLink {
    public let address: String
    let token: BearerToken?
    let client: HTTPClient
    /// How often the agents and figures are read again (connections change without an event).
    let pollInterval: Double
    /// Through the SSH host: the base URL to ask and the Host header, or why the relay could not be made.
    let route: Result<SSHRoute, SSHRelay.SetupError>?

    public init(address: String, token: BearerToken?, pollInterval: Double = 10, forwards: SSHForwards? = nil) {
        let base = address.hasSuffix("/") ? String(address.dropLast()) : address
        self.address = base
        self.token = token
        self.pollInterval = pollInterval
        route = forwards.flatMap { forwards in
            do throws(SSHRelay.SetupError) { return try forwards.route(base).map { .success($0) } } catch { return .failure(error) }
        }
        // No read timeout: the event stream has no keep-alives and may be quiet for hours.
        var config = HTTPClient.Configuration(timeout: .init(connect: .seconds(3), read: nil))
        config.redirectConfiguration = .disallow
        config.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: config)
    }

    public func shutdown() async { try? await client.shutdown() }

    /// Why Warren could not be used, as the header shows it.
    struct Problem: Error {
        var link: WarrenView.Link
    }

    // MARK: - Reads

    func read() async throws(Problem) -> (agents: [WarrenAgent], status: WarrenStatus) {
        let health = try await call(.GET, "/admin/health")
        guard let status = WarrenWire.status(health.body) else {
            throw Problem(link: .notWarren("\(address)/admin/health answers HTTP \(health.status), but not as Warren's admin API"))
        }
        let rows = try await call(.GET, "/admin/agents")
        guard let agents = WarrenWire.agents(rows.body) else {
            throw Problem(link: .notWarren("\(address)/admin/agents answers HTTP \(rows.status), but not a list of agents"))
        }
        return (agents, status)
    }

    public func readOnce() async -> [Message] {
        do throws(Problem) {
            let (agents, status) = try await read()
            return [.warren(.read(agents: agents, status: status, at: Date()))]
        } catch {
            return [.warren(.link(error.link))]
        }
    }

    // MARK: - Actions

    public func wake(_ agent: String) async throws(SourceError) { try await act(agent, "wake") }
    public func sleep(_ agent: String) async throws(SourceError) { try await act(agent, "sleep") }

    private func act(_ agent: String, _ verb: String) async throws(SourceError) {
        let name = agent.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? agent
        let answer: (status: Int, body: [UInt8])
        do throws(Problem) {
            answer = try await call(.POST, "/admin/agents/\(name)/\(verb)", accept: 200..<500)
        } catch {
            throw SourceError("Warren: " + (error.link.problem ?? "no answer"))
        }
        guard (200..<300).contains(answer.status) else {
            throw SourceError("Warren refused to \(verb) \(agent): \(Self.message(answer.body) ?? "HTTP \(answer.status)")")
        }
    }

    /// Warren's error bodies: `{"error":"agent is not on-demand"}` (sent as text/plain).
    static func message(_ body: [UInt8]) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["error"] as? String
    }

    // MARK: - The event stream

    /// Follows `/admin/events` until it ends or fails; `opened` runs once the stream is there.
    func events(opened: () async -> Void, _ received: (WarrenEvent) -> Void) async throws(Problem) {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(try request(.GET, "/admin/events"), timeout: .seconds(5))
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(link: .unreachable(HealthProber.describe(error, timeout: 5)))
        }
        if response.headers.contains(name: SSHRelay.failureHeader) {
            try check(Int(response.status.code), path: "/admin/events", relayed: (try? await Self.body(response)) ?? [])
        }
        try check(Int(response.status.code), path: "/admin/events")
        await opened()
        var pending: [UInt8] = []
        do {
            for try await chunk in response.body {
                pending += chunk.readableBytesView
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    if line.hasPrefix("data:"), let event = WarrenWire.event(String(line.dropFirst(5)), now: Date()) {
                        received(event)
                    }
                }
                // A line longer than any event Warren sends is not Warren's; drop it rather than grow.
                if pending.count > 1 << 20 { pending.removeAll() }
            }
        } catch {
            throw Problem(link: .unreachable("the event stream broke: " + HealthProber.describe(error, timeout: 5)))
        }
    }

    // MARK: - Watching

    public func watch(post: @escaping @Sendable (Message) -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.poll(post) }
            group.addTask { await self.follow(post) }
        }
    }

    /// Reads again on an interval (sooner while Warren is away, so its return is seen within seconds).
    private func poll(_ post: @escaping @Sendable (Message) -> Void) async {
        while !Task.isCancelled {
            let messages = await readOnce()
            messages.forEach(post)
            let live = messages.contains { if case .warren(.read) = $0 { return true } else { return false } }
            try? await Task.sleep(for: .seconds(live ? pollInterval : min(pollInterval, 2)))
        }
    }

    /// Follows the event stream, reconnecting with backoff; each time it opens, reads everything again (the stream
    /// has no replay).
    private func follow(_ post: @escaping @Sendable (Message) -> Void) async {
        var backoff = 1.0
        while !Task.isCancelled {
            do throws(Problem) {
                try await events(opened: {
                    backoff = 1
                    await self.readOnce().forEach(post)
                }, { post(.warren(.event($0))) })
            } catch {
                post(.warren(.link(error.link)))
            }
            try? await Task.sleep(for: .seconds(backoff))
            // At most 5 s: once Warren is back (the poll sees it within 2 s), its events should follow soon.
            backoff = min(5, backoff * 2)
        }
    }

    // MARK: - HTTP

    private func request(_ method: HTTPMethod, _ path: String) throws(Problem) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: address + path)
        switch route {
        case .success(let route)?:
            request = HTTPClientRequest(url: (route.url.hasSuffix("/") ? String(route.url.dropLast()) : route.url) + path)
            request.headers.add(name: "Host", value: route.hostHeader)
        case .failure(let error)?:
            throw Problem(link: .unreachable("ssh: \(error.reason)"))
        case nil:
            break
        }
        request.method = method
        request.headers.add(name: "User-Agent", value: "clawtop")
        if let token { request.headers.add(name: "Authorization", value: token.header) }
        return request
    }

    /// A 401 means no token or the wrong one; a status outside `accept`, that something else answers here. A relay's
    /// own answer (`relayed`: its body) means ssh could not reach Warren's address from the SSH host.
    private func check(_ status: Int, path: String, accept: Range<Int> = 200..<300, relayed: [UInt8]? = nil) throws(Problem) {
        if let relayed, let failure = SSHRelay.failure(body: relayed) {
            throw Problem(link: .unreachable(failure.probeReason + " (\(failure.target.destination))"))
        }
        if status == 401 { throw Problem(link: .unauthorized) }
        guard accept.contains(status) else {
            throw Problem(link: .notWarren("\(address)\(path) answers HTTP \(status), not as Warren's admin API"))
        }
    }

    private func call(_ method: HTTPMethod, _ path: String, accept: Range<Int> = 200..<300) async throws(Problem)
        -> (status: Int, body: [UInt8]) {
        do {
            let response = try await client.execute(try request(method, path), timeout: .seconds(5))
            let status = Int(response.status.code)
            let body = try await Self.body(response)
            try check(status, path: path, accept: accept,
                      relayed: response.headers.contains(name: SSHRelay.failureHeader) ? body : nil)
            return (status, body)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(link: .unreachable(HealthProber.describe(error, timeout: 5)))
        }
    }

    /// The body, up to 8 MiB.
    private static func body(_ response: HTTPClientResponse) async throws -> [UInt8] {
        var body: [UInt8] = []
        for try await chunk in response.body {
            body += chunk.readableBytesView
            if body.count > 8 << 20 { break }
        }
        return body
    }
}
