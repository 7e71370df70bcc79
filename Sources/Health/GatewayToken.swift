import Foundation

/// An OpenClaw gateway token, read from its file for a probe. It is sent to that agent's health URL and nowhere
/// else; nothing prints it: its descriptions hide the value.
public struct GatewayToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    /// The file's first line without surrounding blanks; nil when the file cannot be read, is empty, or holds
    /// characters a header cannot carry.
    public init?(file: String) {
        guard let data = FileManager.default.contents(atPath: file), data.count <= 4096,
              let text = String(data: data, encoding: .utf8) else { return nil }
        let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !line.isEmpty, line.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else { return nil }
        value = line
    }

    public var description: String { "<gateway token>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
