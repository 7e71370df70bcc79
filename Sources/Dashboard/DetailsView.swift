import ClawtopCore
import Screen
import Foundation

/// The selected agent in full: its service, health settings and figures, Docker's view, limits, labels,
/// environment names (never values), tasks and recent events.
func drawDetails(_ row: AgentRow, fleet: FleetState, glyphs g: Glyphs, area: Rect, into buf: inout Buffer, now: Date) {
    let lines = detailLines(row, fleet: fleet, glyphs: g, width: area.width - 1, now: now)
    let labelWidth = 9
    for (i, line) in lines.prefix(max(0, area.height)).enumerated() {
        let y = area.y + i
        var x = area.x + 1
        if let label = line.label {
            buf.put(label, x: x, y: y, maxWidth: max(0, area.width - 1), role: .header)
            x += labelWidth + 1
        }
        for run in line.runs {
            let room = area.x + area.width - x
            guard room > 0 else { break }
            x += buf.put(truncate(run.text, to: room, ellipsis: g.ellipsis), x: x, y: y, maxWidth: room, role: run.role)
        }
    }
}

struct DetailLine {
    var label: String?
    var runs: [(text: String, role: Role)]
    init(_ label: String?, _ runs: [(String, Role)]) {
        self.label = label
        self.runs = runs.map { (text: $0.0, role: $0.1) }
    }
}

