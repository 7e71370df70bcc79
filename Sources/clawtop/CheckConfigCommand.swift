import ArgumentParser
import OrchestratorConfig

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a Warren orchestrator.yaml with Warren's rules.",
        discussion: "Prints OK, or every problem with its file, line, column and key. Exit status: 0 when it is valid, 1 when it is not (or there is no file).")

    @Argument(help: "The file (default: ./orchestrator.yaml, else /etc/warren/orchestrator.yaml).")
    var file: String?

    func run() throws {
        guard let path = OrchestratorConfig.locate(explicit: file) else {
            print("no orchestrator.yaml found (looked for \(defaultConfigPaths.joined(separator: " and ")))")
            throw ExitCode(1)
        }
        switch OrchestratorConfig.load(path: path) {
        case .success(let config):
            print("OK: \(path): \(config.agents.count) agent\(config.agents.count == 1 ? "" : "s")")
        case .failure(let errors):
            print(errors.description)
            throw ExitCode(1)
        }
    }
}
