/// Warren's checks of names and URLs (internal/security/validate.go), with its messages.
enum WarrenSecurityRules {
    /// `ValidateHostname`: RFC 1123, lengths in bytes; no wildcards, no underscores.
    static func hostnameProblem(_ h: String) -> String? {
        if h.isEmpty { return "hostname is empty" }
        if h.utf8.count > 253 { return "hostname exceeds 253 characters" }
        for label in h.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { return "hostname contains empty label" }
            if label.utf8.count > 63 { return "hostname label \(goQuote(label)) exceeds 63 characters" }
            let bytes = Array(label.utf8)
            func alnum(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) }
            let valid = bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") } && alnum(bytes.first!) && alnum(bytes.last!)
            if !valid { return "hostname label \(goQuote(label)) contains invalid characters" }
        }
        return nil
    }

    /// `ValidateHealthURL`: parses as Go does, http or https, a host. Private addresses are fine.
    static func healthURLProblem(_ raw: String) -> String? {
        switch GoURL.parse(raw) {
        case .failure(let e): return "malformed URL: \(e)"
        case .success(let u):
            if u.scheme != "http" && u.scheme != "https" { return "scheme \(goQuote(u.scheme)) not allowed, must be http or https" }
            if u.hostname.isEmpty { return "empty host" }
            return nil
        }
    }

    /// `ValidateWebhookURL`: as a health URL, and the host may not be (or resolve to) a loopback, link-local or
    /// private address. A name that does not resolve is accepted.
    static func webhookURLProblem(_ raw: String, resolve: (String) -> [GoIP]? = GoIP.resolve) -> String? {
        let u: GoURL
        switch GoURL.parse(raw) {
        case .failure(let e): return "malformed URL: \(e)"
        case .success(let parsed): u = parsed
        }
        if u.scheme != "http" && u.scheme != "https" { return "scheme \(goQuote(u.scheme)) not allowed, must be http or https" }
        let host = u.hostname
        if host.isEmpty { return "empty host" }
        if let ip = GoIP.parse(host) { return ip.webhookProblem }
        guard let addresses = resolve(host) else { return nil }
        for ip in addresses {
            if let why = ip.webhookProblem { return "host \(goQuote(host)) resolves to \(ip): \(why)" }
        }
        return nil
    }
}
