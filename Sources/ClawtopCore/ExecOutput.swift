import Foundation

/// What a command run in a container printed, as the output pane shows it.
public struct ExecOutput: Sendable, Equatable {
    public var target: ExecTarget
    /// The command as the operator would type it in the container (`openclaw status --json`).
    public var command: String
    /// Its exit status; nil when it could not be run (`problem` says why).
    public var status: Int32?
    public var problem: String?
    /// Standard output as printed (bounded; untrusted), and standard error.
    public var stdout: String
    public var stderr: String
    public var at: Date

    public init(target: ExecTarget, command: String, status: Int32?, problem: String? = nil, stdout: String = "",
                stderr: String = "", at: Date) {
        self.target = target
        self.command = command
        self.status = status
        self.problem = problem
        self.stdout = stdout
        self.stderr = stderr
        self.at = at
    }

    /// The output as a JSON document, when it is one.
    public var json: Any? {
        let text = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{") || text.hasPrefix("[") else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// The lines to read: a JSON document as indented `key: value` lines (keys in order of name), other output as
    /// printed; standard error after it, marked as such.
    public var lines: [LogEntry] {
        var entries: [LogEntry] = []
        if let problem { entries.append(LogEntry(stream: .stderr, text: problem)) }
        if let document = json {
            entries += readableLines(document).map { LogEntry(text: $0) }
        } else {
            entries += Self.split(stdout).map { LogEntry(text: $0) }
        }
        entries += Self.split(stderr).map { LogEntry(stream: .stderr, text: $0) }
        return entries
    }

    /// "exit 0", "exit 127", or the problem.
    public var outcome: String { status.map { "exit \($0)" } ?? (problem ?? "not run") }

    private static func split(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// A JSON value as YAML-like lines: `key: value`, nested objects indented under their key, array items as `- `.
public func readableLines(_ value: Any, indent: String = "") -> [String] {
    func scalar(_ value: Any) -> String? {
        switch value {
        case is NSNull: return "null"
        case let n as NSNumber:
            // JSON's true and false come as NSNumbers of type "c".
            if String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }
            return n.stringValue
        case let s as String: return s
        case let a as [Any] where a.isEmpty: return "[]"
        case let o as [String: Any] where o.isEmpty: return "{}"
        default: return nil
        }
    }
    var lines: [String] = []
    switch value {
    case let object as [String: Any]:
        for key in object.keys.sorted() {
            if let text = scalar(object[key]!) {
                lines.append("\(indent)\(key): \(text)")
            } else {
                lines.append("\(indent)\(key):")
                lines += readableLines(object[key]!, indent: indent + "  ")
            }
        }
    case let array as [Any]:
        for item in array {
            if let text = scalar(item) {
                lines.append("\(indent)- \(text)")
            } else {
                // The item's first line after the dash, the others under it.
                let inner = readableLines(item, indent: indent + "  ")
                guard let first = inner.first else { continue }
                lines.append(indent + "- " + first.dropFirst(indent.count + 2))
                lines += inner.dropFirst()
            }
        }
    default:
        lines.append(indent + (scalar(value) ?? "\(value)"))
    }
    return lines
}
