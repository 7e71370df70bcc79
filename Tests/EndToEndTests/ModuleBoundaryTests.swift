import Foundation
import Testing

/// Which modules may import what: Docker's wire stays on the Docker side, curses in the terminal layer, the view
/// knows neither the runtime nor any source, only the runtime builds the sources, the demo links no HTTP client, and
/// every import is declared.
struct ModuleBoundaryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sources = root.appendingPathComponent("Sources")

    /// The sources: each feeds the fleet's state from outside (the runtime starts them).
    static let sourceModules: Set<String> = ["DockerSource", "DockerEngine", "WarrenSource", "HistoryStore", "Health", "Demo", "SSHTunnel"]

    /// The modules each module under Sources/ imports.
    func imports() throws -> [String: Set<String>] {
        var found: [String: Set<String>] = [:]
        let fm = FileManager.default
        for target in try fm.contentsOfDirectory(atPath: Self.sources.path) {
            let folder = Self.sources.appendingPathComponent(target)
            for file in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                    found[target, default: []].insert(String(line.dropFirst("import ".count)).trimmingCharacters(in: .whitespaces))
                }
            }
        }
        return found
    }

    /// The modules under Sources/ whose files import `module`.
    func importers(of module: String) throws -> Set<String> {
        Set(try imports().filter { $0.value.contains(module) }.keys)
    }

    /// Each target's declared dependencies in Package.swift (targets and products, by name).
    func declared() throws -> [String: Set<String>] {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var result: [String: Set<String>] = [:]
        let starts = try Regex(#"\.(?:target|executableTarget|testTarget|systemLibrary)\(name: "([^"]+)""#)
        let matches = text.matches(of: starts)
        for (i, match) in matches.enumerated() {
            let name = String(match.output[1].substring ?? "")
            let end = i + 1 < matches.count ? matches[i + 1].range.lowerBound : text.endIndex
            let block = text[match.range.upperBound..<end]
            guard let open = block.range(of: "dependencies: [") else { result[name] = []; continue }
            let list = block[open.upperBound...].prefix { $0 != "]" }
            result[name] = Set(list.matches(of: try Regex(#""([^"]+)""#)).map { String($0.output[1].substring ?? "") })
        }
        return result
    }

    /// And the bench, which measures the Docker side's reader against the daemon.
    @Test func onlyTheDockerSideImportsTheDockerClient() throws {
        #expect(try importers(of: "DockerEngine") == ["DockerSource", "clawtop-bench"])
    }

    @Test func onlyTheTerminalLayerImportsCurses() throws {
        #expect(try importers(of: "CNcursesw") == ["CursesTerminal"])
    }

    /// The view is pure: the model, the screen's cells, Foundation.
    @Test func theViewImportsNeitherTheRuntimeNorAnySource() throws {
        let dashboard = try imports()["Dashboard"] ?? []
        #expect(dashboard.isSubset(of: ["ClawtopCore", "Screen", "Foundation"]), "\(dashboard.sorted())")
    }

    /// The sources post; they know neither the view nor the runtime that starts them.
    @Test func noSourceImportsTheRuntimeOrTheView() throws {
        let all = try imports()
        for source in Self.sourceModules.union(["FleetSource"]) {
            let bad = (all[source] ?? []).intersection(["Runtime", "Dashboard", "CursesTerminal", "Screen"])
            #expect(bad.isEmpty, "\(source) imports \(bad.sorted())")
        }
    }

    /// Only the runtime (and the executable, which builds the sources from its options) imports the runtime's
    /// pieces: no page, no terminal, no model.
    @Test func onlyTheExecutableImportsTheRuntime() throws {
        #expect(try importers(of: "Runtime") == ["clawtop"])
    }

    /// The runtime builds the sources (`FleetConnection`, `HistoryPlace`): the commands, the view and the terminal
    /// name none. Sources may use each other (Docker's over ssh), and the benchmark measures their parts.
    @Test func onlyTheRuntimeImportsTheSources() throws {
        for source in Self.sourceModules {
            let others = try importers(of: source).subtracting(Self.sourceModules).subtracting(["Runtime", "clawtop-bench"])
            #expect(others.isEmpty, "\(others.sorted()) import \(source)")
        }
    }

    /// The demo runs without Docker, an HTTP client or ssh: what it imports, and what those import, has none.
    @Test func theDemoLinksNeitherDockerNorAnHTTPClient() throws {
        let all = try imports()
        var seen: Set<String> = [], next: [String] = ["Demo"]
        while let module = next.popLast() {
            for imported in all[module] ?? [] where seen.insert(imported).inserted { next.append(imported) }
        }
        let bad = seen.intersection(["DockerEngine", "DockerSource", "Health", "SSHTunnel", "AsyncHTTPClient", "NIOCore", "NIOPosix"])
        #expect(bad.isEmpty, "the demo reaches \(bad.sorted())")
    }

    /// A module that imports a target or product of this package declares it: a module linked only by chance,
    /// through another's dependencies, breaks when that other changes.
    @Test func everyImportIsDeclared() throws {
        let declared = try declared()
        let known = Set(declared.keys).union(declared.values.joined())
        #expect(declared["DockerEngine"]?.contains("NIOHTTP1") == true, "Package.swift is read: \(declared.keys.sorted())")
        for (module, imported) in try imports() {
            let undeclared = imported.intersection(known).subtracting(declared[module] ?? []).subtracting([module])
            #expect(undeclared.isEmpty, "\(module) imports \(undeclared.sorted()) without declaring it in Package.swift")
        }
    }

    @Test func theSourcesFolderIsWhereThisTestLooks() throws {
        #expect(try importers(of: "ClawtopCore").contains("Dashboard"), "\(Self.sources.path)")
    }
}
