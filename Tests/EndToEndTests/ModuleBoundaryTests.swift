import Foundation
import Testing

/// Which modules may import what: Docker's wire stays on the Docker side, curses in the terminal layer, and the demo
/// needs neither.
struct ModuleBoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// The modules under Sources/ whose files import `module`.
    func importers(of module: String) throws -> Set<String> {
        var found: Set<String> = []
        let fm = FileManager.default
        for target in try fm.contentsOfDirectory(atPath: Self.sources.path) {
            let folder = Self.sources.appendingPathComponent(target)
            for file in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                if text.split(separator: "\n").contains(where: { $0 == "import \(module)" }) {
                    found.insert(target)
                }
            }
        }
        return found
    }

    @Test func onlyTheDockerSideImportsTheDockerClient() throws {
        #expect(try importers(of: "DockerEngine") == ["DockerSource"])
    }

    @Test func onlyTheTerminalLayerImportsCurses() throws {
        #expect(try importers(of: "CNcursesw") == ["CursesTerminal"])
    }

    @Test func theSourcesFolderIsWhereThisTestLooks() throws {
        #expect(try importers(of: "ClawtopCore").contains("Dashboard"), "\(Self.sources.path)")
    }
}
