import ArgumentParser
import OrchestratorConfig

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a Warren orchestrator.yaml with Warren's rules.",
        discussion: """
            Accepts what Warren accepts and rejects what Warren rejects (or crashes on). Prints every problem with \
            its file, line, column and key, in a stable order, then OK when the file is valid. Warnings are advice \
            about a file Warren accepts. Exit status: 0 when it is valid (warnings or not), 1 when it is not (or \
            there is no file).
            """)

    @Argument(help: "The file (default: ./orchestrator.yaml, else /etc/warren/orchestrator.yaml).")
    var file: String?

    func run() throws {
        guard let path = OrchestratorConfig.locate(explicit: file) else {
            print("no orchestrator.yaml found (looked for \(defaultConfigPaths.joined(separator: " and ")))")
            throw ExitCode(1)
        }
        switch OrchestratorConfig.load(path: path) {
        case .success(let config):
            for warning in config.warnings { print(warning) }
            let agents = "\(config.agents.count) agent\(config.agents.count == 1 ? "" : "s")"
            let warnings = config.warnings.isEmpty ? "" : " (\(config.warnings.count) warning\(config.warnings.count == 1 ? "" : "s"))"
            print("OK: \(path): \(agents)\(warnings)")
        case .failure(let errors):
            print(errors.description)
            throw ExitCode(1)
        }
    }
}
