// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "clawtop",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "clawtop", targets: ["clawtop"]),
        .executable(name: "clawtop-bench", targets: ["clawtop-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // ncursesw, with a shim that turns its globals and macros into functions Swift 6 can call.
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),

        // The model: plain values and the reducer. No I/O.
        .target(name: "ClawtopCore"),

        // The system's ssh as a local socket: to `docker system dial-stdio` on a host, or to an address it reaches.
        .target(name: "SSHTunnel"),

        // The Docker Engine API client: transport, wire models, events, logs, updates, typed errors.
        .target(name: "DockerEngine", dependencies: [
            "SSHTunnel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),

        // Warren's orchestrator.yaml: parsing, defaults and validation with file, line and column. No I/O but reading the file.
        .target(name: "OrchestratorConfig", dependencies: [.product(name: "Yams", package: "Yams")]),

        // The health side: clawtop's own probes (HTTP, Warren's rules) and the scheduler that runs them on time.
        .target(name: "Health", dependencies: [
            "ClawtopCore", "FleetSource", "SSHTunnel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),

        // The seam every source of fleet state stands behind, in the model's terms, and the log follower that reads
        // any of them.
        .target(name: "FleetSource", dependencies: ["ClawtopCore"]),

        // The Docker side: the backend over the Engine API, the watcher of its events, the wire-to-model mapping.
        .target(name: "DockerSource", dependencies: ["ClawtopCore", "FleetSource", "Health", "DockerEngine", "SSHTunnel"]),

        // Warren's side: its admin API (agents, figures, events; wake and sleep through it).
        .target(name: "WarrenSource", dependencies: [
            "ClawtopCore", "FleetSource", "Health", "SSHTunnel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        // The history on disk: every probe and every transition, per swarm, in SQLite (through GRDB), and the lease a
        // recorder holds while it writes.
        .target(name: "HistoryStore", dependencies: ["ClawtopCore", .product(name: "GRDB", package: "GRDB.swift")]),

        // The demo: a simulated swarm behind the same seam as Docker, for `--demo`.
        .target(name: "Demo", dependencies: ["ClawtopCore", "FleetSource"]),

        // What the view and the terminal share: the cell buffer, rectangles, style roles, the theme, keys, text width.
        .target(name: "Screen"),

        // The console: its model, the pure update function (keys and messages in, effects out) and the pure view.
        .target(name: "Dashboard", dependencies: ["ClawtopCore", "Screen"]),

        // The one runtime of every command: the inbox, the sources' lifecycle and the effects carried out. The console,
        // `record`, `snapshot` and `status` are this runtime with a different view and a different end.
        .target(name: "Runtime", dependencies: [
            "ClawtopCore", "Dashboard", "Screen", "FleetSource", "Health", "HistoryStore", "DockerSource", "WarrenSource",
            "Demo", "SSHTunnel", "OrchestratorConfig",
        ]),

        // The fleet for Prometheus: the exposition (pure) and the listener `record --metrics-listen` serves it from.
        .target(name: "Metrics", dependencies: ["ClawtopCore"]),

        // The only code that touches ncurses. It knows nothing of the app's keys or actions.
        .target(name: "CursesTerminal", dependencies: ["CNcursesw", "Screen"]),

        .executableTarget(name: "clawtop", dependencies: [
            "ClawtopCore", "Dashboard", "Screen", "CursesTerminal", "OrchestratorConfig", "Runtime", "Metrics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The benchmark (`scripts/bench`, release mode): what it costs to leave clawtop running. Not part of CI.
        .executableTarget(name: "clawtop-bench", dependencies: [
            "ClawtopCore", "Dashboard", "Screen", "CursesTerminal", "Health", "HistoryStore", "DockerEngine", "DockerSource", "Metrics",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),

        // Shared by the test targets: the private daemon's address, docker CLI helpers, waiting on conditions.
        .target(name: "TestSupport", dependencies: ["DockerEngine", "SSHTunnel", "ClawtopCore", "Dashboard", "FleetSource",
                                                 "DockerSource", "Health", "Runtime"],
                path: "Tests/TestSupport"),

        .testTarget(name: "ClawtopCoreTests", dependencies: ["ClawtopCore"]),
        .testTarget(name: "OrchestratorConfigTests", dependencies: ["OrchestratorConfig"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "ClawtopCore"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "Dashboard", "Demo", "HistoryStore", "ClawtopCore"]),
        .testTarget(name: "HistoryStoreTests", dependencies: ["HistoryStore", "ClawtopCore"]),
        .testTarget(name: "DockerEngineTests", dependencies: ["DockerEngine", "DockerSource", "ClawtopCore", "SSHTunnel", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "HealthTests", dependencies: ["Health", "DockerSource", "ClawtopCore", "TestSupport"]),
        .testTarget(name: "WarrenSourceTests", dependencies: ["WarrenSource", "ClawtopCore"], exclude: ["Fixtures"]),
        .testTarget(name: "DockerSourceTests", dependencies: ["DockerSource", "FleetSource", "DockerEngine", "ClawtopCore",
                                                             "TestSupport"]),
        .testTarget(name: "DemoTests", dependencies: ["Demo", "FleetSource", "Health", "ClawtopCore", "Dashboard", "Screen",
                                                     "TestSupport"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "Screen", "ClawtopCore", "TestSupport"],
                    exclude: ["Golden"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "DockerEngine"], exclude: ["Golden", "WarrenCorpus"]),
    ]
)
