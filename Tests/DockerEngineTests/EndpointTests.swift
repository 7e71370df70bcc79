@testable import DockerEngine
import Foundation
import Testing
import SSHTunnel

/// DOCKER_HOST parsing, endpoint resolution (environment, contexts, config), operator-facing error messages and
/// reconnect backoff. Pure: no connection is ever made.
@Suite struct EndpointTests {

    // MARK: - DockerEndpoint.parse

    @Suite struct Parse {
        private func parse(_ raw: String, tls: TLSSettings? = nil) throws -> DockerEndpoint {
            try DockerEndpoint.parse(host: raw, tls: tls, source: .dockerHost)
        }

        private let someTLS = TLSSettings(caFile: "/c/ca.pem", certFile: "/c/cert.pem", keyFile: "/c/key.pem",
                                          verifyServer: true)

        @Test func unixSocketKeepsItsAbsolutePath() throws {
            let e = try parse("unix:///var/run/docker.sock")
            #expect(e.transport == .unix(path: "/var/run/docker.sock"))
            #expect(e.source == .dockerHost)
            #expect(e.address == "unix:///var/run/docker.sock")
        }

        @Test func tcpKeepsAnExplicitPort() throws {
            let e = try parse("tcp://host:2376")
            #expect(e.transport == .tcp(host: "host", port: 2376, tls: nil))
            #expect(e.address == "tcp://host:2376")
        }

        @Test func tcpWithoutPortUses2375WithoutTLS() throws {
            #expect(try parse("tcp://host").transport == .tcp(host: "host", port: 2375, tls: nil))
        }

        @Test func tcpWithoutPortUses2376WithTLS() throws {
            #expect(try parse("tcp://host", tls: someTLS).transport == .tcp(host: "host", port: 2376, tls: someTLS))
        }

        @Test func anExplicitPortWinsOverTheTLSDefault() throws {
            #expect(try parse("tcp://host:2375", tls: someTLS).transport == .tcp(host: "host", port: 2375, tls: someTLS))
        }

        @Test func hostAndPortWithoutSchemeIsTCP() throws {
            #expect(try parse("127.0.0.1:2375").transport == .tcp(host: "127.0.0.1", port: 2375, tls: nil))
        }

        @Test func ipv6InBrackets() throws {
            let e = try parse("tcp://[::1]:2375")
            #expect(e.transport == .tcp(host: "::1", port: 2375, tls: nil))
            // The address puts the brackets back, so it can be pasted into DOCKER_HOST again.
            #expect(e.address == "tcp://[::1]:2375")
        }

        @Test func ipv6InBracketsWithoutPort() throws {
            #expect(try parse("tcp://[fe80::1]").transport == .tcp(host: "fe80::1", port: 2375, tls: nil))
        }

        @Test func trailingSlashIsAccepted() throws {
            #expect(try parse("tcp://host:2376/").transport == .tcp(host: "host", port: 2376, tls: nil))
        }

        @Test func surroundingSpacesAreIgnored() throws {
            #expect(try parse("  tcp://host:1234 ").transport == .tcp(host: "host", port: 1234, tls: nil))
        }

