import Foundation
import Yams

/// Where Warren's admin API is and its token, as Warren's own files say: `admin_listen` and `admin_token` at the top
/// of `orchestrator.yaml`, and `admin:` in the `warren` CLI's `~/.warren/config.yaml`. Read on their own, apart from
/// the agents: a file that says nothing of them is fine.
public struct WarrenAdminSettings: Sendable, Equatable {
    /// `admin_listen`: `:9090`, `0.0.0.0:9090`, `10.0.0.5:9090`.
    public var listen: String?
    /// `admin_token`: only for the Authorization header.
    public var token: String?

    public init(listen: String? = nil, token: String? = nil) {
        self.listen = listen
        self.token = token
    }

    /// The two keys of an `orchestrator.yaml`; empty when the file cannot be read or they are not strings.
    public static func read(orchestratorConfig path: String) -> WarrenAdminSettings {
        guard let top = mapping(path) else { return WarrenAdminSettings() }
        return WarrenAdminSettings(listen: nonEmpty(top["admin_listen"]), token: nonEmpty(top["admin_token"]))
    }

    /// `admin:` of the warren CLI's config (`~/.warren/config.yaml`), an address such as `http://manager:9090`.
    public static func cliAdmin(home: String) -> String? {
        mapping(home + "/.warren/config.yaml").flatMap { nonEmpty($0["admin"]) }
    }

    /// The address to reach `admin_listen` from this host: `:9090` and `0.0.0.0:9090` listen on every address of
    /// this host, so loopback reaches them.
    public var address: String? {
        guard let listen, let colon = listen.lastIndex(of: ":") else { return nil }
        var host = String(listen[..<colon])
        let port = listen[listen.index(after: colon)...]
        guard !port.isEmpty, port.allSatisfy(\.isNumber) else { return nil }
        if host.isEmpty || host == "0.0.0.0" || host == "::" || host == "[::]" { host = "127.0.0.1" }
        return "http://\(host):\(port)"
    }

    private static func mapping(_ path: String) -> [AnyHashable: Any]? {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4 << 20,
              let text = String(data: data, encoding: .utf8) else { return nil }
        return (try? Yams.load(yaml: text)) as? [AnyHashable: Any]
    }

    private static func nonEmpty(_ value: Any?) -> String? {
        guard let text = value as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }
}
