import Foundation

/// What to ask `GET /services/{id}/logs` for.
public struct LogOptions: Sendable, Equatable {
    public var follow: Bool
    /// Lines per task from the end; nil for all. Docker applies it per task, and before the stream filter.
    public var tail: Int?
    public var since: Date?
    public var timestamps: Bool
    public var stdout: Bool
    public var stderr: Bool

    public init(follow: Bool = true, tail: Int? = 200, since: Date? = nil, timestamps: Bool = true,
                stdout: Bool = true, stderr: Bool = true) {
        self.follow = follow
        self.tail = tail
        self.since = since
        self.timestamps = timestamps
        self.stdout = stdout
        self.stderr = stderr
    }

    var query: [(String, String)] {
        var q: [(String, String)] = [("stdout", stdout ? "1" : "0"), ("stderr", stderr ? "1" : "0"),
                                     ("follow", follow ? "1" : "0"), ("timestamps", timestamps ? "1" : "0"),
                                     ("details", "1"), ("tail", tail.map(String.init) ?? "all")]
        if let since { q.append(("since", String(format: "%.9f", since.timeIntervalSince1970))) }
        return q
    }
}

extension DockerClient {
    /// The log of a service (every retained task), as lines. With `follow` it stays open until the consuming
    /// task is cancelled. The framing follows the service's TTY setting (read from the service unless given).
    public func serviceLogs(_ ref: String, options: LogOptions = LogOptions(), tty: Bool? = nil) -> AsyncThrowingStream<LogLine, Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingNewest(10_000)) { continuation in
            let task = Task {
                do {
                    var isTTY = tty
                    if isTTY == nil { isTTY = try await service(ref).Spec.TaskTemplate.ContainerSpec?.TTY ?? false }
                    guard options.stdout || options.stderr else {
                        throw DockerError.api(status: 400, message: "choose at least one of stdout and stderr")
                    }
                    let response = try await openStream("/services/\(DockerClient.percentEncode(ref))/logs",
                                                        query: options.query, notFound: { _ in .serviceNotFound(ref) })
                    var decoder = LogLineDecoder(tty: isTTY ?? false, timestamps: options.timestamps, details: true)
                    for try await chunk in response.body {
                        for line in decoder.feed(chunk.readableBytesView) { continuation.yield(line) }
                    }
                    for line in decoder.finish() { continuation.yield(line) }
                    continuation.finish()
                } catch is CancellationError {
                    continuation.finish()
                } catch let error as DockerError {
                    continuation.finish(throwing: error)
                } catch {
                    continuation.finish(throwing: Task.isCancelled ? CancellationError()
                                        : mapTransportError(error, operation: "the logs of \(ref)"))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
