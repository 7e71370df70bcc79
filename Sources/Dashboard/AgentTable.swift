import ClawtopCore
import Screen
import Foundation

/// A table column: fixed or flexible width, and how readily it goes when the terminal is narrow.
struct Column {
    var title: String
    var minWidth: Int
    /// Flexible columns grow up to this (Int.max: take what is left).
    var maxWidth: Int
    /// Lower goes last: 0 is always shown.
    var priority: Int
    /// Flexible columns grow in this order (lower first), each to its `maxWidth`.
    var growth: Int
    /// Where there is room once every flexible column has its `maxWidth`, this one grows on to this (long text).
    var wideWidth: Int?
    var width = 0

    init(_ title: String, _ minWidth: Int, max maxWidth: Int? = nil, wide: Int? = nil, priority: Int, growth: Int = 0) {
        self.title = title
        self.minWidth = minWidth
        self.maxWidth = maxWidth ?? minWidth
        self.wideWidth = wide
        self.priority = priority
        self.growth = growth
    }
}

/// Widths for `columns` in `width` cells (one space between columns): the least important columns go first until
/// the rest fit; flexible ones then take what is left, in their growth order, to their maximum, then to their wide
/// width. A width of 0 hides a column.
func layout(_ columns: [Column], width: Int) -> [Column] {
    var shown = columns
    func needed() -> Int {
        let visible = shown.filter { $0.width > 0 }
        return visible.reduce(0) { $0 + $1.width } + max(0, visible.count - 1)
    }
    for i in shown.indices { shown[i].width = shown[i].minWidth }
    for priority in Set(columns.map(\.priority)).sorted(by: >) where needed() > width && priority > 0 {
        for i in shown.indices where shown[i].priority == priority { shown[i].width = 0 }
    }
    var spare = max(0, width - needed())
    let byGrowth = shown.indices.sorted { shown[$0].growth < shown[$1].growth }
    for limit in [{ $0.maxWidth }, { $0.wideWidth ?? 0 }] as [(Column) -> Int] {
        for i in byGrowth where shown[i].width > 0 && spare > 0 {
            let grow = min(spare, max(0, limit(shown[i]) - shown[i].width))
            shown[i].width += grow
            spare -= grow
        }
    }
    // Still too wide (a tiny terminal): the always-shown columns shrink from the right.
    var over = needed() - width
    for i in shown.indices.reversed() where over > 0 && shown[i].width > 0 {
        let cut = min(over, shown[i].width - 1)
        shown[i].width -= cut
        over -= cut
    }
    return shown
}

/// One line of a table: each cell truncated to its column, the hidden columns skipped.
func drawCells(_ cells: [(String, Role)], columns: [Column], x: Int, y: Int, ellipsis: String, into buf: inout Buffer) {
    var cx = x + 1
    for (column, cell) in zip(columns, cells) where column.width > 0 {
        buf.put(truncate(cell.0, to: column.width, ellipsis: ellipsis), x: cx, y: y, maxWidth: column.width, role: cell.1)
        cx += column.width + 1
    }
}

/// A table's header line: the column titles on the header's colour.
func drawHeaderLine(_ columns: [Column], x: Int, y: Int, ellipsis: String, into buf: inout Buffer) {
    drawCells(columns.map { ($0.title, .header) }, columns: columns, x: x, y: y, ellipsis: ellipsis, into: &buf)
    buf.fill(role: .header, y: y)
}

