import ClawtopCore
import Foundation

/// A container's cgroup, read from its files where clawtop runs on the container's node: what `docker stats` reads
/// through the daemon (and ctop and cAdvisor read themselves), without asking the daemon. cgroup v1 (a directory per
/// controller) and v2 (one directory).
struct CgroupFiles: Sendable, Equatable {
    enum Layout: Sendable, Equatable {
        /// `memory.usage_in_bytes`, `memory.stat` (`total_inactive_file`) and `cpuacct.usage` (nanoseconds).
        case v1(memory: String, cpu: String)
        /// `memory.current`, `memory.stat` (`inactive_file`) and `cpu.stat` (`usage_usec`).
        case v2(String)
    }
    let layout: Layout

    /// Where the cgroup of the process `pid` is, from `/proc/PID/cgroup`, if it is the container's (its ID in the
    /// path: a PID of another PID namespace names another process) and its files can be read here.
    static func locate(pid: Int, container: String, root: String = "/sys/fs/cgroup", proc: String = "/proc") -> CgroupFiles? {
        guard pid > 0, let text = try? String(contentsOfFile: "\(proc)/\(pid)/cgroup", encoding: .utf8),
              let layout = layout(cgroupFile: text, container: container, root: root) else { return nil }
        let probe: String
        switch layout {
        case .v1(let memory, _): probe = memory + "/memory.usage_in_bytes"
        case .v2(let dir): probe = dir + "/memory.current"
        }
        return FileManager.default.isReadableFile(atPath: probe) ? CgroupFiles(layout: layout) : nil
    }

    /// The layout `/proc/PID/cgroup` says: v1 when it names a memory controller, else v2's unified line (`0::/…`).
    static func layout(cgroupFile text: String, container: String, root: String) -> Layout? {
        var paths: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2].contains(container) else { continue }
            for controller in parts[1].split(separator: ",") { paths[String(controller)] = String(parts[2]) }
            if parts[1].isEmpty { paths[""] = String(parts[2]) }
        }
        if let memory = paths["memory"], let cpu = paths["cpuacct"] {
            let cpuDirs = ["cpuacct", "cpu,cpuacct", "cpuacct,cpu"].map { "\(root)/\($0)\(cpu)" }
            let cpuDir = cpuDirs.first { FileManager.default.fileExists(atPath: $0) } ?? cpuDirs[0]
            return .v1(memory: "\(root)/memory\(memory)", cpu: cpuDir)
        }
        if let unified = paths[""], FileManager.default.fileExists(atPath: "\(root)/cgroup.controllers") {
            return .v2("\(root)\(unified)")
        }
        return nil
    }

    /// The container's CPU time (nanoseconds) and working set (bytes) now; nil when its files are gone (it stopped).
    func read() -> (cpu: UInt64, memory: Int64)? {
        func file(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
        switch layout {
        case .v1(let memory, let cpu):
            guard let usage = file(memory + "/memory.usage_in_bytes").flatMap(Self.number),
                  let stat = file(memory + "/memory.stat"), let used = file(cpu + "/cpuacct.usage").flatMap(Self.number) else { return nil }
            return (used, Self.workingSet(usage: usage, stat: stat, inactiveKey: "total_inactive_file"))
        case .v2(let dir):
            guard let usage = file(dir + "/memory.current").flatMap(Self.number), let stat = file(dir + "/memory.stat"),
                  let micros = file(dir + "/cpu.stat").flatMap({ Self.value(of: "usage_usec", in: $0) }) else { return nil }
            return (micros * 1000, Self.workingSet(usage: usage, stat: stat, inactiveKey: "inactive_file"))
        }
    }

    /// Usage less the inactive file pages, as `docker stats` counts it.
    static func workingSet(usage: UInt64, stat: String, inactiveKey: String) -> Int64 {
        let inactive = value(of: inactiveKey, in: stat) ?? 0
        return Int64(clamping: inactive < usage ? usage - inactive : usage)
    }

    /// `key N` in a `memory.stat` or `cpu.stat` file.
    static func value(of key: String, in text: String) -> UInt64? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == key { return UInt64(parts[1]) }
        }
        return nil
    }

    static func number(_ text: String) -> UInt64? { UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) }

    /// The host's CPU time so far (nanoseconds, all CPUs), from the first line of `/proc/stat`, as Docker reckons
    /// `system_cpu_usage`; and the CPUs online.
    static func hostCPU(procStat text: String, ticksPerSecond: Double) -> (nanoseconds: UInt64, cpus: Int)? {
        let lines = text.split(separator: "\n")
        guard let total = lines.first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let ticks = total.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }.reduce(0, +)
        let cpus = lines.filter { $0.hasPrefix("cpu") && !$0.hasPrefix("cpu ") }.count
        return (UInt64(ticks / ticksPerSecond * 1e9), max(1, cpus))
    }

    static func hostCPU() -> (nanoseconds: UInt64, cpus: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return hostCPU(procStat: text, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))))
    }
}
