#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address as Go's `net.IP` judges it (4 or 16 bytes), for Warren's webhook rule.
struct GoIP: Equatable, CustomStringConvertible {
    var bytes: [UInt8]

    /// Go's `net.ParseIP`: dotted IPv4 without leading zeros, or IPv6 (no zone).
    static func parse(_ text: String) -> GoIP? {
        if let v4 = parseIPv4(text) { return GoIP(bytes: v4) }
        guard text.contains(":"), !text.contains("%") else { return nil }
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return GoIP(bytes: withUnsafeBytes(of: &address) { Array($0) })
    }

    /// Go's IPv4 form: four decimal fields of 0–255, no leading zeros.
    static func parseIPv4(_ text: String) -> [UInt8]? {
        let fields = text.split(separator: ".", omittingEmptySubsequences: false)
        guard fields.count == 4 else { return nil }
        var out: [UInt8] = []
        for f in fields {
            guard !f.isEmpty, f.count <= 3, f.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), !(f.count > 1 && f.hasPrefix("0")),
                  let v = UInt8(f) else { return nil }
            out.append(v)
        }
        return out
    }

    /// The IPv4 bytes of an IPv4 or IPv4-mapped address (Go's `To4`).
    var v4: [UInt8]? {
        if bytes.count == 4 { return bytes }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff { return Array(bytes[12...]) }
        return nil
    }

    /// Warren's `rejectPrivateIP`: why this address may not receive webhooks, or nil.
    var webhookProblem: String? {
        if let a = v4 {
            if a[0] == 127 { return "loopback address \(self) not allowed" }
            if a[0] == 169 && a[1] == 254 { return "link-local address \(self) not allowed" }
            if a[0] == 224 && a[1] == 0 && a[2] == 0 { return "link-local address \(self) not allowed" }
            if a[0] == 10 { return "private IP \(self) (10.x.x.x) not allowed" }
            if a[0] == 172 && a[1] & 0xf0 == 16 { return "private IP \(self) (172.16-31.x.x) not allowed" }
            if a[0] == 192 && a[1] == 168 { return "private IP \(self) (192.168.x.x) not allowed" }
            return nil
        }
        if bytes == [UInt8](repeating: 0, count: 15) + [1] { return "loopback address \(self) not allowed" }
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return "link-local address \(self) not allowed" }
        if bytes[0] == 0xff && bytes[1] & 0x0f == 0x02 { return "link-local address \(self) not allowed" }
        return nil
    }

    var description: String {
        if let a = v4 { return a.map(String.init).joined(separator: ".") }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The addresses a name resolves to on this machine (hosts file, then DNS), or nil when it does not resolve.
    static func resolve(_ name: String) -> [GoIP]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        var out: [GoIP] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let n = node {
            if let sa = n.pointee.ai_addr {
                if n.pointee.ai_family == AF_INET {
                    sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                        var a = p.pointee.sin_addr
                        out.append(GoIP(bytes: withUnsafeBytes(of: &a) { Array($0) }))
                    }
                } else if n.pointee.ai_family == AF_INET6 {
                    sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                        var a = p.pointee.sin6_addr
                        out.append(GoIP(bytes: withUnsafeBytes(of: &a) { Array($0) }))
                    }
                }
            }
            node = n.pointee.ai_next
        }
        return out.isEmpty ? nil : out
    }
}

/// Why Go's `net.Listen("tcp", address)` would refuse an address before trying to bind, or nil.
func listenAddressProblem(_ address: String) -> String? {
    let s = Array(address.utf8)
    guard let i = s.lastIndex(of: UInt8(ascii: ":")) else { return "missing port in address" }
    var host: String
    var j = 0, k = 0
    if s.first == UInt8(ascii: "[") {
        guard let end = s.firstIndex(of: UInt8(ascii: "]")) else { return "missing ']' in address" }
        if end + 1 == s.count { return "missing port in address" }
        if end + 1 != i { return s[end + 1] == UInt8(ascii: ":") ? "too many colons in address" : "missing port in address" }
        host = String(decoding: s[1..<end], as: UTF8.self)
        j = 1; k = end + 1
    } else {
        host = String(decoding: s[..<i], as: UTF8.self)
        if host.contains(":") { return "too many colons in address" }
    }
    if s[j...].contains(UInt8(ascii: "[")) { return "unexpected '[' in address" }
    if s[k...].contains(UInt8(ascii: "]")) { return "unexpected ']' in address" }
    let port = String(decoding: s[(i + 1)...], as: UTF8.self)
    if !port.isEmpty {
        if port.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            if port.count > 5 || Int(port)! > 65535 { return "invalid port \(goQuote(port))" }
        } else if getservbyname(port.lowercased(), "tcp") == nil {
            return "unknown port \(goQuote(port))"
        }
    }
    if let zone = host.firstIndex(of: "%") { host = String(host[..<zone]) }
    if !host.isEmpty && GoIP.parse(host) == nil && GoIP.resolve(host) == nil {
        return "the host \(goQuote(host)) does not resolve"
    }
    return nil
}
