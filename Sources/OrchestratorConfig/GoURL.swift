#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's `net/url.Parse` as Warren's binary runs it (Go 1.27, module go 1.24, so the old `urlstrictcolons=0`):
/// the same inputs fail, with Go's messages. Only what Warren looks at is kept: the scheme and the host.
struct GoURL: Equatable {
    /// Lowercased, as Go stores it.
    var scheme: String
    /// `host[:port]`, unescaped; empty when there is no authority.
    var host: String

    /// Go's `URL.Hostname()`: the host without the port and without IPv6 brackets.
    var hostname: String {
        var h = Substring(host)
        if let colon = h.lastIndex(of: ":"), Self.validOptionalPort(h[colon...]) { h = h[..<colon] }
        if h.hasPrefix("["), h.hasSuffix("]") { h = h.dropFirst().dropLast() }
        return String(h)
    }

    /// The URL, or Go's error text (`parse ":foo": missing protocol scheme`).
    static func parse(_ raw: String) -> Result<GoURL, GoURLError> {
        let (u, frag) = cut(Substring(raw), "#")
        let url: GoURL
        switch parseWithoutFragment(u) {
        case .success(let parsed): url = parsed
        case .failure(let why): return .failure(GoURLError(url: String(u), reason: why.text))
        }
        if let frag, !frag.isEmpty, let why = unescapeProblem(frag, host: false) {
            return .failure(GoURLError(url: raw, reason: why))
        }
        return .success(url)
    }

