import ClawtopCore
import Foundation
import Testing

struct HealthHistoryTests {
    func sample(_ i: Int, ok: Bool, latency: Double? = nil, reason: String? = nil) -> HealthSample {
        HealthSample(time: t0.addingTimeInterval(Double(i)), ok: ok, latency: latency, reason: reason)
    }

    @Test func isAFixedSizeRingOldestFirst() {
        var h = HealthHistory(capacity: 3)
        for i in 0..<5 { h.append(sample(i, ok: true, latency: Double(i))) }
        #expect(h.count == 3)
        #expect(h.samples.map(\.latency) == [2, 3, 4])
        #expect(h.latest?.latency == 4)
        #expect(h.recent(2).map(\.latency) == [3, 4])
        #expect(h.recent(10).count == 3)
        #expect(HealthHistory().capacity == 720)
    }

    @Test func derivesAvailabilityStreakAndLastFailure() {
        var h = HealthHistory(capacity: 10)
        #expect(h.availability == nil && h.streak == nil && h.lastFailure == nil)
        for i in 0..<6 { h.append(sample(i, ok: true, latency: 0.01)) }
        h.append(sample(6, ok: false, reason: "HTTP 500"))
        h.append(sample(7, ok: false, reason: "refused"))
        #expect(h.availability == 0.75)
        #expect(h.streak?.count == 2 && h.streak?.ok == false)
        #expect(h.consecutiveFailures == 2)
        #expect(h.lastFailure?.reason == "refused")
        #expect(h.streakStart == t0.addingTimeInterval(6))
        h.append(sample(8, ok: true, latency: 0.02))
        #expect(h.consecutiveFailures == 0)
        #expect(h.streakStart == t0.addingTimeInterval(8))
        #expect(h.lastFailure?.reason == "refused")
    }

    /// The figures are kept as samples come and go; they must equal what the samples in the ring say.
    @Test func keptFiguresMatchTheRingAfterItWraps() {
        var h = HealthHistory(capacity: 50)
        for k in 0..<173 {
            let ok = k % 7 != 3
            h.append(HealthSample(time: t0.addingTimeInterval(Double(k)), ok: ok, latency: k % 11 == 0 ? nil : Double((k * 37) % 23) / 100))
            let samples = h.samples
            #expect(h.availability == Double(samples.filter(\.ok).count) / Double(samples.count))
            let latencies = samples.compactMap(\.latency).sorted()
            for p in [0.5, 0.95] {
                guard !latencies.isEmpty else {
                    #expect(h.latencyPercentile(p) == nil)
                    continue
                }
                let rank = Int((p * Double(latencies.count)).rounded(.up))
                #expect(h.latencyPercentile(p) == latencies[min(latencies.count - 1, max(0, rank - 1))])
            }
            #expect(h.recent(8) == Array(samples.suffix(8)))
            for back in 0...3 {
                let since = t0.addingTimeInterval(Double(k - back))
                #expect(h.failuresInARow(since: since) == samples.reversed().prefix { !$0.ok && $0.time >= since }.count)
            }
        }
    }

    /// Reasons are kept once each, and dropped when no sample refers to them: every sample still has its own.
    @Test func everySampleKeepsItsReasonPastManyDistinctOnes() {
        var h = HealthHistory(capacity: 40)
        for k in 0..<1500 {
            h.append(HealthSample(time: t0.addingTimeInterval(Double(k)), ok: k % 3 == 0, status: k % 3 == 0 ? 200 : 500,
                                  reason: k % 3 == 0 ? nil : "HTTP 500 #\(k % 700)"))
            #expect(h.latest?.reason == (k % 3 == 0 ? nil : "HTTP 500 #\(k % 700)"))
        }
        #expect(h.samples.map(\.reason) == (1460..<1500).map { $0 % 3 == 0 ? nil : "HTTP 500 #\($0 % 700)" })
        #expect(h.samples.map(\.status) == (1460..<1500).map { $0 % 3 == 0 ? 200 : 500 })
        #expect(h.lastFailure?.reason == "HTTP 500 #\(1499 % 700)")
    }

    @Test func latencyPercentilesUseAnsweredSamplesOnly() {
        var h = HealthHistory(capacity: 100)
        for i in 1...20 { h.append(sample(i, ok: true, latency: Double(i) / 100)) }
        h.append(sample(21, ok: false)) // no answer, no latency
        #expect(h.latencyPercentile(0.5) == 0.10)
        #expect(h.latencyPercentile(0.95) == 0.19)
        #expect(HealthHistory().latencyPercentile(0.5) == nil)
    }
}

struct HealthStateTests {
    let now = t0.addingTimeInterval(1000)

    func history(_ oks: [Bool], from start: Date) -> HealthHistory {
        var h = HealthHistory()
        for (i, ok) in oks.enumerated() { h.append(HealthSample(time: start.addingTimeInterval(Double(i)), ok: ok)) }
        return h
    }

    func state(_ h: HealthHistory, exists: Bool = true, desired: Int = 1, started: Date? = nil,
               startup: Double = 60, maxFailures: Int = 3) -> HealthState {
        healthState(history: h, serviceExists: exists, desiredReplicas: desired, taskStartedAt: started,
                    startupTimeout: startup, maxFailures: maxFailures, now: now)
    }

    @Test func missingAndAsleepComeFirst() {
        #expect(state(history([false], from: t0), exists: false) == .missing)
        #expect(state(history([false, false, false], from: t0), desired: 0) == .asleep)
    }

    @Test func failuresInsideTheStartupGraceAreStarting() {
        let started = now.addingTimeInterval(-10)
        #expect(state(history([false, false, false, false], from: started), started: started) == .starting)
        #expect(state(HealthHistory(), started: started) == .starting)
        #expect(state(HealthHistory(), started: now.addingTimeInterval(-100)) == .unknown)
    }

    @Test func unhealthyAtExactlyMaxFailures() {
        let started = t0
        #expect(state(history([true, false], from: now.addingTimeInterval(-10)), started: started) == .failing)
        #expect(state(history([true, false, false], from: now.addingTimeInterval(-10)), started: started) == .failing)
        #expect(state(history([true, false, false, false], from: now.addingTimeInterval(-10)), started: started) == .unhealthy)
        #expect(state(history([false, false, false, true], from: now.addingTimeInterval(-10)), started: started) == .healthy)
    }

    @Test func failuresOfAnEarlierTaskDoNotCount() {
        // Two failures before a restart, one after: failing, not unhealthy.
        let restarted = now.addingTimeInterval(-100)
        var h = history([false, false], from: restarted.addingTimeInterval(-5))
        h.append(HealthSample(time: restarted.addingTimeInterval(70), ok: false))
        #expect(state(h, started: restarted) == .failing)
    }
}