/// The agent table: one row per agent, the most urgent first. With Warren, a WARREN column gives its state.
func drawAgentTable(_ rows: [AgentRow], ui: UIState, warren: Bool = false, area: Rect, into buf: inout Buffer, now: Date) {
    let g = ui.glyphs
    // Probes that go out through the SSH host say so in CHECK ("<10s ssh").
    let relayed = rows.contains { $0.probe?.via != nil }
    // Where clawtop reads what the containers consume.
    let usage = rows.contains { $0.summary?.usage != nil }
    // Agents of several stacks: which stack each is part of.
    let stacked = Set(rows.map { $0.summary?.service.stack }).count > 1
    let columns = layout([
        Column("HEALTH", 11, priority: 0),
        Column("STACK", stacked ? 8 : 0, max: 14, priority: 11, growth: 6),
        Column("NAME", 14, max: 20, priority: 0, growth: 1),
        Column("FOR", 4, priority: 8),
        Column("HISTORY", 8, max: 30, priority: 2, growth: 3),
        Column("AVAIL", 5, priority: 3),
        Column("P95", 6, priority: 12),
        Column("CHECK", relayed ? 9 : 5, priority: 6),
        Column("DOCKER", 9, priority: 5),
        Column("WARREN", warren ? 10 : 0, priority: 5),
        Column("REPL", 5, priority: 1),
        Column("CPU", usage ? 5 : 0, priority: 5),
        Column("MEM", usage ? 9 : 0, max: 10, priority: 4, growth: 7),
        Column("RST", 3, priority: 7),
        Column("STATE", 8, priority: 9),
        Column("NODE", 10, max: 16, priority: 10, growth: 5),
        Column("IMAGE", 20, max: 36, priority: 11, growth: 4),
        Column("AGE", 4, priority: 13),
        Column("LAST ERROR", 16, max: 26, wide: 48, priority: 4, growth: 2),
    ], width: area.width - 1)

    func draw(_ cells: [(String, Role)], y: Int) {
        drawCells(cells, columns: columns, x: area.x, y: y, ellipsis: g.ellipsis, into: &buf)
    }
    drawHeaderLine(columns, x: area.x, y: area.y, ellipsis: g.ellipsis, into: &buf)
    if rows.isEmpty {
        buf.put("  no agents and no services in this swarm", x: 0, y: area.y + 1, role: .muted)
        return
    }
    let visible = max(1, area.height - 1)
    let selected = ui.selectedID.flatMap { id in rows.firstIndex { $0.id == id } } ?? 0
    // Keep the selection on screen.
    var top = min(ui.scroll, max(0, rows.count - visible))
    if selected < top { top = selected }
    if selected >= top + visible { top = selected - visible + 1 }
    let stripColumn = columns.firstIndex { $0.title == "HISTORY" }!
    let stripWidth = columns[stripColumn].width
    let stripX = area.x + 1 + columns[..<stripColumn].filter { $0.width > 0 }.reduce(0) { $0 + $1.width + 1 }
    for (i, row) in rows[top..<min(rows.count, top + visible)].enumerated() {
        let y = area.y + 1 + i
        draw(cells(for: row, glyphs: g, stripWidth: stripWidth, now: now), y: y)
        if stripWidth > 0, row.source == .probe || row.history.count > 0 {
            drawStrip(row.history, glyphs: g, x: stripX, y: y, width: stripWidth, into: &buf)
        }
        if top + i == selected { buf.fill(role: .selection, y: y) }
    }
}

