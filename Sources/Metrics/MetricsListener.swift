import ClawtopCore
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `record --metrics-listen`: answers `GET /metrics` with the fleet as the recorder last saw it (published once a
/// second by its loop), in Prometheus' text format or OpenMetrics' when the scraper asks for it. Each connection is
/// answered on a thread of its own and closed; a client that says nothing for 5 s is dropped. No authentication of
/// its own: it listens where it is told, on loopback by default.
public final class MetricsListener: Sendable {
    /// `HOST:PORT`, as it listens.
    public let address: String
    private let socket: Int32
    private let latest = Mutex<(fleet: FleetState, rows: [AgentRow])?>(nil)
    private let exposition: Exposition

    /// Listens at `address` (`PORT`, or `HOST:PORT` with an IPv4 or bracketed IPv6 host); throws what stands in the way.
    public init(address: String, swarm: String, version: String) throws(MetricsError) {
        let (host, port) = try Self.split(address)
        self.address = (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        exposition = Exposition(swarm: swarm, version: version)
        socket = try Self.listen(host: host, port: port, address: address)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "clawtop metrics"
        thread.start()
    }

    /// What the next scrape shows.
    public func publish(fleet: FleetState, rows: [AgentRow]) {
        latest.withLock { $0 = (fleet, rows) }
    }

    /// Stops listening (the connections being answered finish).
    public func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }

    /// What is wrong with `address` as a place to listen, if anything (before anything listens).
    public static func problem(with address: String) -> String? {
        do throws(MetricsError) {
            _ = try split(address)
            return nil
        } catch {
            return error.description
        }
    }

    /// `9464` is `127.0.0.1:9464`; `0.0.0.0:9464`, `[::]:9464`, `10.0.0.5:9464` are what they say.
    static func split(_ address: String) throws(MetricsError) -> (host: String, port: UInt16) {
        if let port = UInt16(address), port > 0 { return ("127.0.0.1", port) }
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]), port > 0 else {
            throw MetricsError("--metrics-listen takes PORT or HOST:PORT (127.0.0.1:9464, 0.0.0.0:9464, [::1]:9464), not '\(address)'")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw MetricsError("--metrics-listen takes PORT or HOST:PORT with a host (0.0.0.0:9464 for every interface), not '\(address)'")
        }
        return (host, port)
    }

    private static func listen(host: String, port: UInt16, address: String) throws(MetricsError) -> Int32 {
        var v4 = in_addr(), v6 = in6_addr()
        let family: Int32
        if inet_pton(AF_INET, host, &v4) == 1 { family = AF_INET } else if inet_pton(AF_INET6, host, &v6) == 1 { family = AF_INET6 } else {
            throw MetricsError("--metrics-listen \(address): \(host) is not an IP address")
        }
        let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw MetricsError("--metrics-listen \(address): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if family == AF_INET {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            sa.sin_addr = v4
            bound = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        } else {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            sa.sin6_addr = v6
            bound = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw MetricsError("--metrics-listen \(address): cannot listen there: \(why)")
        }
        return fd
    }

    private func acceptLoop() {
        while true {
            let client = accept(socket, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            DispatchQueue.global().async { [self] in answer(client) }
        }
    }

    /// Reads the request's head, answers it, closes the connection.
    private func answer(_ fd: Int32) {
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while head.count < 16_384, !head.ends(with: Array("\r\n\r\n".utf8)) {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return }
            head += buffer[..<n]
        }
        let request = MetricsRequest(head: String(decoding: head, as: UTF8.self))
        let response: (status: String, type: String, body: String)
        switch (request.method, request.path) {
        case ("GET", "/metrics"), ("HEAD", "/metrics"):
            var format = exposition
            format.openMetrics = request.wantsOpenMetrics
            let body = latest.withLock { $0 }.map { format.render($0.fleet, rows: $0.rows) }
            response = body.map { ("200 OK", format.contentType, $0) }
                ?? ("503 Service Unavailable", "text/plain; charset=utf-8", "the recorder has not read the swarm yet\n")
        case ("GET", _), ("HEAD", _):
            response = ("404 Not Found", "text/plain; charset=utf-8", "clawtop serves /metrics only\n")
        default:
            response = ("405 Method Not Allowed", "text/plain; charset=utf-8", "GET /metrics\n")
        }
        let body = Array(response.body.utf8)
        var out = Array("HTTP/1.1 \(response.status)\r\nContent-Type: \(response.type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
        if request.method != "HEAD" { out += body }
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
    }
}

/// The request line and the Accept header of a scrape.
struct MetricsRequest {
    var method = ""
    var path = ""
    var wantsOpenMetrics = false

    init(head: String) {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let parts = lines.first?.split(separator: " ") ?? []
        if parts.count >= 2 {
            method = String(parts[0])
            path = String(parts[1].split(separator: "?", maxSplits: 1).first ?? "")
        }
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "accept" else { continue }
            wantsOpenMetrics = line[line.index(after: colon)...].contains("application/openmetrics-text")
        }
    }
}

/// Why the metrics cannot be served where asked.
public struct MetricsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