        @Test func httpsMeansVerifiedTLSOnTheTLSPort() throws {
            let e = try parse("https://host")
            #expect(e.transport == .tcp(host: "host", port: 2376,
                                        tls: TLSSettings(caFile: nil, certFile: nil, keyFile: nil, verifyServer: true)))
        }

        @Test func theSourceIsKept() throws {
            let e = try DockerEndpoint.parse(host: "tcp://h:1", tls: nil, source: .context("prod"))
            #expect(e.source == .context("prod"))
            #expect(e.displayName == "prod")
            #expect(try parse("tcp://h:1").displayName == "tcp://h:1")
        }

        /// Each malformed value, and a piece of the reason it must give.
        static let malformed: [(String, String)] = [
            ("", "it is empty"),
            ("   ", "it is empty"),
            ("unix://relative", "a unix socket needs an absolute path"),
            ("tcp://", "there is no host name"),
            ("tcp://:2375", "there is no host name"),
            ("tcp://h:notaport", "'notaport' is not a port number (1-65535)"),
            ("tcp://h:70000", "'70000' is not a port number (1-65535)"),
            ("tcp://h:0", "'0' is not a port number (1-65535)"),
            ("tcp://h:", "'' is not a port number (1-65535)"),
            ("tcp://h:1/path", "a tcp address takes no path (/path)"),
            ("tcp://::1:2375", "write an IPv6 address in brackets"),
            ("tcp://[::1", "an IPv6 address is missing its ']'"),
            ("foo://x", "unknown scheme 'foo'"),
            ("ssh://", "there is no host name"),
            ("ssh://u@", "there is no host name"),
            ("ssh://@h", "the user name before '@' is empty"),
            ("ssh://u:secret@h", "a password in the address is not supported"),
            ("ssh://h/var/run/docker.sock", "an ssh address takes no path"),
            ("ssh://h:99999", "'99999' is not a port number"),
            ("ssh://-oProxyCommand=x", "is not a host or user name ssh can take"),
            ("ssh://-l@h", "is not a host or user name ssh can take"),
            ("npipe:////./pipe/docker_engine", "npipe:// is not available on this system"),
        ]

        @Test(arguments: malformed)
        func malformedHostsThrowInvalidHost(raw: String, reasonPart: String) {
            do throws(DockerError) {
                let e = try DockerEndpoint.parse(host: raw, tls: nil, source: .dockerHost)
                Issue.record("\(raw.debugDescription) parsed as \(e.transport)")
            } catch {
                guard case .invalidHost(let value, let reason) = error else {
                    Issue.record("\(raw.debugDescription) threw \(error), not invalidHost")
                    return
                }
                #expect(value == raw)
                #expect(reason.contains(reasonPart), "reason: \(reason)")
            }
        }

        @Test func theOperatorSeesTheValueAndTheReason() {
            do throws(DockerError) {
                _ = try DockerEndpoint.parse(host: "tcp://h:70000", tls: nil, source: .dockerHost)
                Issue.record("tcp://h:70000 parsed")
            } catch {
                #expect(error.description
                        == "DOCKER_HOST=tcp://h:70000 is not a Docker address: '70000' is not a port number (1-65535).")
            }
        }

        @Test func theUnixReasonShowsAnExample() {
            #expect(throws: DockerError.invalidHost(
                "unix://relative", reason: "a unix socket needs an absolute path, as in unix:///var/run/docker.sock")) {
                try DockerEndpoint.parse(host: "unix://relative", tls: nil, source: .dockerHost)
            }
        }
    }

    // MARK: - EndpointResolver

    @Suite struct Resolver {
        /// A fresh directory under the temporary directory, removed afterwards.
        private func withTempDir<T>(_ body: (String) throws -> T) throws -> T {
            let url = FileManager.default.temporaryDirectory
                .appendingPathComponent("clawtop-endpoint-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: url) }
            return try body(url.path)
        }

        private func write(_ text: String, to path: String) throws {
            let dir = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }

        private func writePEMs(in dir: String, names: [String] = ["ca.pem", "cert.pem", "key.pem"]) throws {
            for name in names { try write("-----BEGIN DUMMY-----\n", to: "\(dir)/\(name)") }
        }

        /// Writes a context in the CLI's layout: `contexts/meta/<dir>/meta.json`, and its certificates in
        /// `contexts/tls/<dir>/docker/` when `withTLS`.
        private func writeContext(config: String, dir: String, name: String, host: String, skipTLSVerify: Bool = false,
                                  withTLS: Bool) throws {
            let meta = """
                {"Name":"\(name)","Metadata":{},"Endpoints":{"docker":{"Host":"\(host)","SkipTLSVerify":\(skipTLSVerify)}}}
                """
            try write(meta, to: "\(config)/contexts/meta/\(dir)/meta.json")
            if withTLS { try writePEMs(in: "\(config)/contexts/tls/\(dir)/docker") }
        }

        private let defaultSocket = DockerEndpoint.Transport.unix(path: "/var/run/docker.sock")

        @Test func nothingConfiguredMeansTheDefaultSocket() throws {
            try withTempDir { home in
                let e = try EndpointResolver(environment: [:], homeDirectory: home).resolve()
                #expect(e.transport == defaultSocket)
                #expect(e.source == .defaultSocket)
            }
        }

        @Test func configDirectoryIsDockerConfigElseHomeDotDocker() {
            #expect(EndpointResolver(environment: [:], homeDirectory: "/home/op").configDirectory == "/home/op/.docker")
            #expect(EndpointResolver(environment: ["DOCKER_CONFIG": "/etc/dc"], homeDirectory: "/home/op")
                .configDirectory == "/etc/dc")
            #expect(EndpointResolver(environment: ["DOCKER_CONFIG": ""], homeDirectory: "/home/op")
                .configDirectory == "/home/op/.docker")
        }

        @Test func dockerHostIsUsedAsIs() throws {
            try withTempDir { home in
                let e = try EndpointResolver(environment: ["DOCKER_HOST": "tcp://10.1.2.3:2375"], homeDirectory: home)
                    .resolve()
                #expect(e.transport == .tcp(host: "10.1.2.3", port: 2375, tls: nil))
                #expect(e.source == .dockerHost)
            }
        }

        @Test func dockerHostBeatsDockerContext() throws {
            try withTempDir { config in
                try writeContext(config: config, dir: "abc", name: "remote", host: "tcp://10.0.0.1:2376", withTLS: false)
                let env = ["DOCKER_HOST": "unix:///tmp/other.sock", "DOCKER_CONTEXT": "remote", "DOCKER_CONFIG": config]
                let e = try EndpointResolver(environment: env, homeDirectory: config).resolve()
                #expect(e.transport == .unix(path: "/tmp/other.sock"))
                #expect(e.source == .dockerHost)
            }
        }

        @Test func anEmptyDockerHostIsIgnored() throws {
            try withTempDir { home in
                let e = try EndpointResolver(environment: ["DOCKER_HOST": ""], homeDirectory: home).resolve()
                #expect(e.source == .defaultSocket)
            }
        }

        @Test func aBadDockerHostIsReported() throws {
            _ = try withTempDir { home in
                #expect(throws: DockerError.invalidHost("ssh://u:pw@h", reason: "a password in the address is not supported; use an SSH key (ssh-agent or ~/.ssh/config)")) {
                    try EndpointResolver(environment: ["DOCKER_HOST": "ssh://u:pw@h"], homeDirectory: home).resolve()
                }
            }
        }

        @Test(arguments: [
            ("ssh://ops@manager", SSHTarget(user: "ops", host: "manager", port: nil), "ssh://ops@manager"),
            ("ssh://manager", SSHTarget(user: nil, host: "manager", port: nil), "ssh://manager"),
            ("ssh://ops@manager:2222", SSHTarget(user: "ops", host: "manager", port: 2222), "ssh://ops@manager:2222"),
            ("SSH://ops@10.0.0.5:22/", SSHTarget(user: "ops", host: "10.0.0.5", port: 22), "ssh://ops@10.0.0.5:22"),
            ("ssh://ops@[fd00::1]:22", SSHTarget(user: "ops", host: "fd00::1", port: 22), "ssh://ops@[fd00::1]:22"),
        ])
        func sshHostsParseAsTheDockerCLIReadsThem(raw: String, target: SSHTarget, address: String) throws {
            let e = try DockerEndpoint.parse(host: raw, tls: nil, source: .dockerHost)
            #expect(e.transport == .ssh(target))
            #expect(e.address == address)
        }

        @Test func sshArgumentsAreTheDockerCLIsWithBatchMode() {
            let full = SSHTarget(user: "ops", host: "manager", port: 2222).sshArguments(connectTimeout: 8)
            let options = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=8", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3", "-T"]
            #expect(full == options + ["-l", "ops", "-p", "2222", "--", "manager", "docker", "system", "dial-stdio"])
            // Without user or port, the operator's ~/.ssh/config decides them.
            let bare = SSHTarget(user: nil, host: "manager", port: nil).sshArguments(connectTimeout: 8)
            #expect(!bare.contains("-l") && !bare.contains("-p"))
            // A forward: ssh joins its stdio to a connection the host makes.
            let forward = SSHTarget(user: "ops", host: "manager", port: nil).sshArguments(connectTimeout: 8, remote: .forward(host: "fd00::1", port: 80))
            #expect(forward == options + ["-l", "ops", "-W", "[fd00::1]:80", "--", "manager"])
        }

        @Test func homeComesFromTheEnvironmentBeforeTheUserDatabase() throws {
            try withTempDir { home in
                #expect(EndpointResolver(environment: ["HOME": home]).configDirectory == home + "/.docker")
                #expect(EndpointResolver(environment: ["HOME": home, "DOCKER_CONFIG": "/etc/dc"]).configDirectory == "/etc/dc")
                // No HOME at all: the user database's home, as the docker CLI falls back to.
                let fallback = EndpointResolver(environment: [:]).configDirectory
                #expect(fallback.hasSuffix("/.docker") && fallback != home + "/.docker")
            }
        }

        @Test func tlsVerifyWithCertPathUsesTheThreeFilesAndVerifies() throws {
            try withTempDir { dir in
                let certs = "\(dir)/certs"
                try writePEMs(in: certs)
                let env = ["DOCKER_HOST": "tcp://swarm.example:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certs]
                let e = try EndpointResolver(environment: env, homeDirectory: dir).resolve()
                let expected = TLSSettings(caFile: "\(certs)/ca.pem", certFile: "\(certs)/cert.pem",
                                           keyFile: "\(certs)/key.pem", verifyServer: true)
                #expect(e.transport == .tcp(host: "swarm.example", port: 2376, tls: expected))
            }
        }

        @Test func tlsWithoutPortDefaultsTo2376() throws {
            try withTempDir { dir in
                let env = ["DOCKER_HOST": "tcp://swarm.example", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": dir]
                let e = try EndpointResolver(environment: env, homeDirectory: dir).resolve()
                guard case .tcp(_, let port, let tls) = e.transport else { Issue.record("\(e.transport)"); return }
                #expect(port == 2376)
                #expect(tls?.verifyServer == true)
            }
        }

        @Test func dockerTLSAloneEncryptsWithoutVerifying() throws {
            try withTempDir { dir in
                let env = ["DOCKER_HOST": "tcp://swarm.example:2376", "DOCKER_TLS": "1", "DOCKER_CERT_PATH": dir]
                let e = try EndpointResolver(environment: env, homeDirectory: dir).resolve()
                guard case .tcp(_, _, let tls) = e.transport else { Issue.record("\(e.transport)"); return }
                let settings = try #require(tls)
                #expect(settings.verifyServer == false)
                // No files in the directory: none are named.
                #expect(settings.caFile == nil && settings.certFile == nil && settings.keyFile == nil)
            }
        }

        @Test func noTLSVariablesMeansPlainTCP() throws {
            try withTempDir { dir in
                try writePEMs(in: "\(dir)/.docker")
                let e = try EndpointResolver(environment: ["DOCKER_HOST": "tcp://h"], homeDirectory: dir).resolve()
                #expect(e.transport == .tcp(host: "h", port: 2375, tls: nil))
            }
        }

        @Test func onlyExistingCertificateFilesAreNamed() throws {
            try withTempDir { dir in
                try writePEMs(in: dir, names: ["ca.pem"])
                let env = ["DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": dir]
                let e = try EndpointResolver(environment: env, homeDirectory: dir).resolve()
                #expect(e.transport == .tcp(host: "h", port: 2376, tls: TLSSettings(
                    caFile: "\(dir)/ca.pem", certFile: nil, keyFile: nil, verifyServer: true)))
            }
        }

        @Test func withoutCertPathTheCertificatesComeFromTheConfigDirectory() throws {
            try withTempDir { config in
                try writePEMs(in: config)
                let env = ["DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CONFIG": config]
                let e = try EndpointResolver(environment: env, homeDirectory: "/nonexistent").resolve()
                #expect(e.transport == .tcp(host: "h", port: 2376, tls: TLSSettings(
                    caFile: "\(config)/ca.pem", certFile: "\(config)/cert.pem", keyFile: "\(config)/key.pem",
                    verifyServer: true)))
            }
        }

        @Test func dockerContextIsFoundByNameWithItsCertificates() throws {
            try withTempDir { config in
                // A decoy that sorts first, so a resolver that takes the first context it sees is caught.
                try writeContext(config: config, dir: "0000decoy", name: "other", host: "tcp://10.9.9.9:2375",
                                 withTLS: false)
                try writeContext(config: config, dir: "f00dcafe", name: "x", host: "tcp://10.0.0.1:2376", withTLS: true)
                let env = ["DOCKER_CONTEXT": "x", "DOCKER_CONFIG": config]
                let e = try EndpointResolver(environment: env, homeDirectory: "/nonexistent").resolve()
                let tlsDir = "\(config)/contexts/tls/f00dcafe/docker"
                let expected = TLSSettings(caFile: "\(tlsDir)/ca.pem", certFile: "\(tlsDir)/cert.pem",
                                           keyFile: "\(tlsDir)/key.pem", verifyServer: true)
                #expect(e.transport == .tcp(host: "10.0.0.1", port: 2376, tls: expected))
                #expect(e.source == .context("x"))
                #expect(e.displayName == "x")
            }
        }

        @Test func aContextThatSkipsVerificationDoesNotVerify() throws {
            try withTempDir { config in
                try writeContext(config: config, dir: "d1", name: "lab", host: "tcp://10.0.0.2:2376",
                                 skipTLSVerify: true, withTLS: true)
                try writeContext(config: config, dir: "d2", name: "bare", host: "tcp://10.0.0.3:2376",
                                 skipTLSVerify: true, withTLS: false)
                let lab = try EndpointResolver(environment: ["DOCKER_CONTEXT": "lab", "DOCKER_CONFIG": config],
                                               homeDirectory: "/nonexistent").resolve()
                guard case .tcp(_, _, let labTLS) = lab.transport else { Issue.record("\(lab.transport)"); return }
                #expect(labTLS?.verifyServer == false)
                #expect(labTLS?.caFile == "\(config)/contexts/tls/d1/docker/ca.pem")

                let bare = try EndpointResolver(environment: ["DOCKER_CONTEXT": "bare", "DOCKER_CONFIG": config],
                                                homeDirectory: "/nonexistent").resolve()
                #expect(bare.transport == .tcp(host: "10.0.0.3", port: 2376, tls: TLSSettings(
                    caFile: nil, certFile: nil, keyFile: nil, verifyServer: false)))
            }
        }

        @Test func aContextWithoutTLSIsPlain() throws {
            try withTempDir { config in
                try writeContext(config: config, dir: "d", name: "plain", host: "unix:///run/user/1000/docker.sock",
                                 withTLS: false)
                let e = try EndpointResolver(environment: ["DOCKER_CONTEXT": "plain", "DOCKER_CONFIG": config],
                                             homeDirectory: "/nonexistent").resolve()
                #expect(e.transport == .unix(path: "/run/user/1000/docker.sock"))
                #expect(e.source == .context("plain"))
            }
        }

        @Test func currentContextComesFromConfigJSON() throws {
            try withTempDir { config in
                try writeContext(config: config, dir: "abc", name: "x", host: "tcp://10.0.0.1:2376", withTLS: false)
                try write(#"{"auths":{},"currentContext":"x"}"#, to: "\(config)/config.json")
                let e = try EndpointResolver(environment: ["DOCKER_CONFIG": config], homeDirectory: "/nonexistent")
                    .resolve()
                #expect(e.transport == .tcp(host: "10.0.0.1", port: 2376, tls: nil))
                #expect(e.source == .context("x"))
            }
        }

        @Test func currentContextIsReadFromHomeDotDockerWithoutDockerConfig() throws {
            try withTempDir { home in
                let config = "\(home)/.docker"
                try writeContext(config: config, dir: "abc", name: "x", host: "tcp://10.0.0.1:2376", withTLS: false)
                try write(#"{"currentContext":"x"}"#, to: "\(config)/config.json")
                let e = try EndpointResolver(environment: [:], homeDirectory: home).resolve()
                #expect(e.source == .context("x"))
            }
        }

        @Test func dockerContextBeatsCurrentContext() throws {
            try withTempDir { config in
                try writeContext(config: config, dir: "a", name: "x", host: "tcp://10.0.0.1:2376", withTLS: false)
                try writeContext(config: config, dir: "b", name: "y", host: "tcp://10.0.0.2:2376", withTLS: false)
                try write(#"{"currentContext":"x"}"#, to: "\(config)/config.json")
                let e = try EndpointResolver(environment: ["DOCKER_CONTEXT": "y", "DOCKER_CONFIG": config],
                                             homeDirectory: "/nonexistent").resolve()
                #expect(e.transport == .tcp(host: "10.0.0.2", port: 2376, tls: nil))
            }
        }

        @Test func aConfigWithoutCurrentContextMeansTheDefaultSocket() throws {
            try withTempDir { config in
                try write(#"{"auths":{}}"#, to: "\(config)/config.json")
                let e = try EndpointResolver(environment: ["DOCKER_CONFIG": config], homeDirectory: "/nonexistent")
                    .resolve()
                #expect(e.transport == defaultSocket)
                #expect(e.source == .defaultSocket)
            }
        }

        @Test func anUnknownContextIsReported() throws {
            try withTempDir { config in
                try writeContext(config: config, dir: "abc", name: "x", host: "tcp://10.0.0.1:2376", withTLS: false)
                do throws(DockerError) {
                    let e = try EndpointResolver(environment: ["DOCKER_CONTEXT": "nope", "DOCKER_CONFIG": config],
                                                 homeDirectory: "/nonexistent").resolve()
                    Issue.record("resolved to \(e)")
                } catch {
                    guard case .contextNotFound(let name, let origin, let directory) = error else {
                        Issue.record("threw \(error)"); return
                    }
                    #expect(name == "nope")
                    #expect(origin == "DOCKER_CONTEXT")
                    #expect(directory == "\(config)/contexts/meta")
                    #expect(error.description.contains("docker context ls"))
                }
            }
        }

        @Test func anUnknownCurrentContextNamesTheConfigFile() throws {
            try withTempDir { config in
                try write(#"{"currentContext":"gone"}"#, to: "\(config)/config.json")
                do throws(DockerError) {
                    _ = try EndpointResolver(environment: ["DOCKER_CONFIG": config], homeDirectory: "/nonexistent")
                        .resolve()
                    Issue.record("resolved")
                } catch {
                    guard case .contextNotFound(let name, let origin, _) = error else { Issue.record("\(error)"); return }
                    #expect(name == "gone")
                    #expect(origin.contains("\(config)/config.json"))
                }
            }
        }

        @Test func aConfigThatIsNotJSONIsReported() throws {
            try withTempDir { config in
                try write("currentContext = x\n", to: "\(config)/config.json")
                do throws(DockerError) {
                    _ = try EndpointResolver(environment: ["DOCKER_CONFIG": config], homeDirectory: "/nonexistent")
                        .resolve()
                    Issue.record("resolved")
                } catch {
                    guard case .invalidConfig(let path, _) = error else { Issue.record("\(error)"); return }
                    #expect(path == "\(config)/config.json")
                }
            }
        }

        @Test func aContextWithoutADockerHostIsReported() throws {
            try withTempDir { config in
                try write(#"{"Name":"empty","Metadata":{},"Endpoints":{}}"#, to: "\(config)/contexts/meta/e/meta.json")
                do throws(DockerError) {
                    _ = try EndpointResolver(environment: ["DOCKER_CONTEXT": "empty", "DOCKER_CONFIG": config],
                                             homeDirectory: "/nonexistent").resolve()
                    Issue.record("resolved")
                } catch {
                    guard case .invalidConfig(let path, _) = error else { Issue.record("\(error)"); return }
                    #expect(path == "\(config)/contexts/meta/e/meta.json")
                }
            }
        }

        @Test func theDefaultContextIsTheDefaultSocket() throws {
            try withTempDir { config in
                let fromEnv = try EndpointResolver(environment: ["DOCKER_CONTEXT": "default", "DOCKER_CONFIG": config],
                                                   homeDirectory: "/nonexistent").resolve()
                #expect(fromEnv.transport == defaultSocket)
                #expect(fromEnv.source == .context("default"))

                try write(#"{"currentContext":"default"}"#, to: "\(config)/config.json")
                let fromConfig = try EndpointResolver(environment: ["DOCKER_CONFIG": config],
                                                      homeDirectory: "/nonexistent").resolve()
                #expect(fromConfig.transport == defaultSocket)
            }
        }
    }

    // MARK: - Messages and backoff

    @Suite struct Messages {
        @Test func permissionDeniedWithAGroupSaysHowToJoinIt() {
            let text = DockerError.permissionDenied(path: "/var/run/docker.sock", group: "docker").description
            #expect(text.contains("usermod -aG docker"))
            #expect(text.contains("/var/run/docker.sock"))
        }

        @Test func permissionDeniedUsesTheSocketsActualGroup() {
            let text = DockerError.permissionDenied(path: "/run/d.sock", group: "dockremote").description
            #expect(text.contains("usermod -aG dockremote"))
        }

        @Test func permissionDeniedWithoutAGroupDoesNotInventACommand() {
            let text = DockerError.permissionDenied(path: "/var/run/docker.sock", group: nil).description
            #expect(!text.contains("usermod"))
            #expect(text.contains("/var/run/docker.sock"))
        }

        @Test func apiTooOldNamesBothVersions() {
            let text = DockerError.apiTooOld(daemon: "1.24", required: "1.41").description
            #expect(text.contains("1.24"))
            #expect(text.contains("1.41"))
        }

        @Test func timeoutFormatsSeconds() {
            #expect(DockerError.timeout(operation: "GET /info", seconds: 5).description.contains("within 5 s"))
            #expect(DockerError.timeout(operation: "GET /info", seconds: 2.5).description.contains("within 2.5 s"))
        }
    }

    @Suite struct Backoffs {
        @Test func defaultBackoffDoublesFromHalfASecondAndCapsAtTen() {
            let b = Backoff()
            #expect((1...7).map { b.delay(afterFailures: $0) } == [0.5, 1, 2, 4, 8, 10, 10])
        }

        @Test func customBackoffDoublesAndCaps() {
            let b = Backoff(initial: 1, maximum: 5)
            #expect((1...5).map { b.delay(afterFailures: $0) } == [1, 2, 4, 5, 5])
        }

        @Test func edgeCountsStayInRange() {
            let b = Backoff()
            #expect(b.delay(afterFailures: 0) == 0.5)
            #expect(b.delay(afterFailures: -3) == 0.5)
            #expect(b.delay(afterFailures: 10_000) == 10)
        }
    }
}