/// The text and role of each column of one row, in the table's column order.
private func cells(for row: AgentRow, glyphs g: Glyphs, stripWidth: Int, now: Date) -> [(String, Role)] {
    let (glyph, role) = style(row.health, glyphs: g)
    let service = row.summary?.service
    let replicas = service.map { $0.mode == .global ? "\($0.running)/\($0.desired)*" : "\($0.running)/\($0.desired)" } ?? "-"
    // The strip itself is drawn over this cell; the text says why there is none.
    let strip: (String, Role)
    if row.probe?.unreachable != nil {
        // The reason is in LAST ERROR.
        strip = ("unreachable", .warn)
    } else if row.agent.healthURL == nil {
        strip = (row.health == .missing || row.health == .asleep ? "" : "no URL", .muted)
    } else {
        strip = ("", .muted)
    }
    let availability = row.history.availability.map(formatPercent) ?? "-"
    let check = row.probe.map { probe in
        checkAge(now.timeIntervalSince(probe.at), agent: row.agent) + (probe.via.map { " " + sanitize(String($0.prefix { $0 != " " })) } ?? "")
    } ?? "-"
    let error = row.lastError.map { sanitize($0) } ?? ""
    let errorRole: Role = error.isEmpty ? .muted : row.disagreement != nil ? .warn : row.readiness.map(readinessRole) ?? .bad
    let condition = row.summary?.condition
    let conditionRole: Role = condition.map { style($0) } ?? .muted
    return [
        ("\(glyph) \(row.health.rawValue)", role),
        (sanitize(service?.stack ?? "-"), .muted),
        (sanitize(row.agent.name), .normal),
        (row.since.map { forAge(now.timeIntervalSince($0), health: row.health) } ?? "-", .muted),
        strip,
        (availability, availabilityRole(row.history.availability)),
        (row.history.latencyPercentile(0.95).map(formatLatency) ?? "-", .muted),
        (check, .muted),
        (row.dockerHealthFromTasks && row.dockerHealth == .healthy ? "passed" : row.dockerHealth?.rawValue ?? "-", dockerRole(row.dockerHealth)),
        (row.warren.map { $0.connections > 0 ? "\($0.state) \($0.connections)" : $0.state }.map(sanitize) ?? "-",
         row.warren?.health.map { style($0, glyphs: g).1 } ?? .muted),
        (replicas, conditionRole),
        cpuCell(row.summary?.usage),
        memoryCell(row.summary?.usage),
        (String(row.restarts), row.restarts > 0 ? .warn : .muted),
        (row.summary.flatMap { s in s.updateProgress.map { "upd \($0.replaced)/\($0.of)" } } ?? condition?.word ?? "-", conditionRole),
        (row.summary?.nodes.joined(separator: ",") ?? "", .muted),
        (sanitize(shortImage(service?.image ?? "")), .muted),
        (service?.createdAt.map { formatAge(now.timeIntervalSince($0)) } ?? "-", .muted),
        (error, errorRole),
    ]
}

/// The cores in use as `docker stats` gives them (100% is one core): warm at 90% of the limit. "-" where no
/// replica could be read.
func cpuCell(_ usage: ServiceUsage?) -> (String, Role) {
    guard let usage, usage.replicas > 0, let cores = usage.cores else { return ("-", .muted) }
    if usage.stale { return (formatCores(cores), .muted) }
    return (formatCores(cores), (usage.coreFraction ?? 0) >= 0.9 ? .warn : .normal)
}

/// The working set, and its share of the limit where there is one: red from 90% (`ServiceUsage.memoryWarning`).
func memoryCell(_ usage: ServiceUsage?) -> (String, Role) {
    guard let usage, usage.replicas > 0 else { return ("-", .muted) }
    let text = shortBytes(usage.memory) + (usage.memoryFraction.map { " " + formatShare($0) } ?? "")
    if usage.stale { return (text, .muted) }
    return (text, (usage.worstMemoryFraction ?? 0) >= ServiceUsage.memoryWarning ? .bad : .normal)
}

/// "0.4%", "48%", "196%": cores as percent of one.
func formatCores(_ cores: Double) -> String {
    let percent = cores * 100
    return percent < 9.95 ? String(format: "%.1f%%", percent) : "\(Int(percent.rounded()))%"
}

/// "75%": a share of a limit, whole.
func formatShare(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded()))%" }

/// "812K", "12M", "1.2G": bytes in a cell's few characters.
func shortBytes(_ bytes: Int64) -> String {
    let units = ["B", "K", "M", "G", "T"]
    var value = Double(max(0, bytes)), unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return value < 9.95 && unit > 0 ? String(format: "%.1f%@", value, units[unit]) : "\(Int(value.rounded()))\(units[unit])"
}

/// How long the agent has been in its state: in steps of 10 s under a minute while it is not healthy (how long it
/// has been failing is what the column is for), in minutes for a healthy one, so that a table of healthy agents
/// does not rewrite every row every 10 s.
func forAge(_ age: TimeInterval, health: HealthState) -> String {
    health == .healthy && age < 60 ? "<1m" : formatCoarseAge(age)
}

