import Foundation

/// Finds the daemon the way the docker CLI does:
/// `DOCKER_HOST`, then `DOCKER_CONTEXT`, then `currentContext` in the docker config, then the default socket.
/// Pure apart from reading files under the docker config directory, so tests pass their own environment.
public struct EndpointResolver: Sendable {
    public var environment: [String: String]
    public var homeDirectory: String

    /// `homeDirectory` nil: `$HOME` from `environment`, else the user database's, as the docker CLI finds it.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                homeDirectory: String? = nil) {
        self.environment = environment
        if let homeDirectory {
            self.homeDirectory = homeDirectory
        } else if let home = environment["HOME"], !home.isEmpty {
            self.homeDirectory = home
        } else {
            self.homeDirectory = Self.userDatabaseHome()
        }
    }

    /// The home directory the user database gives this user (not `$HOME`).
    static func userDatabaseHome() -> String {
        if let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return NSHomeDirectory()
    }

    /// `DOCKER_CONFIG`, else `$HOME/.docker`.
    public var configDirectory: String {
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty { return dir }
        return (homeDirectory as NSString).appendingPathComponent(".docker")
    }

    public func resolve() throws(DockerError) -> DockerEndpoint {
        if let host = environment["DOCKER_HOST"], !host.isEmpty {
            return try DockerEndpoint.parse(host: host, tls: tlsFromEnvironment(), source: .dockerHost)
        }
        if let name = environment["DOCKER_CONTEXT"], !name.isEmpty {
            return try endpoint(forContext: name, origin: "DOCKER_CONTEXT")
        }
        if let name = try currentContext(), !name.isEmpty {
            return try endpoint(forContext: name, origin: "currentContext in \(configFile)")
        }
        return DockerEndpoint(transport: .unix(path: DockerEndpoint.defaultSocketPath), source: .defaultSocket)
    }

    // MARK: - Environment TLS

    /// `DOCKER_TLS_VERIFY` (any non-empty value) verifies the server; `DOCKER_TLS` alone encrypts without verifying.
    /// Certificates come from `DOCKER_CERT_PATH`, else the docker config directory.
    public func tlsFromEnvironment() -> TLSSettings? {
        let verify = !(environment["DOCKER_TLS_VERIFY"] ?? "").isEmpty
        let tls = !(environment["DOCKER_TLS"] ?? "").isEmpty
        guard verify || tls else { return nil }
        let dir = environment["DOCKER_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? configDirectory
        return TLSSettings.fromDirectory(dir, verifyServer: verify, fileExists: FileManager.default.fileExists(atPath:))
    }

    // MARK: - Contexts

    private var configFile: String { (configDirectory as NSString).appendingPathComponent("config.json") }

    private struct ConfigFile: Decodable { var currentContext: String? }

    func currentContext() throws(DockerError) -> String? {
        guard let data = FileManager.default.contents(atPath: configFile) else { return nil }
        do {
            return try JSONDecoder().decode(ConfigFile.self, from: data).currentContext
        } catch {
            throw .invalidConfig(path: configFile, reason: "it is not valid JSON (\(Self.describe(error)))")
        }
    }

    private struct ContextMeta: Decodable {
        struct Endpoint: Decodable {
            var Host: String?
            var SkipTLSVerify: Bool?
        }
        struct Meta: Decodable {
            var Description: String?
        }
        var Name: String
        var Metadata: Meta?
        var Endpoints: [String: Endpoint]?
    }

    /// Contexts live in `contexts/meta/<sha256(name)>/meta.json`; reading each meta file and matching `Name`
    /// finds the same directory without hashing.
    public func endpoint(forContext name: String, origin: String) throws(DockerError) -> DockerEndpoint {
        if name == "default" {
            // As the docker CLI's `default` context: DOCKER_HOST when set, else the default socket.
            if let host = environment["DOCKER_HOST"], !host.isEmpty {
                return try DockerEndpoint.parse(host: host, tls: tlsFromEnvironment(), source: .context("default"))
            }
            return DockerEndpoint(transport: .unix(path: DockerEndpoint.defaultSocketPath), source: .context("default"))
        }
        let metaRoot = (configDirectory as NSString).appendingPathComponent("contexts/meta")
        let dirs = (try? FileManager.default.contentsOfDirectory(atPath: metaRoot)) ?? []
        var unreadable: String?
        for dir in dirs.sorted() {
            let metaPath = (metaRoot as NSString).appendingPathComponent("\(dir)/meta.json")
            guard let data = FileManager.default.contents(atPath: metaPath) else { continue }
            guard let meta = try? JSONDecoder().decode(ContextMeta.self, from: data) else {
                unreadable = metaPath
                continue
            }
            guard meta.Name == name else { continue }
            guard let docker = meta.Endpoints?["docker"], let host = docker.Host, !host.isEmpty else {
                throw .invalidConfig(path: metaPath, reason: "docker context '\(name)' has no docker endpoint host")
            }
            let tlsDir = (configDirectory as NSString).appendingPathComponent("contexts/tls/\(dir)/docker")
            var tls: TLSSettings?
            if FileManager.default.fileExists(atPath: tlsDir) {
                tls = TLSSettings.fromDirectory(tlsDir, verifyServer: !(docker.SkipTLSVerify ?? false),
                                                fileExists: FileManager.default.fileExists(atPath:))
            } else if docker.SkipTLSVerify == true {
                tls = TLSSettings(caFile: nil, certFile: nil, keyFile: nil, verifyServer: false)
            }
            do {
                return try DockerEndpoint.parse(host: host, tls: tls, source: .context(name))
            } catch .invalidHost(_, let reason) {
                throw .invalidConfig(path: metaPath, reason: "docker context '\(name)' has host '\(host)', which is not a Docker address: \(reason)")
            }
        }
        // A context that may be the one asked for, but cannot be read, says more than "not found".
        if let unreadable { throw .invalidConfig(path: unreadable, reason: "it is not valid JSON, and docker context '\(name)' was not found elsewhere") }
        throw .contextNotFound(name: name, origin: origin, directory: metaRoot)
    }

    /// The name of the context `resolve()` picks, as `docker context ls` marks it: `default` for DOCKER_HOST and
    /// the default socket.
    public func currentContextName() -> String {
        if let host = environment["DOCKER_HOST"], !host.isEmpty { return "default" }
        if let name = environment["DOCKER_CONTEXT"], !name.isEmpty { return name }
        if let name = try? currentContext(), !name.isEmpty { return name }
        return "default"
    }

    /// Every context, as `docker context ls` lists them: `default` first, then the others by name, each with its
    /// description and Docker address (or why it cannot be used).
    public func contexts() -> [ContextEntry] {
        let metaRoot = (configDirectory as NSString).appendingPathComponent("contexts/meta")
        var names: [String: String] = [:]
        for dir in (try? FileManager.default.contentsOfDirectory(atPath: metaRoot)) ?? [] {
            let metaPath = (metaRoot as NSString).appendingPathComponent("\(dir)/meta.json")
            guard let data = FileManager.default.contents(atPath: metaPath),
                  let meta = try? JSONDecoder().decode(ContextMeta.self, from: data), meta.Name != "default" else { continue }
            names[meta.Name] = meta.Metadata?.Description ?? ""
        }
        let all = [("default", "Current DOCKER_HOST based configuration")] + names.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return all.map { name, description in
            do throws(DockerError) {
                let endpoint = try endpoint(forContext: name, origin: "the context list")
                return ContextEntry(name: name, description: description, address: endpoint.address, problem: nil)
            } catch {
                return ContextEntry(name: name, description: description, address: nil, problem: error.description)
            }
        }
    }

    static func describe(_ error: Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .dataCorrupted(let c): return c.underlyingError.map { "\($0.localizedDescription)" } ?? c.debugDescription
            default: return "\(decoding)"
            }
        }
        return error.localizedDescription
    }
}

/// A docker context as `docker context ls` shows it.
public struct ContextEntry: Sendable, Equatable {
    public var name: String
    public var description: String
    /// `unix:///var/run/docker.sock`, `ssh://ops@manager`: nil when the context cannot be used.
    public var address: String?
    /// Why it cannot be used (a malformed host, an unreadable file).
    public var problem: String?
}
