@testable import DockerSource
import Foundation
import Testing

/// A container's cgroup read from its files, as the reader does where the daemon is on this machine. The v1 texts are
/// copied from this machine's private daemon (Docker 20.10, cgroupfs driver, cgroup v1 with the unified hierarchy
/// beside it), 2026-12-05, for a container holding 40 MB (`docker stats` said `38.9MiB`); the v2 ones are written in
/// the shape the kernel's cgroup-v2 documentation gives (no daemon here runs on v2).
@Suite struct CgroupFilesTests {
    static let id = "8004d26efdd4337bc499873ae65134ec6da9a5ef9a79126471fac39a0f913217"
    static let v1Cgroup = """
        9:name=systemd:/docker/\(id)
        8:pids:/docker/\(id)
        4:memory:/docker/\(id)
        2:cpuacct:/docker/\(id)
        1:cpu:/docker/\(id)
        0::/docker/\(id)
        """

    /// A directory standing for /sys/fs/cgroup, removed after `body`.
    func withRoot(_ files: [String: String], _ body: (String) throws -> Void) throws {
        let root = NSTemporaryDirectory() + "clawtop-cgroup-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (path, text) in files {
            let file = root + "/" + path
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        try body(root)
    }

    @Test func v1ReadsTheMemoryAndCPUControllersDirectories() throws {
        let dir = "docker/\(Self.id)"
        try withRoot(["memory/\(dir)/memory.usage_in_bytes": "40771584\n",
                      "memory/\(dir)/memory.stat": "cache 0\nrss 40169472\ninactive_file 0\ntotal_cache 0\ntotal_rss 40169472\ntotal_inactive_file 0\n",
                      "cpuacct/\(dir)/cpuacct.usage": "1344949067\n"]) { root in
            let layout = try #require(CgroupFiles.layout(cgroupFile: Self.v1Cgroup, container: Self.id, root: root))
            #expect(layout == .v1(memory: "\(root)/memory/\(dir)", cpu: "\(root)/cpuacct/\(dir)"))
            let read = try #require(CgroupFiles(layout: layout).read())
            #expect(read.cpu == 1_344_949_067 && read.memory == 40_771_584)
            // Another container's cgroup is not this one's.
            #expect(CgroupFiles.layout(cgroupFile: Self.v1Cgroup, container: "0123456789ab", root: root) == nil)
        }
    }

    @Test func v1LeavesOutItsInactiveFilePages() {
        #expect(CgroupFiles.workingSet(usage: 21_782_528, stat: "inactive_file 20971520\ntotal_inactive_file 20971520\n",
                                       inactiveKey: "total_inactive_file") == 792 * 1024)
    }

    @Test func v2ReadsOneDirectory() throws {
        let dir = "system.slice/docker-\(Self.id).scope"
        try withRoot(["cgroup.controllers": "cpuset cpu io memory pids\n",
                      "\(dir)/memory.current": "23068672\n",
                      "\(dir)/memory.stat": "anon 1253376\nfile 20971520\ninactive_anon 0\nactive_anon 1253376\ninactive_file 20971520\nactive_file 0\n",
                      "\(dir)/cpu.stat": "usage_usec 4120000\nuser_usec 2920000\nsystem_usec 1200000\n"]) { root in
            let layout = try #require(CgroupFiles.layout(cgroupFile: "0::/\(dir)\n", container: Self.id, root: root))
            #expect(layout == .v2("\(root)/\(dir)"))
            let read = try #require(CgroupFiles(layout: layout).read())
            #expect(read.cpu == 4_120_000_000 && read.memory == 23_068_672 - 20_971_520)
        }
    }

    @Test func filesGoneMeanNoReading() {
        #expect(CgroupFiles(layout: .v2("/nonexistent/clawtop")).read() == nil)
    }

    @Test func theHostsCPUTimeIsProcStatsFirstLineInNanoseconds() throws {
        let stat = """
            cpu  1180543 11273 255180 6504388 12799 0 3760 1630 0 0
            cpu0 550856 6369 116295 3305905 3074 0 650 829 0 0
            cpu1 629687 4903 138884 3198483 9724 0 3109 800 0 0
            intr 1 2 3
            """
        let host = try #require(CgroupFiles.hostCPU(procStat: stat, ticksPerSecond: 100))
        // user … steal, as Docker sums them (guest time is already in user).
        let ticks: UInt64 = 1_180_543 + 11_273 + 255_180 + 6_504_388 + 12_799 + 3_760 + 1_630
        #expect(host.nanoseconds == ticks * 10_000_000)
        #expect(host.cpus == 2)
    }
}
