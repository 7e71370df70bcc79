import ClawtopCore
@testable import DockerEngine
@testable import DockerSource
import Foundation
import Testing

/// Container stats as the daemon sends them (Fixtures/README.md): the working set `docker stats` shows, on cgroup
/// v1 and v2, and the CPU in use from two one-shot readings.
@Suite struct ContainerStatsTests {
    func stats(_ name: String) throws -> ContainerStats {
        try WireModelTests.decode(ContainerStats.self, fixture: name)
    }

    @Test func theWorkingSetIsUsageLessInactiveFilePagesAsDockerStatsSays() throws {
        let v1 = try stats("stats-cgroup-v1")
        // `docker stats` said 792KiB / 64MiB: 20 MiB written to a file are page cache, not the container's own.
        #expect(v1.memory_stats?.usage == 21_782_528)
        #expect(v1.workingSet == 792 * 1024)
        #expect(v1.memory_stats?.limit == 64 << 20)
    }

    @Test func cgroupV2NamesItsInactiveFilePagesWithoutTotal() throws {
        let v2 = try stats("stats-cgroup-v2")
        #expect(v2.memory_stats?.stats?.total_inactive_file == nil)
        #expect(v2.workingSet == 23_068_672 - 20_971_520)
    }

    @Test func aReadingWithoutUsageIsNone() throws {
        let empty = try JSONDecoder().decode(ContainerStats.self, from: Data(#"{"read":"0001-01-01T00:00:00Z","memory_stats":{}}"#.utf8))
        #expect(empty.workingSet == nil)
        #expect(NodeUsageReader.reading(empty, container: "c", task: "t", service: "s", now: Date()) == nil)
    }

    @Test func twoOneShotReadingsGiveTheCoresInUse() throws {
        let (first, second) = (try stats("stats-burner-1"), try stats("stats-burner-2"))
        let a = try #require(NodeUsageReader.reading(first, container: "c", task: "t", service: "s", now: Date()))
        let b = try #require(NodeUsageReader.reading(second, container: "c", task: "t", service: "s", now: Date()))
        #expect(a.cpu.cpus == 2)
        // `docker stats` said 50.08% of a core for this `--limit-cpu 0.5` burner.
        let cores = try #require(b.cpu.cores(since: a.cpu))
        #expect(abs(cores - 0.5) < 0.01, "\(cores)")
        // Without the host's CPU time, the wall time between the readings stands in.
        var (x, y) = (a.cpu, b.cpu)
        (x.host, y.host) = (nil, nil)
        #expect(abs(try #require(y.cores(since: x)) - 0.5) < 0.01)
        // A counter that went back is another container: no figure.
        #expect(a.cpu.cores(since: b.cpu) == nil)
    }

    @Test func anExitedContainersCodeIsReadFromItsStatus() throws {
        let exited = try JSONDecoder().decode(ContainerSummary.self, from: Data(#"{"Id":"c","State":"exited","Status":"Exited (137) 3 seconds ago"}"#.utf8))
        #expect(exited.exitCode == 137)
        let running = try JSONDecoder().decode(ContainerSummary.self, from: Data(#"{"Id":"c","State":"running","Status":"Up 4 minutes"}"#.utf8))
        #expect(running.exitCode == nil)
    }
}
