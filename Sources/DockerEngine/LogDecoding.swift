import Foundation

public enum LogStream: String, Sendable, Equatable {
    case stdout, stderr
}

/// One line of a service's log.
public struct LogLine: Sendable, Equatable {
    public var stream: LogStream
    public var timestamp: Date?
    /// The task that printed it (from `details=1`), which tells replicas apart.
    public var taskID: String?
    public var nodeID: String?
    /// The line as printed, undecoded bytes made into text (invalid UTF-8 replaced). Untrusted: sanitize before drawing.
    public var text: String

    public init(stream: LogStream, timestamp: Date? = nil, taskID: String? = nil, nodeID: String? = nil, text: String) {
        self.stream = stream
        self.timestamp = timestamp
        self.taskID = taskID
        self.nodeID = nodeID
        self.text = text
    }
}

/// Splits Docker's log stream into per-stream payloads.
///
/// Without a TTY each frame is `[stream][0 0 0][uint32 big-endian length][payload]`; with a TTY the body is raw bytes
/// on one stream. Frames may arrive split across reads in any place; bytes are kept until a frame is complete.
public struct LogFrameDecoder: Sendable {
    public enum Mode: Sendable { case multiplexed, raw }
    public let mode: Mode
    private var buffer: [UInt8] = []
    private var start = 0

    public init(mode: Mode) { self.mode = mode }

    /// The largest frame accepted (Docker's own are at most 16 KiB of payload).
    public static let maxFrameLength = 1 << 20

    /// Feeds bytes; returns the complete payloads, in order, with their stream.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [(LogStream, [UInt8])] {
        if mode == .raw { return bytes.isEmpty ? [] : [(.stdout, Array(bytes))] }
        buffer.append(contentsOf: bytes)
        var out: [(LogStream, [UInt8])] = []
        while buffer.count - start >= 8 {
            let header = start
            let length = Int(buffer[header + 4]) << 24 | Int(buffer[header + 5]) << 16
                | Int(buffer[header + 6]) << 8 | Int(buffer[header + 7])
            // Docker splits messages at 16 KiB; a header claiming far more means this is not a framed stream
            // (a TTY service read as multiplexed): pass the bytes through rather than buffer without bound.
            if length > Self.maxFrameLength || buffer[header + 1] != 0 || buffer[header + 2] != 0 || buffer[header + 3] != 0 {
                out.append((.stdout, Array(buffer[start...])))
                buffer.removeAll()
                start = 0
                break
            }
            guard buffer.count - start - 8 >= length else { break }
            let payload = Array(buffer[(header + 8)..<(header + 8 + length)])
            // 0 is stdin (never sent for logs); anything but 2 is treated as stdout.
            out.append((buffer[header] == 2 ? .stderr : .stdout, payload))
            start += 8 + length
        }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        return out
    }

    /// Bytes held back waiting for the rest of a frame.
    public var pendingByteCount: Int { buffer.count - start }
}

/// Turns a log stream's bytes into lines: demultiplexes, splits lines per stream (a line may span frames or reads),
/// and parses the `timestamps=1` and `details=1` prefixes.
public struct LogLineDecoder: Sendable {
    private var frames: LogFrameDecoder
    private var stdoutLines = LineSplitter(maxLineLength: 64 << 10)
    private var stderrLines = LineSplitter(maxLineLength: 64 << 10)
    public let timestamps: Bool
    public let details: Bool

    public init(tty: Bool, timestamps: Bool, details: Bool) {
        frames = LogFrameDecoder(mode: tty ? .raw : .multiplexed)
        self.timestamps = timestamps
        self.details = details
    }

    public mutating func feed(_ bytes: some Collection<UInt8>) -> [LogLine] {
        var lines: [LogLine] = []
        for (stream, payload) in frames.feed(bytes) {
            let split = stream == .stderr ? stderrLines.feed(payload) : stdoutLines.feed(payload)
            for raw in split { lines.append(parse(raw, stream: stream)) }
        }
        return lines
    }

    /// Lines left without a final newline when the stream ends.
    public mutating func finish() -> [LogLine] {
        var lines: [LogLine] = []
        if let rest = stdoutLines.flush() { lines.append(parse(rest, stream: .stdout)) }
        if let rest = stderrLines.flush() { lines.append(parse(rest, stream: .stderr)) }
        return lines
    }

    func parse(_ raw: [UInt8], stream: LogStream) -> LogLine {
        var rest = raw[...]
        var timestamp: Date?
        if timestamps, let space = rest.firstIndex(of: UInt8(ascii: " ")) {
            timestamp = DockerTime.parse(String(decoding: rest[..<space], as: UTF8.self))
            if timestamp != nil { rest = rest[(space + 1)...] }
        }
        var taskID: String?
        var nodeID: String?
        if details, let space = rest.firstIndex(of: UInt8(ascii: " ")) {
            let attrs = String(decoding: rest[..<space], as: UTF8.self)
            if attrs.isEmpty || attrs.contains("=") {
                for pair in attrs.split(separator: ",") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2 else { continue }
                    if kv[0] == "com.docker.swarm.task.id" { taskID = String(kv[1]) }
                    if kv[0] == "com.docker.swarm.node.id" { nodeID = String(kv[1]) }
                }
                rest = rest[(space + 1)...]
            }
        }
        return LogLine(stream: stream, timestamp: timestamp, taskID: taskID, nodeID: nodeID,
                       text: String(decoding: rest, as: UTF8.self))
    }
}
