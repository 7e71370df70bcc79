import ClawtopCore
import Foundation
import Testing

struct LogBufferTests {
    let t0 = Date(timeIntervalSince1970: 1_795_545_132)

    func line(_ i: Int, _ text: String? = nil, stream: LogStreamKind = .stdout) -> LogEntry {
        LogEntry(time: t0.addingTimeInterval(Double(i)), stream: stream, replica: "1", text: text ?? "line \(i)")
    }

    @Test func isABoundedRingOldestFirst() {
        var logs = LogBuffer(capacity: 3)
        #expect(logs.isEmpty && logs.count == 0 && logs.entries.isEmpty)
        logs.append(line(0))
        logs.append(contentsOf: (1..<5).map { line($0) })
        #expect(logs.count == 3)
        #expect(logs.entries.map(\.text) == ["line 2", "line 3", "line 4"])
        #expect((0..<logs.count).map { logs[$0].text } == ["line 2", "line 3", "line 4"])
        #expect(LogBuffer().capacity == 5_000)
    }

    @Test func countsWhatWasAppendedAndDropped() {
        var logs = LogBuffer(capacity: 3)
        logs.append(contentsOf: (0..<2).map { line($0) })
        #expect(logs.appendedTotal == 2 && logs.dropped == 0 && logs.firstSequence == 0)
        logs.append(contentsOf: (2..<7).map { line($0) })
        #expect(logs.appendedTotal == 7 && logs.dropped == 4 && logs.firstSequence == 4)
        // Clearing empties the ring but numbering goes on, so remembered positions never point at a newer line.
        logs.clear()
        #expect(logs.isEmpty && logs.appendedTotal == 7 && logs.firstSequence == 7 && logs.dropped == 4)
        logs.append(line(7))
        #expect(logs.entries.map(\.text) == ["line 7"] && logs.firstSequence == 7)
    }

    @Test func findsTheFirstLineSinceATime() {
        var logs = LogBuffer(capacity: 4)
        logs.append(contentsOf: (0..<6).map { line($0) }) // holds 2, 3, 4, 5
        logs.append(LogEntry(time: nil, text: "no time"))  // holds 3, 4, 5, no time
        #expect(logs.firstIndex(since: t0.addingTimeInterval(4)) == 1)
        #expect(logs.firstIndex(since: t0.addingTimeInterval(4.5)) == 2)
        #expect(logs.firstIndex(since: t0) == 0)
        #expect(logs.firstIndex(since: t0.addingTimeInterval(99)) == nil)
        #expect(LogBuffer().firstIndex(since: t0) == nil)
    }

    @Test func matchesIgnoreCaseAndAnEmptyQueryMatchesNothing() {
        var logs = LogBuffer()
        logs.append(contentsOf: [line(0, "GET /health 200"), line(1, "ERROR: boom", stream: .stderr),
                                 line(2, "an error again"), line(3, "Ünïcode ERRör")])
        #expect(logs.matches("error") == [1, 2])
        #expect(logs.matches("ERROR") == [1, 2])
        #expect(logs.matches("ünïcode errÖr") == [3])
        #expect(logs.matches("") == [])
        #expect(logs.matches("nowhere") == [])
        #expect(logs.matches(String(repeating: "error ", count: 20)) == [])
    }

    @Test func matchIndexesFollowTheRingAfterDrops() {
        var logs = LogBuffer(capacity: 2)
        logs.append(contentsOf: [line(0, "x"), line(1, "y"), line(2, "x")])
        #expect(logs.entries.map(\.text) == ["y", "x"])
        #expect(logs.matches("x") == [1])
    }
}
