import DockerEngine
import Testing
import SSHTunnel

/// ssh's exit and the words ssh and the remote wrote to stderr, as OpenSSH 9 and the docker CLI write them, become
/// the failure an operator can act on. (The end-to-end suite checks the same against a real sshd.)
@Suite struct SSHFailureTests {
    let target = SSHTarget(user: "ops", host: "manager", port: 2222)

    func classify(_ stderr: String, _ exit: SSHFailure.Exit = .status(255), established: Bool = false) -> SSHFailure? {
        SSHFailure.classify(target: target, exit: exit, stderr: stderr, established: established)
    }

    @Test(arguments: [
        ("No ED25519 host key is known for [manager]:2222 and you have requested strict checking.\r\nHost key verification failed.\r\n",
         SSHFailure.Exit.status(255), SSHFailure.Kind.hostKeyUnknown),
        ("Host key verification failed.\n", .status(255), .hostKeyUnknown),
        ("@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.\n", .status(255), .hostKeyChanged),
        ("ops@manager: Permission denied (publickey).\n", .status(255), .authenticationFailed),
        ("sh: 1: docker: not found\n", .status(127), .dockerMissing),
        ("bash: line 1: docker: command not found\n", .status(127), .dockerMissing),
        ("failed to open the raw stream connection: dial unix /var/run/docker.sock: connect: permission denied\n", .status(1), .remotePermissionDenied),
        ("failed to open the raw stream connection: dial unix /var/run/docker.sock: connect: no such file or directory\n", .status(1), .remoteDaemonDown),
        ("ssh: Could not resolve hostname manager: Name or service not known\n", .status(255), .hostUnknown),
        ("ssh: connect to host manager port 2222: Connection refused\n", .status(255), .connectionRefused),
        ("ssh: connect to host manager port 2222: Connection timed out\n", .status(255), .unreachable),
        ("Connection closed by 10.0.0.5 port 2222\n", .status(255), .connectionLost),
        ("", .signal(9), .connectionLost),
        ("something else entirely\n", .status(3), .other),
        // `ssh -W host:port` (a forwarded probe), as OpenSSH 9 reports a channel the server could not open; the
        // refused case is also met against the real sshd in SSHEndToEndTests.
        ("channel 0: open failed: connect failed: Connection refused\r\nstdio forwarding failed\r\n", .status(255), .forwardRefused),
        ("channel 0: open failed: administratively prohibited: open failed\r\nstdio forwarding failed\r\n", .status(255), .forwardProhibited),
        ("channel 0: open failed: connect failed: Name or service not known\r\nstdio forwarding failed\r\n", .status(255), .forwardUnresolved),
        ("channel 0: open failed: connect failed: No route to host\r\nstdio forwarding failed\r\n", .status(255), .forwardUnreachable),
    ])
    func stderrTellsTheFailuresApart(stderr: String, exit: SSHFailure.Exit, kind: SSHFailure.Kind) throws {
        let failure = try #require(classify(stderr, exit))
        #expect(failure.kind == kind)
        #expect(!failure.description.contains("\n"), "one line: \(failure.description)")
    }

    /// A forward's failure reads, in a probe's LAST ERROR, as it would from the SSH host: a refusal is "refused".
    @Test func aForwardsFailureIsAProbeReason() throws {
        let refused = try #require(classify("channel 0: open failed: connect failed: Connection refused\r\n"))
        #expect(refused.probeReason == "refused" && !refused.probeUnreachable)
        let unresolved = try #require(classify("channel 0: open failed: connect failed: Name or service not known\r\n"))
        #expect(unresolved.probeUnreachable)
        let auth = try #require(classify("ops@manager: Permission denied (publickey).\n"))
        #expect(auth.probeReason == "ssh: authentication failed")
    }

    @Test func aCleanExitIsNoFailure() {
        #expect(classify("", .status(0)) == nil)
    }

    @Test func anEstablishedSessionThatEndsBadlyWasLost() {
        #expect(classify("client_loop: send disconnect: Broken pipe\n", established: true)?.kind == .connectionLost)
        // Even words that would mean more before the daemon answered.
        #expect(classify("Permission denied (publickey).\n", established: true)?.kind == .connectionLost)
    }

    @Test func theMessagesSayWhatToDo() throws {
        let unknown = try #require(classify("Host key verification failed.\n"))
        #expect(unknown.description.contains("`ssh -p 2222 ops@manager`"))
        #expect(unknown.description.contains("`ssh-keyscan -p 2222 manager >> ~/.ssh/known_hosts`"))
        let missing = try #require(classify("sh: 1: docker: not found\n", .status(127)))
        #expect(missing.description.contains("clawtop needs the docker CLI on the remote"))
        let socket = try #require(classify("failed to open the raw stream connection: dial unix /run/docker.sock: connect: permission denied", .status(1)))
        #expect(socket.description.contains("sudo usermod -aG docker ops"))
    }

    @Test func remoteTextIsSanitized() throws {
        let failure = try #require(classify("\u{1B}]0;pwned\u{07}\u{1B}[2Jweird\u{202E} failure\n", .status(3)))
        #expect(!failure.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{202E}" })
        let long = try #require(classify(String(repeating: "x", count: 5000), .status(3)))
        #expect(long.description.count < 600)
    }
}