/// `width`: the columns a line has, its label's included.
func detailLines(_ row: AgentRow, fleet: FleetState, glyphs g: Glyphs, width: Int, now: Date) -> [DetailLine] {
    var lines: [DetailLine] = []
    let a = row.agent
    let (glyph, role) = style(row.health, glyphs: g)
    var headline: [(String, Role)] = [(sanitize(a.name) + "  ", .header), ("\(glyph) \(row.health.rawValue)", role)]
    if let since = row.since { headline.append((" for \(formatAge(now.timeIntervalSince(since)))", role)) }
    switch row.source {
    case .probe: headline.append(("  (clawtop's probe)", .muted))
    case .docker: headline.append(("  (Docker's health check)", .muted))
    case .warren: headline.append(("  (Warren's health checks: clawtop's probe cannot reach it)", .muted))
    case .none: break
    }
    lines.append(DetailLine(nil, headline))

    guard let summary = row.summary else {
        let none = a.source == .process ? "none: a Warren process worker" : "none: runs outside the swarm"
        lines.append(DetailLine("service", [(a.serviceName.map { "\(sanitize($0)) does not exist" } ?? none, .warn)]))
        lines += healthLines(row, windows: fleet.windows[row.agent.name], glyphs: g, now: now)
        lines += warrenLines(row, fleet: fleet, glyphs: g)
        return lines
    }
    let s = summary.service
    lines.append(DetailLine("service", [(sanitize(s.name), .normal), ("  \(s.mode.word) \(s.running)/\(s.desired)", .normal),
                                        ("  \(summary.condition.word)", style(summary.condition)),
                                        ("  image \(sanitize(s.image))", .muted)]))
    if let words = summary.updateWords {
        var update: [(String, Role)] = [(words, summary.condition == .paused ? .warn : .normal)]
        if let started = s.updateStartedAt { update.append(("  since \(formatAge(now.timeIntervalSince(started))) ago", .muted)) }
        if let progress = summary.updateProgress { update.append(("  \(progress.replaced) of \(progress.of) tasks replaced", .normal)) }
        if let message = s.updateMessage, !message.isEmpty { update.append(("  \(sanitize(message))", .muted)) }
        lines.append(DetailLine("update", update))
    }
    lines += healthLines(row, windows: fleet.windows[row.agent.name], glyphs: g, now: now)
    lines += warrenLines(row, fleet: fleet, glyphs: g)
    let spec = s.spec
    var docker: [(String, Role)] = [(row.dockerHealth?.rawValue ?? "no health status", row.dockerHealth == nil ? .muted : .normal)]
    if row.dockerHealthFromTasks {
        docker.append(("  (Swarm's task state: its check passed and Swarm replaces a task that fails it)", .muted))
    }
    if let check = spec.healthcheck {
        docker.append(("  check: \(sanitize(check))", .muted))
        if let every = spec.healthcheckInterval { docker.append((" every \(formatDuration(every))", .muted)) }
    }
    lines.append(DetailLine("docker", docker))
    var restart = spec.restartCondition ?? "any"
    if let delay = spec.restartDelay { restart += ", delay \(formatDuration(delay))" }
    if let max = spec.restartMaxAttempts, max > 0 {
        restart += ", at most \(max)" + (spec.restartWindow.map { " in \(formatDuration($0))" } ?? "")
    }
    lines.append(DetailLine("restart", [(restart, .normal), ("  restarts \(row.restarts)", row.restarts > 0 ? .warn : .muted),
                                        ("  force updates \(spec.forceUpdate)", .muted)]))
    lines.append(DetailLine("limits", [(resources(cpu: spec.cpuLimit, memory: spec.memoryLimit) ?? "none", .normal),
                                       ("  reserved " + (resources(cpu: spec.cpuReservation, memory: spec.memoryReservation) ?? "none"), .muted)]))
    lines += usageLines(summary, fleet: fleet)
    lines += memoryStrip(summary, agent: a.name, fleet: fleet, glyphs: g, width: width - 10, now: now)
    let labels = s.labels.sorted { $0.key < $1.key }.map { "\(sanitize($0.key))=\(looksSecret($0.key) ? g.masked : sanitize($0.value))" }
    lines.append(DetailLine("labels", [(labels.isEmpty ? "none" : labels.joined(separator: "  "), labels.isEmpty ? .muted : .normal)]))
    let env = spec.envNames.map(sanitize)
    lines.append(DetailLine("env", [(env.isEmpty ? "none" : env.joined(separator: "  "), env.isEmpty ? .muted : .normal),
                                    (env.isEmpty ? "" : "  (values hidden)", .muted)]))
    if !spec.networks.isEmpty {
        let named = spec.networks.map { id -> String in
            guard let n = fleet.networks[id] else { return String(id.prefix(12)) }
            return sanitize(n.name) + " (" + ([sanitize(n.driver)] + (n.encrypted ? ["encrypted"] : [])).joined(separator: ", ") + ")"
        }
        lines.append(DetailLine("networks", [(named.joined(separator: "  "), .normal)]))
    }
    if let stack = s.stack { lines.append(DetailLine("stack", [(sanitize(stack), .normal)])) }
    if !spec.secrets.isEmpty {
        lines.append(DetailLine("secrets", [(spec.secrets.map(sanitize).joined(separator: "  "), .normal)]))
    }

    let names = fleet.nodeNames
    let tasks = (fleet.tasks[s.id] ?? []).sorted { ($0.timestamp ?? .distantPast) > ($1.timestamp ?? .distantPast) }
    lines.append(DetailLine(nil, []))
    lines.append(DetailLine(nil, [("TASKS  slot  node          state      since  error", .header)]))
    for t in tasks.prefix(8) {
        let node = t.nodeID.map { names[$0] ?? String($0.prefix(12)) } ?? "-"
        let since = t.timestamp.map { formatAge(now.timeIntervalSince($0)) } ?? "-"
        let text = "       " + pad(t.slot.map(String.init) ?? "-", 4) + "  " + pad(sanitize(node), 12) + "  "
            + pad(t.state, 9) + "  " + pad(since, 5) + "  "
        let role: Role = t.isFailure ? .bad : t.state == "running" ? .ok : .muted
        lines.append(DetailLine(nil, [(text, role), (sanitize(fleet.killReason(t, service: s) ?? t.error ?? ""), .bad)]))
    }
    let events = fleet.events[s.name] ?? []
    if !events.isEmpty {
        lines.append(DetailLine(nil, []))
        lines.append(DetailLine(nil, [("EVENTS", .header)]))
        for e in events.suffix(6).reversed() {
            lines.append(DetailLine(nil, [("       " + pad(formatAge(now.timeIntervalSince(e.time)) + " ago", 9) + " ", .muted),
                                          (sanitize(e.text), e.text.contains("die") || e.text.contains("unhealthy") ? .warn : .normal)]))
        }
    }
    return lines
}

