@testable import SSHTunnel
import Testing

/// The user and port `ssh -G` works out for the manager's address, for reaching the nodes the same way. (The
/// three-node suite runs the real ssh with an alias.)
struct SSHEffectiveTests {
    @Test func theUserAndPortOfSSHsOwnAnswerStand() {
        // As OpenSSH 9 prints them, among many other lines.
        let printed = "host 10.0.0.11\nuser ops\nhostname 10.0.0.11\nport 2222\nidentityfile ~/.ssh/id_ed25519\n"
        let alias = SSHTarget(user: nil, host: "mgr", port: nil)
        #expect(SSHTarget.applying(config: printed, to: alias) == SSHTarget(user: "ops", host: "mgr", port: 2222))
        #expect(SSHTarget.applying(config: "port many\n", to: SSHTarget(user: "me", host: "mgr", port: 22)) ==
                SSHTarget(user: "me", host: "mgr", port: 22), "what ssh cannot say leaves the address as it was")
    }
}