    private static func parseWithoutFragment(_ raw: Substring) -> Result<GoURL, Reason> {
        if raw.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) { return .failure("net/url: invalid control character in URL") }
        if raw == "*" { return .success(GoURL(scheme: "", host: "")) }
        // The scheme: letters, then letters, digits, + - . up to a colon.
        var scheme = "", rest = raw
        for (i, c) in raw.utf8.enumerated() {
            if isLetter(c) { continue }
            if isDigit(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") {
                if i == 0 { break }
                continue
            }
            if c == UInt8(ascii: ":") {
                if i == 0 { return .failure("missing protocol scheme") }
                let colon = raw.utf8.index(raw.startIndex, offsetBy: i)
                scheme = String(raw[..<colon]).lowercased()
                rest = raw[raw.index(after: colon)...]
            }
            break
        }
        if rest.hasSuffix("?") && rest.filter({ $0 == "?" }).count == 1 {
            rest = rest.dropLast()
        } else {
            rest = cut(rest, "?").0
        }
        if !rest.hasPrefix("/") {
            if !scheme.isEmpty { return .success(GoURL(scheme: scheme, host: "")) } // opaque
            if cut(rest, "/").0.contains(":") { return .failure("first path segment in URL cannot contain colon") }
        }
        var host = ""
        if (!scheme.isEmpty || !rest.hasPrefix("///")) && rest.hasPrefix("//") {
            var authority = rest.dropFirst(2)
            rest = ""
            if let slash = authority.firstIndex(of: "/") {
                rest = authority[slash...]
                authority = authority[..<slash]
            }
            switch parseAuthority(authority) {
            case .success(let h): host = h
            case .failure(let why): return .failure(why)
            }
        }
        if let why = unescapeProblem(rest, host: false) { return .failure(Reason(text: why)) }
        return .success(GoURL(scheme: scheme, host: host))
    }

    private static func parseAuthority(_ authority: Substring) -> Result<String, Reason> {
        let at = authority.lastIndex(of: "@")
        let hostPart = at.map { authority[authority.index(after: $0)...] } ?? authority
        let host: String
        switch parseHost(hostPart) {
        case .success(let h): host = h
        case .failure(let why): return .failure(why)
        }
        guard let at else { return .success(host) }
        let userinfo = authority[..<at]
        let allowed = Set("-._:~!$&'()*+,;=%@".utf8)
        if !userinfo.utf8.allSatisfy({ isLetter($0) || isDigit($0) || allowed.contains($0) }) {
            return .failure("net/url: invalid userinfo")
        }
        for part in userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false) {
            if let why = unescapeProblem(part, host: false) { return .failure(Reason(text: why)) }
        }
        return .success(host)
    }

    private static func parseHost(_ host: Substring) -> Result<String, Reason> {
        if let open = host.lastIndex(of: "["), open > host.startIndex { return .failure("invalid IP-literal") }
        if host.hasPrefix("[") {
            guard let close = host.lastIndex(of: "]") else { return .failure("missing ']' in host") }
            let colonPort = host[host.index(after: close)...]
            if !validOptionalPort(colonPort) { return .failure("invalid port \(goQuote(colonPort)) after host") }
            let inside = host[host.index(after: host.startIndex)..<close]
            if let why = unescapeProblem(inside, host: true) { return .failure(Reason(text: why)) }
            let address = String(inside.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)[0])
            if GoIP.parseIPv4(address) != nil { return .failure("invalid IP-literal") }
            var buffer = in6_addr()
            if inet_pton(AF_INET6, address, &buffer) != 1 {
                return .failure("invalid host: ParseAddr(\(goQuote(inside))): unable to parse IP")
            }
            return .success(String(host))
        }
        if let colon = host.lastIndex(of: ":"), !validOptionalPort(host[colon...]) {
            return .failure("invalid port \(goQuote(host[colon...])) after host")
        }
        if let why = unescapeProblem(host, host: true) { return .failure(Reason(text: why)) }
        return .success(String(host))
    }

    /// Go's `unescape` checks: every `%` starts two hex digits; in a host, only non-ASCII bytes may be escaped
    /// (or `%25`), and only the characters Go allows in a host may appear.
    private static func unescapeProblem(_ s: Substring, host: Bool) -> String? {
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, isHex(bytes[i + 1]), isHex(bytes[i + 2]) else {
                    let bad = String(decoding: bytes[i..<min(i + 3, bytes.count)], as: UTF8.self)
                    return "invalid URL escape \(goQuote(bad))"
                }
                let escaped = String(decoding: bytes[i..<i + 3], as: UTF8.self)
                if host && hexValue(bytes[i + 1]) < 8 && escaped != "%25" { return "invalid URL escape \(goQuote(escaped))" }
                i += 3
                continue
            }
            if host && c < 0x80 && !(isLetter(c) || isDigit(c) || hostAllowed.contains(c)) {
                return "invalid character \(goQuote(String(UnicodeScalar(c)))) in host name"
            }
            i += 1
        }
        return nil
    }

    static func validOptionalPort(_ port: Substring) -> Bool {
        if port.isEmpty { return true }
        guard port.first == ":" else { return false }
        return port.utf8.dropFirst().allSatisfy(isDigit)
    }

    private static let hostAllowed = Set("-_.~!$&'()*+,;=:[]<>\"".utf8)
    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") }
    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || ((c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "f")) }
    private static func hexValue(_ c: UInt8) -> UInt8 { isDigit(c) ? c - UInt8(ascii: "0") : (c | 0x20) - UInt8(ascii: "a") + 10 }

    private static func cut(_ s: Substring, _ separator: Character) -> (Substring, Substring?) {
        guard let i = s.firstIndex(of: separator) else { return (s, nil) }
        return (s[..<i], s[s.index(after: i)...])
    }
}

/// Why a part of a URL is refused, in Go's words.
struct Reason: Error, Equatable, ExpressibleByStringInterpolation {
    var text: String
    init(text: String) { self.text = text }
    init(stringLiteral value: String) { text = value }
}

/// Go's `*url.Error` for Parse: `parse "<url>": <reason>`.
struct GoURLError: Error, Equatable, CustomStringConvertible {
    var url: String
    var reason: String
    var description: String { "parse \(goQuote(url)): \(reason)" }
}

/// Go's `%q` for the plain texts that appear here (quotes and backslashes escaped, control bytes as \x..).
func goQuote<S: StringProtocol>(_ s: S) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
