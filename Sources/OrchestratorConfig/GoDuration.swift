/// Go's `time.ParseDuration` format, as Warren's orchestrator.yaml uses it: `300ms`, `30s`, `1h30m`, `30m0s`,
/// `1.5h`, `-2s`; units ns, us (µs, μs), ms, s, m, h. A bare `0` is allowed; any other number needs a unit.
public enum GoDuration {
    /// Seconds, or nil when the text is not a Go duration.
    public static func parse(_ text: String) -> Double? {
        var s = Substring(text)
        guard !s.isEmpty else { return nil }
        var sign = 1.0
        if s.first == "-" || s.first == "+" {
            if s.first == "-" { sign = -1 }
            s = s.dropFirst()
        }
        if s == "0" { return 0 }
        guard !s.isEmpty else { return nil }
        var total = 0.0
        while !s.isEmpty {
            // A number: digits, optionally a fraction.
            let numberEnd = s.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? s.endIndex
            let number = s[..<numberEnd]
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
                  let value = Double(number.hasPrefix(".") ? "0" + number : String(number)) else { return nil }
            s = s[numberEnd...]
            // A unit: letters up to the next digit or dot.
            let unitEnd = s.firstIndex { $0.isASCII && ($0.isNumber || $0 == ".") } ?? s.endIndex
            let unit = s[..<unitEnd]
            s = s[unitEnd...]
            guard let scale = units[String(unit)] else { return nil }
            total += value * scale
        }
        return sign * total
    }

    static let units: [String: Double] = [
        "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600,
    ]

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

    private static func trim(_ v: Double) -> String {
        let rounded = (v * 1e9).rounded() / 1e9
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
