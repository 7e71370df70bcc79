import Foundation

extension DockerClient {
    /// The docker CLI's global options that reach this client's daemon: over ssh, the client's own relay socket (the
    /// connection already made, its ssh options and all), so `docker exec -it` runs through it as the reads do.
    public var cliArguments: [String] {
        if let relay { return ["--host", "unix://" + relay.socketPath] }
        guard case .tcp(_, _, let tls?) = endpoint.transport else { return ["--host", endpoint.address] }
        var arguments = ["--host", endpoint.address, tls.verifyServer ? "--tlsverify" : "--tls"]
        if let ca = tls.caFile { arguments += ["--tlscacert", ca] }
        if let cert = tls.certFile { arguments += ["--tlscert", cert] }
        if let key = tls.keyFile { arguments += ["--tlskey", key] }
        return arguments
    }
}
