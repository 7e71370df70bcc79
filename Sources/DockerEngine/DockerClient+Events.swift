import AsyncHTTPClient
import Foundation
import NIOCore

/// One event from `GET /events`, typed by what it is about.
public struct DockerEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case service, container, node
        case other(String)
    }
    public var kind: Kind
    /// `create`, `update`, `remove`, `start`, `die`, `health_status: healthy`, …
    public var action: String
    /// The service, container or node ID.
    public var actorID: String
    public var attributes: [String: String]
    public var time: Date

    public init(kind: Kind, action: String, actorID: String, attributes: [String: String], time: Date) {
        self.kind = kind
        self.action = action
        self.actorID = actorID
        self.attributes = attributes
        self.time = time
    }

    /// The swarm service this event concerns: the actor of a service event, or a task container's service.
    public var serviceID: String? {
        switch kind {
        case .service: return actorID
        case .container: return attributes["com.docker.swarm.service.id"]
        default: return nil
        }
    }

    public var serviceName: String? {
        switch kind {
        case .service: return attributes["name"]
        case .container: return attributes["com.docker.swarm.service.name"]
        default: return nil
        }
    }

    struct Wire: Decodable {
        struct Actor: Decodable {
            var ID: String?
            var Attributes: [String: String]?
        }
        var `Type`: String?
        var Action: String?
        var Actor: Actor?
        var time: Int64?
        var timeNano: Int64?
    }

    /// Decodes one line of the events stream.
    public static func decode(line: some Collection<UInt8>) -> DockerEvent? {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(line)), let type = wire.Type,
              let action = wire.Action else { return nil }
        let kind: Kind
        switch type {
        case "service": kind = .service
        case "container": kind = .container
        case "node": kind = .node
        default: kind = .other(type)
        }
        let seconds = wire.timeNano.map { Double($0) / 1e9 } ?? Double(wire.time ?? 0)
        return DockerEvent(kind: kind, action: action, actorID: wire.Actor?.ID ?? "",
                           attributes: wire.Actor?.Attributes ?? [:], time: Date(timeIntervalSince1970: seconds))
    }
}

/// What the event stream yields.
public enum EventStreamItem: Sendable {
    /// The stream is (re)connected. Everything before may have been missed: re-read the full state now.
    case connected
    case event(DockerEvent)
    /// The stream dropped; it reconnects after `retryIn` seconds.
    case disconnected(DockerError, retryIn: Double)
}

/// Reconnect delays: doubling from `initial` up to `maximum`, back to `initial` after a good connection.
public struct Backoff: Sendable {
    public var initial: Double
    public var maximum: Double
    public init(initial: Double = 0.5, maximum: Double = 10) {
        self.initial = initial
        self.maximum = maximum
    }
    public func delay(afterFailures n: Int) -> Double {
        min(maximum, initial * pow(2, Double(max(0, n - 1))))
    }
}

extension DockerClient {
    /// The actions clawtop reacts to; the rest (`exec_*` from every health probe, above all) is noise.
    public static let watchedEvents = ["create", "update", "remove", "start", "die", "destroy", "kill", "oom",
                                       "health_status"]

    /// A typed, endless stream of service, container and node events. It reconnects with backoff after a drop
    /// and yields `.connected` after every (re)connect, so the consumer re-reads the full state and misses nothing.
    /// Cancel the consuming task (or stop iterating) to close it.
    public func events(types: [String] = ["service", "container", "node"], actions: [String] = DockerClient.watchedEvents,
                       backoff: Backoff = Backoff()) -> AsyncStream<EventStreamItem> {
        let filters = Self.filters(["type": types, "event": actions])
        return AsyncStream(bufferingPolicy: .bufferingNewest(4096)) { continuation in
            let task = Task {
                var failures = 0
                while !Task.isCancelled {
                    do {
                        let response = try await openStream("/events", query: [("filters", filters)])
                        failures = 0
                        continuation.yield(.connected)
                        var lines = LineSplitter()
                        for try await chunk in response.body {
                            for line in lines.feed(chunk.readableBytesView) {
                                if let event = DockerEvent.decode(line: line) { continuation.yield(.event(event)) }
                            }
                        }
                        if Task.isCancelled { break }
                        failures += 1
                        let wait = backoff.delay(afterFailures: failures)
                        continuation.yield(.disconnected(connectionLost("the events stream ended"), retryIn: wait))
                        try await Task.sleep(for: .seconds(wait))
                    } catch is CancellationError {
                        break
                    } catch {
                        if Task.isCancelled { break }
                        failures += 1
                        let wait = backoff.delay(afterFailures: failures)
                        let dockerError = (error as? DockerError) ?? mapTransportError(error, operation: "the events stream")
                        continuation.yield(.disconnected(dockerError, retryIn: wait))
                        do { try await Task.sleep(for: .seconds(wait)) } catch { break }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
