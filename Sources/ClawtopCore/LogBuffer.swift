import Foundation

/// Which output of a container a log line came from.
public enum LogStreamKind: String, Sendable, Equatable {
    case stdout, stderr
}

/// One line of an agent's log.
public struct LogEntry: Sendable, Equatable {
    /// When Docker received the line (nil if it gave no timestamp).
    public var time: Date?
    public var stream: LogStreamKind
    /// The task that printed it, where the source says.
    public var taskID: String?
    /// Which replica printed it: the slot ("1") or a short task label; nil when unknown. `reduce` labels lines
    /// that carry only a task ID, from the tasks it knows.
    public var replica: String?
    /// The line as printed. Untrusted: sanitize before drawing.
    public var text: String

    public init(time: Date? = nil, stream: LogStreamKind = .stdout, taskID: String? = nil, replica: String? = nil,
                text: String) {
        self.time = time
        self.stream = stream
        self.taskID = taskID
        self.replica = replica
        self.text = text
    }
}

/// The scrollback of one agent's log: a fixed-size ring, oldest first. When full, each append drops the oldest line.
///
/// Lines are also numbered in the order appended (0, 1, 2, …, across drops and `clear()`), so a position can be
/// remembered while lines come and go: index `i` holds line number `firstSequence + i`.
public struct LogBuffer: Sendable, Equatable {
    public let capacity: Int
    private var ring: [LogEntry] = []
    private var head = 0
    /// Lines ever appended: the next line's number.
    public private(set) var appendedTotal = 0
    /// Lines dropped from the front because the ring was full.
    public private(set) var dropped = 0

    public init(capacity: Int = 5_000) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { ring.count }
    public var isEmpty: Bool { ring.isEmpty }

    /// The number of the oldest line held (`appendedTotal` when empty).
    public var firstSequence: Int { appendedTotal - ring.count }

    /// The line at `index`, oldest first (0 ..< count).
    public subscript(index: Int) -> LogEntry {
        precondition(index >= 0 && index < ring.count, "log index \(index) out of 0..<\(ring.count)")
        return ring[(head + index) % ring.count]
    }

    /// Every line held, oldest first.
    public var entries: [LogEntry] { Array(ring[head...] + ring[..<head]) }

    public mutating func append(_ entry: LogEntry) {
        if ring.count < capacity {
            ring.append(entry)
        } else {
            ring[head] = entry
            head = (head + 1) % capacity
            dropped += 1
        }
        appendedTotal += 1
    }

    public mutating func append(contentsOf entries: some Sequence<LogEntry>) {
        for entry in entries { append(entry) }
    }

    /// Removes every line. Numbering continues (`appendedTotal` is kept), so remembered positions stay unique.
    public mutating func clear() {
        ring.removeAll(keepingCapacity: true)
        head = 0
    }

    /// The index of the first line at or after `time` (lines without a time are skipped), e.g. the first line since
    /// the last restart; nil when there is none. Lines are kept in arrival order, which is time order but for
    /// stragglers, so this is a scan from the oldest.
    public func firstIndex(since time: Date) -> Int? {
        (0..<count).first { self[$0].time.map { $0 >= time } ?? false }
    }

    /// The indexes of the lines whose text contains `query`, ignoring case, oldest first. An empty query matches nothing.
    public func matches(_ query: String) -> [Int] {
        guard !query.isEmpty else { return [] }
        let needle = query.lowercased()
        let ascii = Array(needle.utf8)
        // Most searches are ASCII: compare bytes rather than lowercase a copy of every line (a view searches the
        // whole ring for each frame).
        if ascii.allSatisfy({ $0 < 0x80 }) { return (0..<count).filter { containsASCII(self[$0].text, ascii) } }
        return (0..<count).filter { self[$0].text.lowercased().contains(needle) }
    }
}

/// Whether `text` contains `needle` (lowercase ASCII bytes), ignoring the case of ASCII letters.
private func containsASCII(_ text: String, _ needle: [UInt8]) -> Bool {
    func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
    var text = text
    return text.withUTF8 { hay in
        guard hay.count >= needle.count else { return false }
        search: for start in 0...(hay.count - needle.count) {
            for (i, b) in needle.enumerated() where lower(hay[start + i]) != b { continue search }
            return true
        }
        return false
    }
}
