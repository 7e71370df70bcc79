import Foundation

/// A secret sent as `Authorization: Bearer` (an OpenClaw gateway token, Warren's admin token), read from a file or
/// the environment. Nothing prints it: its descriptions and mirror hide the value, so it cannot reach the screen, a
/// log or a snapshot by way of string interpolation.
public struct BearerToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Only for the header.
    public let value: String

    /// The text's first line without surrounding blanks; nil when it is empty or holds characters a header cannot
    /// carry.
    public init?(text: String) {
        let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !line.isEmpty, line.count <= 4096, line.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            return nil
        }
        value = line
    }

    /// The token in a file (its first line); nil when the file cannot be read or holds no token.
    public init?(file: String) {
        guard let data = FileManager.default.contents(atPath: file), data.count <= 8192,
              let text = String(data: data, encoding: .utf8) else { return nil }
        self.init(text: text)
    }

    public var header: String { "Bearer " + value }
    public var description: String { "<token>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
