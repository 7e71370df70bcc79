import Foundation
import OrchestratorConfig
import Testing

/// Where Warren's admin API is, as Warren's own files say.
struct WarrenAdminSettingsTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "clawtop-admin-\(UUID().uuidString.prefix(8)).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func adminListenBecomesAnAddressOfThisHost() {
        #expect(WarrenAdminSettings(listen: ":9090").address == "http://127.0.0.1:9090")
        #expect(WarrenAdminSettings(listen: "0.0.0.0:9091").address == "http://127.0.0.1:9091")
        #expect(WarrenAdminSettings(listen: "10.0.0.5:9090").address == "http://10.0.0.5:9090")
        #expect(WarrenAdminSettings(listen: "9090").address == nil && WarrenAdminSettings(listen: ":http").address == nil)
        #expect(WarrenAdminSettings().address == nil)
    }

    @Test func readsTheTwoKeysAndTheCLIConfig() throws {
        let path = try write("admin_listen: \":9090\"\nadmin_token: s3cret\nagents: {}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(WarrenAdminSettings.read(orchestratorConfig: path) == WarrenAdminSettings(listen: ":9090", token: "s3cret"))
        #expect(WarrenAdminSettings.read(orchestratorConfig: "/nonexistent.yaml") == WarrenAdminSettings())
        let home = NSTemporaryDirectory() + "clawtop-home-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/.warren", withIntermediateDirectories: true)
        try "admin: \"http://manager:9090\"\n".write(toFile: home + "/.warren/config.yaml", atomically: true, encoding: .utf8)
        #expect(WarrenAdminSettings.cliAdmin(home: home) == "http://manager:9090")
        #expect(WarrenAdminSettings.cliAdmin(home: "/nonexistent") == nil)
    }
}