/// What the service's replicas consume against their limits, together and each; which of its nodes cannot be read
/// and why. Nothing where clawtop reads no node.
private func usageLines(_ summary: ServiceSummary, fleet: FleetState) -> [DetailLine] {
    guard let usage = summary.usage else { return [] }
    var lines: [DetailLine] = []
    if usage.replicas > 0 {
        lines.append(DetailLine("usage", usageRuns(cores: usage.cores, coreLimit: usage.coreLimit, memory: usage.memory,
                                                   memoryLimit: usage.memoryLimit, stale: usage.stale)
            + [("  \(usage.replicas) replica\(usage.replicas == 1 ? "" : "s") read", .muted)]))
    }
    let names = fleet.nodeNames, spec = summary.service.spec
    let running = (fleet.tasks[summary.service.id] ?? []).filter(\.isRunning).sorted { ($0.slot ?? 0) < ($1.slot ?? 0) }
    for task in running where usage.replicas > 1 || summary.service.mode == .global {
        guard let used = fleet.usage[task.id] else { continue }
        let label = [task.replicaLabel, task.nodeID.flatMap { names[$0] }].compactMap { $0 }.joined(separator: "@")
        lines.append(DetailLine(nil, [(String(repeating: " ", count: 10) + label + "  ", .normal)]
            + usageRuns(cores: used.cores, coreLimit: spec.cpuLimit, memory: used.memory, memoryLimit: spec.memoryLimit, stale: false)))
    }
    for node in usage.unreachable {
        lines.append(DetailLine(usage.replicas > 0 ? nil : "usage", [(node + ": no endpoint, see --node", .warn)]))
    }
    for task in running {
        guard let node = task.nodeID, case .lost(let why)? = fleet.reach[node]?.state else { continue }
        lines.append(DetailLine(nil, [("\(names[node] ?? node): stale, its daemon does not answer: \(sanitize(why))", .warn)]))
        break
    }
    return lines
}

/// The service's memory over the last hours, one cell per few minutes (its peak), newest at the right, against its
/// limit (or its own highest where it has none); a cross where the kernel killed it for memory. Then the peaks of
/// the last hour and of the whole strip. Nothing where it was neither read nor killed in those hours.
private func memoryStrip(_ summary: ServiceSummary, agent: String, fleet: FleetState, glyphs g: Glyphs, width: Int,
                         now: Date) -> [DetailLine] {
    let history = fleet.usageHistory[summary.service.name] ?? UsageHistory()
    let minutes = UsageHistory.hours * 60
    // As many cells as fit beside the peaks' words, in spans that divide the hours evenly.
    let cells = [72, 60, 45, 36, 24, 18, 12].first { $0 + 40 <= width } ?? 12
    let each = minutes / cells
    let peaks = history.peaks(count: cells, minutesEach: each, now: now)
    let limit = summary.service.spec.memoryLimit.map { $0 * Int64(max(1, summary.usage?.replicas ?? 1)) }
    let scale = Double(limit ?? peaks.compactMap { $0 }.max() ?? 1)
    let first = UsageMinute.minute(of: now) - Int64(minutes) + 1
    var killed = Set<Int>()
    for t in fleet.timeline where t.agent == agent && t.isOOMKill {
        let minute = UsageMinute.minute(of: t.time)
        if minute >= first { killed.insert(Int(minute - first) / each) }
    }
    // Nothing read and nothing killed: nothing to draw (a replica killed before its first reading still shows).
    guard !history.minutes.isEmpty || !killed.isEmpty else { return [] }
    var runs: [(String, Role)] = peaks.enumerated().map { i, peak in
        if killed.contains(i) { return (g.stripFailure, .bad) }
        guard let peak else { return (" ", .muted) }
        let share = Double(peak) / max(scale, 1)
        return (g.levelBar(share), limit != nil && share >= ServiceUsage.memoryWarning ? .bad : .ok)
    }
    var words = "  peak 1h " + (history.peakMemory(since: now.addingTimeInterval(-3_600)).map(formatBytes) ?? "-")
    words += ", \(UsageHistory.hours)h " + (history.peakMemory(since: now.addingTimeInterval(-Double(minutes) * 60)).map(formatBytes) ?? "-")
    if let limit { words += " of \(formatBytes(limit))" }
    runs.append((words, .muted))
    return [DetailLine("mem \(UsageHistory.hours)h", runs)]
}