/// The age of the last probe, while it is on time (within the interval and the probe's timeout) as "under the
/// interval", "<10s": a column that showed the age itself would step on every check, and every row would be
/// rewritten for it. A late probe shows its age.
func checkAge(_ age: TimeInterval, agent: AgentDefinition) -> String {
    guard age >= agent.checkInterval + agent.probeTimeout else {
        let interval = agent.checkInterval
        return interval < 60 ? "<\(Int(interval.rounded(.up)))s" : "<\(Int((interval / 60).rounded(.up)))m"
    }
    return formatCoarseAge(age)
}

/// One cell per recent sample, newest at the right: a latency bar for a healthy answer, a cross for a failure.
/// Where the gateway said it was draining or starting, the cell says that instead of a plain failure.
func drawStrip(_ history: HealthHistory, glyphs g: Glyphs, x: Int, y: Int, width: Int, into buf: inout Buffer) {
    let samples = history.recent(width)
    var cx = x + width - samples.count
    for s in samples {
        switch (s.ok, s.readiness?.phase) {
        case (_, .draining?): buf.put(g.stripDraining, x: cx, y: y, role: .warn)
        case (true, .starting?): buf.put(g.latencyBar(s.latency), x: cx, y: y, role: .warn)
        case (false, .starting?): buf.put(g.stripStarting, x: cx, y: y, role: .warn)
        case (true, _): buf.put(g.latencyBar(s.latency), x: cx, y: y, role: .ok)
        case (false, _): buf.put(g.stripFailure, x: cx, y: y, role: .bad)
        }
        cx += 1
    }
}

/// Draining and starting are expected on the way through a rollout: a warning, not an error.
func readinessRole(_ readiness: Readiness) -> Role {
    switch readiness.phase {
    case .draining, .starting: return .warn
    case .ready: return readiness.detail == .full ? .muted : .warn
    case .notReady: return .bad
    }
}

/// An image without its registry host: `ghcr.io/openclaw/agent:2026.11.2` → `openclaw/agent:2026.11.2`.
func shortImage(_ image: String) -> String {
    let parts = image.split(separator: "/", maxSplits: 1)
    guard parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" else { return image }
    return String(parts[1])
}

/// "4ms", "120ms", "1.5s", "12s".
func formatLatency(_ seconds: Double) -> String {
    if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
    if seconds < 10 { return String(format: "%.1fs", seconds) }
    return "\(Int(seconds.rounded()))s"
}

/// "100%", "99.7%", "0%".
func formatPercent(_ fraction: Double) -> String {
    if fraction >= 1 { return "100%" }
    if fraction <= 0 { return "0%" }
    return String(format: "%.1f%%", min(99.9, fraction * 100))
}

private func availabilityRole(_ a: Double?) -> Role {
    guard let a else { return .muted }
    return a >= 0.99 ? .ok : a >= 0.9 ? .warn : .bad
}

private func dockerRole(_ health: ContainerHealth?) -> Role {
    switch health {
    case .healthy?: return .ok
    case .unhealthy?: return .bad
    case .starting?: return .warn
    case nil: return .muted
    }
}

func style(_ h: HealthState, glyphs g: Glyphs) -> (String, Role) {
    switch h {
    case .healthy: return (g.ok, .ok)
    case .failing: return (g.warn, .warn)
    case .unhealthy: return (g.bad, .bad)
    case .starting: return (g.starting, .warn)
    case .missing: return (g.missing, .bad)
    case .asleep: return (g.idle, .muted)
    case .unknown: return (g.unknown, .muted)
    }
}

func style(_ c: ServiceCondition) -> Role {
    switch c {
    case .running: return .ok
    case .failing, .pending: return .bad
    case .degraded, .paused, .starting, .updating: return .warn
    case .stopped: return .muted
    }
}
