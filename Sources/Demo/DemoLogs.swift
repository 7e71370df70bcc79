import ClawtopCore
import Foundation

/// The demo's log lines: each running task prints what an OpenClaw gateway prints, at times fixed by the task and
/// the clock, so a line is the same whenever it is asked for (a reconnect gets no new version of old lines).
extension DemoWorld {
    /// The lines of a service up to `until`, as a service's log gives them: per task, the last `tail` lines, or
    /// every line from `since` on; oldest first within a task.
    func logLines(_ ref: String, since: Date?, tail: Int?, until: Date) -> [LogEntry] {
        guard let s = index(of: ref) else { return [] }
        let service = services[s]
        var result: [LogEntry] = []
        for task in service.tasks {
            guard let running = task.runningAt else { continue }
            let end = min(task.endedAt ?? until, until)
            if let since {
                // A follower catching up: bounded, as a stream would be by what it missed.
                result += lines(of: task, in: service, from: max(since, running, end - 3600), to: end)
            } else {
                let wanted = tail ?? 200
                var lookback = Double(wanted) * 8
                var found: [LogEntry]
                repeat {
                    found = lines(of: task, in: service, from: max(running, end - lookback), to: end)
                    lookback *= 4
                } while found.count < wanted && end - lookback / 4 > running && lookback < 86_400
                result += found.suffix(wanted)
            }
        }
        return result
    }

    /// The lines `task` printed in [from, to).
    private func lines(of task: DemoTask, in service: DemoService, from: Date, to: Date) -> [LogEntry] {
        guard from < to, let running = task.runningAt else { return [] }
        let name = service.info.name
        var out: [LogEntry] = []
        func emit(_ time: Date, _ text: String, _ stream: LogStreamKind = .stdout) {
            if time >= from && time < to { out.append(LogEntry(time: time, stream: stream, taskID: task.info.id, text: text)) }
        }
        let agent = service.agent
        let boot = agent?.boot ?? 2
        // Starting up.
        let version = service.info.image.split(separator: ":").last.map(String.init) ?? "latest"
        if agent != nil {
            emit(running + 0.25, "[gateway] OpenClaw \(version) starting (node v22.11.0, pid 1)")
            emit(running + 0.5, "[config] loaded /home/node/.openclaw/openclaw.json (3 channels, 14 tools)")
            emit(running + 0.75, "[secrets] read /run/secrets/anthropic_api_key, /run/secrets/openclaw_gateway_token")
            if case .slowStarter? = agent?.behaviour {
                emit(running + 1, "[skills] indexing 1,204 documents for retrieval…")
            }
            emit(running + boot, "[gateway] listening on 127.0.0.1:18789, health on :18789/health")
        } else {
            emit(running + 0.25, "[warren] \(name) \(version) up")
        }
        // A crash-looping task's exit is known from its start, so its last words are too.
        if case .crashLooping? = agent?.behaviour, let end = task.endedAt ?? task.due {
            emit(end - 0.5, "Error: no model provider available after 5 attempts", .stderr)
            emit(end - 0.5 + 1.0 / 16, "    at ModelRouter.ensureReady (/app/dist/agents/router.js:214:11)", .stderr)
            emit(end - 0.5 + 2.0 / 16, "    at async Gateway.start (/app/dist/gateway/server.js:88:5)", .stderr)
            emit(end - 0.25, "[gateway] exiting with code 1")
        }
        // Then what it does, second by second.
        let first = Int(max(from, running + boot + 1).timeIntervalSince(origin).rounded(.down))
        let last = Int(min(to, task.endedAt ?? to).timeIntervalSince(origin).rounded(.up))
        guard first <= last else { return out }
        for j in first...last {
            let at = origin + Double(j) + (noise(name, j, "at") * 16).rounded(.down) / 16
            if let (stream, text) = line(for: agent, service: name, second: j, at: at) { emit(at, text, stream) }
        }
        return out
    }

    /// The line printed in second `j`, if any.
    private func line(for agent: DemoAgent?, service name: String, second j: Int, at: Date) -> (LogStreamKind, String)? {
        let roll = noise(name, j, "log")
        func pick<T>(_ items: [T], _ salt: String) -> T { items[Int(noise(name, j, salt) * Double(items.count))] }
        guard let agent else {
            guard roll < 0.2 else { return nil }
            return (.stdout, "[warren] GET /admin/agents 200 \(1 + Int(roll * 40))ms")
        }
        switch agent.behaviour {
        case .crashLooping:
            guard j % 4 == 0 else { return nil }
            return (.stderr, "[model] anthropic: 401 invalid x-api-key (request req_\(String(format: "%06x", j & 0xffffff))), retrying")
        case .flapping where flappingPhase(at: at) >= 100:
            guard roll < 0.5 else { return nil }
            return (.stderr, "[telegram] getUpdates failed: ETIMEDOUT api.telegram.org, channel not ready, retrying in 10s")
        case .rollingOut(let cycle, let drain) where draining(at: at, cycle: cycle, drain: drain):
            guard roll < 0.3 else { return nil }
            return (.stdout, "[gateway] draining: update in progress, finishing \(1 + j % 3) runs, refusing new work")
        case .dockerHealthOnly:
            guard roll < 0.2 else { return nil }
            return (.stdout, pick(["[imap] fetched \(1 + Int(roll * 20)) new messages from ops@",
                                   "[sort] message → invoices (0.9\(j % 10))",
                                   "[sort] message → support (0.8\(j % 10))"], "mail"))
        default:
            // Conversations in blocks of seven seconds: a message, a run with its tools, the reply. Between them, now
            // and then, a connection, a compaction or a rate limit.
            let block = j / 7, busy = noise(name, block, "busy") < 0.45
            let channel = ["slack #\(agent.team)", "telegram", "discord #ops", "email", "webhook /hooks/\(agent.name)"][
                Int(noise(name, block, "channel") * 5)]
            let run = String(format: "%06x", Int(noise(name, block, "run") * 16_777_215))
            let ms = agent.behaviour == .slow ? 900 + Int(roll * 6000) : 40 + Int(roll * 900)
            let tool = pick(["web_fetch", "browser.open", "exec", "read_file", "memory_search"], "tool")
            guard busy else {
                guard roll < 0.08 else { return nil }
                return pick([(.stdout, "\u{1B}[2m[ws]\u{1B}[22m client connected from 10.0.9.\(2 + j % 200)"),
                             (.stdout, "[memory] compacted session \(agent.team): \(30 + j % 20) → 12 messages"),
                             (.stderr, "[model] 429 rate limited by provider, retrying in 2s (attempt 1/5)")], "quiet")
            }
            switch j % 7 {
            case 0: return (.stdout, "[gateway] ← \(channel): message from U0\(Int(noise(name, block, "user") * 90) + 10)QJ7 (\(20 + Int(noise(name, block, "len") * 600)) chars)")
            case 1: return (.stdout, "[agent] run \(run) started (model anthropic/claude-sonnet-4-5, session \(agent.team))")
            case 5: return (.stdout, "[agent] run \(run) done (in \(800 + Int(noise(name, block, "in") * 9000)) tok, out \(60 + Int(noise(name, block, "out") * 900)) tok)")
            case 6: return (.stdout, "[gateway] → \(channel): reply sent")
            default: return roll < 0.6 ? (.stdout, "[tools] \(tool) → ok in \(ms)ms") : nil
            }
        }
    }
}
