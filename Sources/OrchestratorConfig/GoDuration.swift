/// Go's `time.ParseDuration`, byte for byte, as Warren reads its durations (yaml.v3 into `time.Duration`):
/// `300ms`, `30s`, `1h30m`, `30m0s`, `1.5h`, `-2s`, `.5s`; units ns, us (µs, μs), ms, s, m, h. `"0"` alone is zero;
/// any other number needs a unit. The result is whole nanoseconds in an Int64, with Go's overflow errors.
public enum GoDuration {
    /// Nanoseconds, or Go's error text (`time: missing unit in duration "30"`).
    public static func parseNanoseconds(_ text: String) -> Result<Int64, GoDurationError> {
        let orig = text
        var s = Array(text.utf8)[...]
        var d: UInt64 = 0
        var neg = false
        func failure(_ what: String) -> Result<Int64, GoDurationError> { .failure(GoDurationError(message: what, text: orig)) }

        if let c = s.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            neg = c == UInt8(ascii: "-")
            s = s.dropFirst()
        }
        if s.elementsEqual("0".utf8) { return .success(0) }
        if s.isEmpty { return failure("invalid duration") }
        while !s.isEmpty {
            var v: UInt64 = 0, f: UInt64 = 0
            var scale = 1.0
            guard s.first == dot || isDigit(s.first!) else { return failure("invalid duration") }
            // [0-9]*
            let before = s.count
            while let c = s.first, isDigit(c) {
                if v > (1 << 63) / 10 { return failure("invalid duration") }
                v = v * 10 + UInt64(c - zero)
                if v > 1 << 63 { return failure("invalid duration") }
                s = s.dropFirst()
            }
            let pre = before != s.count
            // (\.[0-9]*)?
            var post = false
            if s.first == dot {
                s = s.dropFirst()
                let start = s.count
                var overflow = false
                while let c = s.first, isDigit(c) {
                    s = s.dropFirst()
                    if overflow { continue }
                    if f > ((1 << 63) - 1) / 10 { overflow = true; continue }
                    let y = f * 10 + UInt64(c - zero)
                    if y > 1 << 63 { overflow = true; continue }
                    f = y
                    scale *= 10
                }
                post = start != s.count
            }
            if !pre && !post { return failure("invalid duration") }
            // The unit: everything up to the next digit or dot.
            let unitEnd = s.firstIndex { $0 == dot || isDigit($0) } ?? s.endIndex
            if unitEnd == s.startIndex { return failure("missing unit in duration") }
            let unitText = String(decoding: s[..<unitEnd], as: UTF8.self)
            s = s[unitEnd...]
            guard let unit = units[unitText] else { return failure("unknown unit \"\(unitText)\" in duration") }
            if v > (1 << 63) / unit { return failure("invalid duration") }
            v *= unit
            if f > 0 {
                v += UInt64(Double(f) * (Double(unit) / scale))
                if v > 1 << 63 { return failure("invalid duration") }
            }
            d += v
            if d > 1 << 63 { return failure("invalid duration") }
        }
        if neg { return .success(d == 1 << 63 ? Int64.min : -Int64(d)) }
        if d > UInt64(Int64.max) { return failure("invalid duration") }
        return .success(Int64(d))
    }

    /// Seconds, or nil when the text is not a Go duration.
    public static func parse(_ text: String) -> Double? {
        guard case .success(let ns) = parseNanoseconds(text) else { return nil }
        return Double(ns) / 1e9
    }

    static let units: [String: UInt64] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
        "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]
    private static let dot = UInt8(ascii: "."), zero = UInt8(ascii: "0")
    private static func isDigit(_ c: UInt8) -> Bool { c >= zero && c <= UInt8(ascii: "9") }

    /// Go's `Duration.String()` form, as Warren writes durations back: `30m0s`, `1h30m0s`, `300ms`, `0s`.
    public static func format(_ seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        let sign = seconds < 0 ? "-" : ""
        let abs = Swift.abs(seconds)
        if abs < 1 {
            if abs >= 1e-3 { return sign + trim(abs * 1e3) + "ms" }
            if abs >= 1e-6 { return sign + trim(abs * 1e6) + "µs" }
            return sign + trim(abs * 1e9) + "ns"
        }
        let h = Int(abs / 3600)
        let m = Int(abs.truncatingRemainder(dividingBy: 3600) / 60)
        let sec = abs.truncatingRemainder(dividingBy: 60)
        var out = sign
        if h > 0 { out += "\(h)h" }
        if h > 0 || m > 0 { out += "\(m)m" }
        return out + trim(sec) + "s"
    }

    /// Nanoseconds in `Duration.String()` form.
    public static func format(nanoseconds ns: Int64) -> String { format(Double(ns) / 1e9) }

    private static func trim(_ v: Double) -> String {
        let rounded = (v * 1e9).rounded() / 1e9
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

/// Why Go's `time.ParseDuration` refuses a text; `description` is Go's own message.
public struct GoDurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var text: String
    public var description: String { "time: \(message) \"\(text)\"" }
}