/// "cpu 48% (96% of its limit)  mem 12 MiB of 16 MiB (75%)".
private func usageRuns(cores: Double?, coreLimit: Double?, memory: Int64, memoryLimit: Int64?, stale: Bool) -> [(String, Role)] {
    var cpu = "cpu " + (cores.map(formatCores) ?? "-")
    if let cores, let limit = coreLimit, limit > 0 { cpu += " (\(formatShare(cores / limit)) of its limit)" }
    var mem = "mem \(formatBytes(memory))"
    var memRole = Role.normal
    if let limit = memoryLimit, limit > 0 {
        let share = Double(memory) / Double(limit)
        mem += " of \(formatBytes(limit)) (\(formatShare(share)))"
        if share >= ServiceUsage.memoryWarning { memRole = .bad }
    }
    return [(cpu, stale ? .muted : .normal), ("  ", .normal), (mem, stale ? .muted : memRole)]
}

private func healthLines(_ row: AgentRow, windows: HealthWindows?, glyphs g: Glyphs, now: Date) -> [DetailLine] {
    let a = row.agent
    var lines: [DetailLine] = []
    var policy = [(a.policy ?? "not configured", Role.normal)]
    if let url = a.healthURL {
        let via = row.probe?.via.map { " via \(sanitize($0))" } ?? ""
        policy.append(("  \(sanitize(url))\(via) every \(formatDuration(a.checkInterval)), timeout \(formatDuration(a.probeTimeout))", .muted))
        policy.append((", startup \(formatDuration(a.startupTimeout)), unhealthy after \(a.maxFailures)", .muted))
        if let file = a.gatewayTokenFile { policy.append((", gateway token from \(sanitize(file))", .muted)) }
    } else {
        policy.append(("  no health URL", .muted))
    }
    lines.append(DetailLine("policy", policy))
    let h = row.history
    var checks: [(String, Role)] = []
    if let availability = h.availability {
        checks.append(("\(formatPercent(availability)) of \(h.count)", .normal))
        if let p50 = h.latencyPercentile(0.5), let p95 = h.latencyPercentile(0.95) {
            checks.append(("  p50 \(formatLatency(p50))  p95 \(formatLatency(p95))", .muted))
        }
        if let streak = h.streak { checks.append(("  \(streak.count) \(streak.ok ? "ok" : "failed") in a row", streak.ok ? .ok : .bad)) }
        if let last = h.lastFailure {
            checks.append(("  last failure \(formatAge(now.timeIntervalSince(last.time))) ago: \(sanitize(last.reason ?? "?"))", .warn))
        }
    } else if let why = row.probe?.unreachable {
        checks.append(("cannot reach the URL from here (\(sanitize(why))); use --health-url or the clawtop.health.url label", .warn))
    } else {
        checks.append(("none yet", .muted))
    }
    lines.append(DetailLine("checks", checks))
    if let windows {
        // From the history on disk: the last hour, day and week.
        var past: [(String, Role)] = []
        for (name, w) in windows.all {
            guard let availability = w.availability else { continue }
            if !past.isEmpty { past.append(("  ", .muted)) }
            past.append(("\(name) \(formatPercent(availability))", availability < 0.99 ? .warn : .normal))
            if let p95 = w.p95 { past.append((" p95 \(formatLatency(p95))", .muted)) }
        }
        if !past.isEmpty { lines.append(DetailLine("history", past)) }
    }
    // A URL that names {node}: each replica where it runs, the row's figures being the worst one's.
    for replica in row.replicas {
        let (glyph, role) = style(replica.health, glyphs: g)
        var line: [(String, Role)] = [(sanitize(replica.label), .normal), ("  \(glyph) \(replica.health.rawValue)", role)]
        if let availability = replica.history.availability {
            line.append(("  \(formatPercent(availability)) of \(replica.history.count)", .muted))
        }
        if let error = replica.lastError { line.append(("  \(sanitize(error))", .warn)) }
        line.append(("  \(sanitize(replica.url))", .muted))
        lines.append(DetailLine("replica", line))
    }
    if let said = h.lastReadiness, let readiness = said.readiness {
        lines += readinessLines(readiness, said: said, glyphs: g, now: now)
    }
    return lines
}

