import Foundation

/// The real Prometheus that `scripts/test` starts on loopback, scraping every second what a test lists in its
/// targets folder (file service discovery), and its HTTP API. Like `TestDocker`, the suites that use it run when it
/// is in the environment and always in CI, where they fail with the reason.
public enum TestPrometheus {
    static let env = ProcessInfo.processInfo.environment

    public static var shouldRun: Bool { env["CLAWTOP_TEST_PROMETHEUS"] != nil || TestDocker.isCI }

    public static func url() throws -> String { try TestDocker.require(env["CLAWTOP_TEST_PROMETHEUS"], "CLAWTOP_TEST_PROMETHEUS") }

    /// Has Prometheus scrape `address` (`127.0.0.1:9464`) every second until `stop` is called on what it returns.
    public static func scrape(_ address: String) throws -> Target {
        let folder = try TestDocker.require(env["CLAWTOP_TEST_PROMETHEUS_TARGETS"], "CLAWTOP_TEST_PROMETHEUS_TARGETS")
        let file = folder + "/\(UUID().uuidString).json"
        // Written aside and moved in: Prometheus never reads half a file.
        try Data(#"[{"targets": ["\#(address)"]}]"#.utf8).write(to: URL(fileURLWithPath: file + ".tmp"))
        try FileManager.default.moveItem(atPath: file + ".tmp", toPath: file)
        return Target(file: file)
    }

    public final class Target: Sendable {
        let file: String
        init(file: String) { self.file = file }
        public func stop() { try? FileManager.default.removeItem(atPath: file) }
        deinit { stop() }
    }

    /// The value of each series an instant PromQL query returns now, by the series' labels.
    public static func query(_ promql: String) async throws -> [(labels: [String: String], value: Double)] {
        var components = URLComponents(string: try url() + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promql)]
        let r = try await run("/usr/bin/curl", ["-sS", "-m", "5", components.url!.absoluteString])
        guard r.status == 0, let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
              object["status"] as? String == "success", let data = object["data"] as? [String: Any],
              let result = data["result"] as? [[String: Any]] else {
            throw TestDocker.CommandFailed(description: "Prometheus query \(promql): \(r.stdout) \(r.stderr)")
        }
        return result.compactMap { series in
            guard let labels = series["metric"] as? [String: String], let pair = series["value"] as? [Any],
                  pair.count == 2, let text = pair[1] as? String, let value = Double(text) else { return nil }
            return (labels, value)
        }
    }

    /// The one value `promql` gives now, or nil when it gives no series.
    public static func value(_ promql: String) async throws -> Double? {
        try await query(promql).first?.value
    }
}
