import ArgumentParser
import Foundation
import Runtime

@main
struct Clawtop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clawtop",
        abstract: "A live console for OpenClaw agents running as Docker Swarm services.",
        discussion: """
            Connects to Docker through DOCKER_HOST (unix://, tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, or \
            ssh://[user@]host[:port] through the system's ssh and the remote's docker CLI), DOCKER_CONTEXT or the \
            docker config's current context, else /var/run/docker.sock. \
            With --demo it shows a simulated fleet instead, without Docker. \
            Exit status: 0 on quit, 2 when clawtop cannot do its job (no terminal, no daemon, bad DOCKER_HOST), \
            64 for a malformed option, 128+N when stopped by signal N.
            """,
        version: "0.1.0",
        subcommands: [ConsoleCommand.self, SnapshotCommand.self, StatusCommand.self, AuditCommand.self, RecordCommand.self, CheckConfigCommand.self],
        defaultSubcommand: ConsoleCommand.self)

    /// Runs the command; the one place the process exits with a status of its own choosing.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as Failure {
            FileHandle.standardError.write(Data("clawtop: \(failure.message)\n".utf8))
            Foundation.exit(2)
        } catch {
            exit(withError: error)
        }
    }
}