/// The newest readiness detail in full: what it comes to, then each failing id and each check with its message.
private func readinessLines(_ r: Readiness, said: HealthSample, glyphs g: Glyphs, now: Date) -> [DetailLine] {
    var head: [(String, Role)] = [(sanitize(r.summary), readinessRole(r))]
    let status = said.status.map { "HTTP \($0), " } ?? ""
    head.append(("  \(status)\(formatAge(now.timeIntervalSince(said.time))) ago", .muted))
    var lines = [DetailLine("readiness", head)]
    let indent = String(repeating: " ", count: 10)
    for id in r.failing {
        lines.append(DetailLine(nil, [(indent + g.bad + " ", .bad), (sanitize(id), .normal), ("  failing", .muted)]))
    }
    for check in r.checks {
        var runs: [(String, Role)] = [(indent + (check.advisory ? g.warn : g.bad) + " ", check.advisory ? .warn : .bad),
                                      (sanitize(check.name), .normal)]
        if let status = check.status { runs.append(("  " + sanitize(status), .muted)) }
        if check.advisory { runs.append(("  advisory", .muted)) }
        if let message = check.message { runs.append(("  " + sanitize(message), .normal)) }
        lines.append(DetailLine(nil, runs))
    }
    if let pending = r.pendingReason, !r.failing.contains(pending) {
        lines.append(DetailLine(nil, [(indent + g.starting + " ", .warn), ("pending: " + sanitize(pending), .normal)]))
    }
    return lines
}

/// What Warren says of the agent: its state, connections, the policy and idle timeout it runs with; or why Warren
/// cannot be heard.
private func warrenLines(_ row: AgentRow, fleet: FleetState, glyphs g: Glyphs) -> [DetailLine] {
    guard let warren = fleet.warren else { return [] }
    guard warren.isLive else {
        return [DetailLine("warren", [(warrenSummary(warren, glyphs: g), .warn),
                                      ("  " + sanitize(warren.link.problem ?? ""), .muted)])]
    }
    guard let w = row.warren else { return [DetailLine("warren", [("does not run this agent", .muted)])] }
    var runs: [(String, Role)] = [(sanitize(w.state), w.health.map { style($0, glyphs: g).1 } ?? .muted)]
    if w.isProcess {
        runs.append(("  " + [w.runtime, w.taskID.map { "task " + $0 }, w.sessionID.map { "session " + $0 }]
            .compactMap { $0 }.map(sanitize).joined(separator: "  "), .muted))
    } else {
        runs.append(("  \(w.connections) connection\(w.connections == 1 ? "" : "s")", .normal))
        let idle = w.policy == "on-demand" ? w.idleTimeout.map { ", idle \(sanitize($0))" } ?? "" : ""
        runs.append(("  \(sanitize(w.policy))" + idle, .muted))
        if !w.hostname.isEmpty { runs.append(("  " + sanitize(w.hostname), .muted)) }
    }
    if let d = row.disagreement { runs.append(("  " + sanitize(d) + ": clawtop's probe and Warren disagree", .warn)) }
    return [DetailLine("warren", runs)]
}

/// "500ms", "30s", "5m", "1h30m".
func formatDuration(_ seconds: Double) -> String {
    if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
    let s = Int(seconds.rounded())
    if s < 60 || s % 60 != 0 && s < 600 { return s < 60 ? "\(s)s" : "\(s / 60)m\(s % 60)s" }
    if s < 3600 { return "\(s / 60)m" }
    return "\(s / 3600)h" + (s % 3600 / 60 > 0 ? "\(s % 3600 / 60)m" : "")
}

private func resources(cpu: Double?, memory: Int64?) -> String? {
    var parts: [String] = []
    if let cpu, cpu > 0 { parts.append("cpu \(cpu == cpu.rounded() ? String(Int(cpu)) : String(format: "%.2f", cpu))") }
    if let memory, memory > 0 { parts.append("mem \(formatBytes(memory))") }
    return parts.isEmpty ? nil : parts.joined(separator: " ")
}

private func pad(_ s: String, _ width: Int) -> String {
    let w = displayWidth(s)
    return w >= width ? truncate(s, to: width) : s + String(repeating: " ", count: width - w)
}
