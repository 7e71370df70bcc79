import ClawtopCore
import DockerEngine
import Foundation

/// The docker contexts, found as the docker CLI finds them (`DOCKER_CONFIG`, else `$HOME/.docker`), as swarms the
/// console can switch between.
public enum DockerContexts {
    /// The contexts named in `only` (in that order; each may be missing), or every context when `only` is empty.
    public static func list(only: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment) -> [SwarmContext] {
        let all = EndpointResolver(environment: environment).contexts().map {
            SwarmContext(name: $0.name, address: $0.address, description: $0.description, problem: $0.problem)
        }
        guard !only.isEmpty else { return all }
        return only.map { name in
            all.first { $0.name == name } ?? SwarmContext(name: name, address: nil, problem: "there is no docker context named '\(name)'")
        }
    }

    /// The context the environment names (`default` for DOCKER_HOST and the default socket).
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        EndpointResolver(environment: environment).currentContextName()
    }
}
