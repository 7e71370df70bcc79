@testable import DockerEngine
import Foundation
import Testing

/// Edge cases found in review: each test failed before its fix.
struct ParsingEdgeTests {
    func contextDir(_ meta: String) throws -> String {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("clawtop-edge-\(UUID().uuidString)")
        let dir = config.appendingPathComponent("contexts/meta/aa")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try meta.write(to: dir.appendingPathComponent("meta.json"), atomically: true, encoding: .utf8)
        return config.path
    }

    @Test func aContextWithAnUnusableHostIsBlamedOnTheContextNotDockerHost() throws {
        let config = try contextDir(#"{"Name":"remote","Endpoints":{"docker":{"Host":"npipe:////./pipe/docker_engine"}}}"#)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let resolver = EndpointResolver(environment: ["DOCKER_CONFIG": config, "DOCKER_CONTEXT": "remote"], homeDirectory: "/nonexistent")
        #expect {
            try resolver.resolve()
        } throws: { error in
            guard case DockerError.invalidConfig(let path, let reason) = error else { return false }
            return path.hasSuffix("contexts/meta/aa/meta.json") && reason.contains("docker context 'remote' has host 'npipe:////./pipe/docker_engine'")
                && !(error as! DockerError).description.contains("DOCKER_HOST=")
        }
    }

    @Test func anUnreadableContextFileIsReportedAsSuch() throws {
        let config = try contextDir("{not json")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let resolver = EndpointResolver(environment: ["DOCKER_CONFIG": config, "DOCKER_CONTEXT": "remote"], homeDirectory: "/nonexistent")
        #expect {
            try resolver.resolve()
        } throws: { error in
            if case DockerError.invalidConfig(let path, _) = error { return path.hasSuffix("meta.json") }
            return false
        }
    }

    @Test func aTrailingNewlineInDockerHostIsIgnored() throws {
        let e = try DockerEndpoint.parse(host: "tcp://h:2375\n", tls: nil, source: .dockerHost)
        #expect(e.transport == .tcp(host: "h", port: 2375, tls: nil))
    }

    @Test func flushDropsACarriageReturn() {
        var s = LineSplitter()
        #expect(s.feed(Array("a\r\nlast\r".utf8)) == [Array("a".utf8)])
        #expect(s.flush() == Array("last".utf8))
    }

    @Test func textReadAsFramesIsPassedThroughNotBufferedForEver() {
        var d = LogFrameDecoder(mode: .multiplexed)
        // A TTY stream misread as multiplexed: "-11-" would be a 758 MB length.
        let out = d.feed(Array("2026-11-24 hello world\r\n".utf8))
        #expect(out.count == 1)
        #expect(String(decoding: out[0].1, as: UTF8.self) == "2026-11-24 hello world\r\n")
        #expect(d.pendingByteCount == 0)
    }
}
