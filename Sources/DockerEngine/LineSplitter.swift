/// Splits a byte stream into lines (without the `\n`; a trailing `\r` is dropped too), across chunk boundaries.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []
    /// Longest line kept; the rest of a longer line is dropped rather than growing without bound.
    public var maxLineLength: Int

    public init(maxLineLength: Int = 1 << 20) { self.maxLineLength = maxLineLength }

    public mutating func feed(_ bytes: some Collection<UInt8>) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for b in bytes {
            if b == UInt8(ascii: "\n") {
                if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                lines.append(pending)
                pending.removeAll(keepingCapacity: true)
            } else if pending.count < maxLineLength {
                pending.append(b)
            }
        }
        return lines
    }

    /// Whatever is left without a final newline.
    public mutating func flush() -> [UInt8]? {
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        guard !pending.isEmpty else { return nil }
        defer { pending.removeAll() }
        return pending
    }
}
