@testable import DockerEngine
import Foundation
import Testing

/// Docker's log stream: frame demultiplexing, line splitting, and the timestamp and details prefixes.
@Suite struct LogDecodingTests {

    /// One multiplexed frame: `[stream][0 0 0][uint32 big-endian length][payload]`.
    static func frame(_ stream: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
            + payload
    }

    static func frame(_ stream: UInt8, _ text: String) -> [UInt8] { frame(stream, Array(text.utf8)) }

    /// Payloads as comparable values (the decoder returns tuples).
    struct Payload: Equatable, CustomStringConvertible {
        var stream: LogStream
        var text: String
        var description: String { "\(stream):\(text.debugDescription)" }
    }

    static func payloads(_ out: [(LogStream, [UInt8])]) -> [Payload] {
        out.map { Payload(stream: $0.0, text: String(decoding: $0.1, as: UTF8.self)) }
    }

    // Captured from the daemon: a service printing "out line 43" on stdout and "err line 43" on stderr.
    static let stdoutFrame: [UInt8] = [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c] + Array("out line 43\n".utf8)
    static let stderrFrame: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c] + Array("err line 43\n".utf8)
    static let bothExpected = [Payload(stream: .stdout, text: "out line 43\n"),
                               Payload(stream: .stderr, text: "err line 43\n")]

    // MARK: - LogFrameDecoder

    @Suite struct Frames {
        @Test func realFramesGiveStdoutThenStderr() {
            var d = LogFrameDecoder(mode: .multiplexed)
            let out = d.feed(stdoutFrame + stderrFrame)
            #expect(payloads(out) == bothExpected)
            #expect(d.pendingByteCount == 0)
        }

        @Test func oneByteAtATimeGivesTheSame() {
            var d = LogFrameDecoder(mode: .multiplexed)
            var out: [(LogStream, [UInt8])] = []
            for b in stdoutFrame + stderrFrame { out += d.feed([b]) }
            #expect(payloads(out) == bothExpected)
            #expect(d.pendingByteCount == 0)
        }

        @Test func splitAtEveryPointGivesTheSame() {
            let bytes = stdoutFrame + frame(1, "") + stderrFrame
            let expected = [Payload(stream: .stdout, text: "out line 43\n"), Payload(stream: .stdout, text: ""),
                            Payload(stream: .stderr, text: "err line 43\n")]
            for split in 0...bytes.count {
                var d = LogFrameDecoder(mode: .multiplexed)
                let out = d.feed(bytes[..<split]) + d.feed(bytes[split...])
                #expect(payloads(out) == expected, "split at \(split)")
                #expect(d.pendingByteCount == 0, "split at \(split)")
            }
        }

        @Test func splitAtEveryPairOfPointsGivesTheSame() {
            let bytes = stdoutFrame + stderrFrame
            for i in 0...bytes.count {
                for j in i...bytes.count {
                    var d = LogFrameDecoder(mode: .multiplexed)
                    let out = d.feed(bytes[..<i]) + d.feed(bytes[i..<j]) + d.feed(bytes[j...])
                    #expect(payloads(out) == bothExpected, "split at \(i), \(j)")
                }
            }
        }

        @Test func zeroLengthFrameIsAnEmptyPayload() {
            var d = LogFrameDecoder(mode: .multiplexed)
            let out = d.feed([0x02, 0, 0, 0, 0, 0, 0, 0])
            #expect(payloads(out) == [Payload(stream: .stderr, text: "")])
            #expect(d.pendingByteCount == 0)
        }

        @Test func pendingCountsBytesOfAnIncompleteFrame() {
            var d = LogFrameDecoder(mode: .multiplexed)
            #expect(d.feed(stdoutFrame[..<5]).isEmpty)
            #expect(d.pendingByteCount == 5)
            #expect(d.feed(stdoutFrame[5..<11]).isEmpty)
            #expect(d.pendingByteCount == 11)
            let out = d.feed(stdoutFrame[11...] + stderrFrame[..<3])
            #expect(payloads(out) == [Payload(stream: .stdout, text: "out line 43\n")])
            #expect(d.pendingByteCount == 3)
            #expect(payloads(d.feed(stderrFrame[3...])) == [Payload(stream: .stderr, text: "err line 43\n")])
            #expect(d.pendingByteCount == 0)
        }

        @Test func lengthIsBigEndianOverAllFourBytes() {
            // 300 bytes needs the third length byte; 70000 the second.
            for size in [255, 256, 300, 70_000] {
                let payload = (0..<size).map { UInt8(ascii: "a") + UInt8($0 % 26) }
                let bytes = frame(1, payload) + frame(2, "next\n")
                #expect(Array(bytes[4..<8]) == [0, UInt8(size >> 16), UInt8((size >> 8) & 0xff), UInt8(size & 0xff)])
                var d = LogFrameDecoder(mode: .multiplexed)
                var out: [(LogStream, [UInt8])] = []
                var i = 0
                while i < bytes.count {  // reads of 1000 bytes, as a socket might deliver them
                    out += d.feed(bytes[i..<min(i + 1000, bytes.count)])
                    i += 1000
                }
                #expect(out.count == 2, "size \(size)")
                #expect(out.first?.1 == payload, "size \(size)")
                #expect(out.last.map { String(decoding: $0.1, as: UTF8.self) } == "next\n", "size \(size)")
                #expect(d.pendingByteCount == 0)
            }
        }

        @Test func manyFramesInOneReadKeepTheirOrder() {
            var bytes: [UInt8] = []
            var expected: [Payload] = []
            for i in 0..<200 {
                let stream: UInt8 = i % 3 == 0 ? 2 : 1
                bytes += frame(stream, "line \(i)\n")
                expected.append(Payload(stream: stream == 2 ? .stderr : .stdout, text: "line \(i)\n"))
            }
            var d = LogFrameDecoder(mode: .multiplexed)
            #expect(payloads(d.feed(bytes)) == expected)
            // And after all that, the decoder still works from a clean state.
            #expect(payloads(d.feed(stdoutFrame)) == [Payload(stream: .stdout, text: "out line 43\n")])
            #expect(d.pendingByteCount == 0)
        }

        @Test func rawModePassesBytesThroughAsStdout() {
            var d = LogFrameDecoder(mode: .raw)
            // Bytes that would be a frame header in multiplexed mode are text here.
            let out = d.feed(stderrFrame)
            #expect(out.count == 1)
            #expect(out.first?.0 == .stdout)
            #expect(out.first?.1 == stderrFrame)
            #expect(d.pendingByteCount == 0)
            #expect(d.feed([UInt8]()).isEmpty)
            #expect(payloads(d.feed(Array("a".utf8))) == [Payload(stream: .stdout, text: "a")])
        }
    }

    // MARK: - LogLineDecoder

    @Suite struct Lines {
        static let detailedLine = "2026-11-24T18:34:24.591299087Z com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1 out line 45\n"

        @Test func timestampsAndDetailsAreParsed() throws {
            var d = LogLineDecoder(tty: false, timestamps: true, details: true)
            let lines = d.feed(frame(1, Self.detailedLine))
            #expect(lines.count == 1)
            let line = try #require(lines.first)
            #expect(line.stream == .stdout)
            #expect(line.text == "out line 45")
            #expect(line.taskID == "t1")
            #expect(line.nodeID == "n1")
            let time = try #require(line.timestamp).timeIntervalSince1970
            let whole = try #require(ISO8601DateFormatter().date(from: "2026-11-24T18:34:24Z")).timeIntervalSince1970
            #expect(abs(time - (whole + 0.591299087)) < 1e-5)
            #expect(abs(time - 1795545264.591299) < 1e-5)
        }

        @Test func aStderrFrameGivesAStderrLine() {
            var d = LogLineDecoder(tty: false, timestamps: true, details: true)
            let lines = d.feed(frame(2, Self.detailedLine.replacingOccurrences(of: "out line", with: "err line")))
            #expect(lines.map(\.stream) == [.stderr])
            #expect(lines.map(\.text) == ["err line 45"])
        }

        @Test func aLineSplitAcrossTwoFramesIsJoined() {
            var d = LogLineDecoder(tty: false, timestamps: true, details: true)
            let bytes = Array(Self.detailedLine.utf8)
            let cut = 70  // inside the details
            #expect(d.feed(frame(1, Array(bytes[..<cut]))).isEmpty)
            let lines = d.feed(frame(1, Array(bytes[cut...])))
            #expect(lines.map(\.text) == ["out line 45"])
            #expect(lines.first?.taskID == "t1")
        }

        @Test func linesOfTheTwoStreamsAreJoinedSeparately() {
            var d = LogLineDecoder(tty: false, timestamps: false, details: false)
            var lines = d.feed(frame(1, "hello, "))
            lines += d.feed(frame(2, "warning: disk\n"))
            lines += d.feed(frame(1, "world\nsecond\n"))
            #expect(lines == [LogLine(stream: .stderr, text: "warning: disk"),
                              LogLine(stream: .stdout, text: "hello, world"),
                              LogLine(stream: .stdout, text: "second")])
        }

        @Test func everySplitOfTheByteStreamGivesTheSameLines() {
            let bytes = frame(1, Self.detailedLine) + frame(2, "2026-11-24T18:34:25Z com.docker.swarm.task.id=t2 oops\n")
            for split in 0...bytes.count {
                var d = LogLineDecoder(tty: false, timestamps: true, details: true)
                let lines = d.feed(bytes[..<split]) + d.feed(bytes[split...])
                #expect(lines.map(\.text) == ["out line 45", "oops"], "split at \(split)")
                #expect(lines.map(\.taskID) == ["t1", "t2"], "split at \(split)")
            }
        }

        @Test func withoutTimestampsTheTextIsLeftAlone() {
            var d = LogLineDecoder(tty: false, timestamps: false, details: false)
            let lines = d.feed(frame(1, "2026-11-24T18:34:24Z a=b hello\n"))
            #expect(lines == [LogLine(stream: .stdout, text: "2026-11-24T18:34:24Z a=b hello")])
        }

        @Test func aLineThatDoesNotStartWithATimeKeepsItsText() {
            var d = LogLineDecoder(tty: false, timestamps: true, details: false)
            let lines = d.feed(frame(1, "no time here\n"))
            #expect(lines == [LogLine(stream: .stdout, text: "no time here")])
        }

        @Test func ttyModeReadsRawBytesAndStripsCRLF() {
            var d = LogLineDecoder(tty: true, timestamps: false, details: false)
            let lines = d.feed(Array("first\r\nsecond\r\nthi".utf8)) + d.feed(Array("rd\r\n".utf8))
            #expect(lines == [LogLine(stream: .stdout, text: "first"), LogLine(stream: .stdout, text: "second"),
                              LogLine(stream: .stdout, text: "third")])
        }

        @Test func ttyModeWithTimestamps() throws {
            var d = LogLineDecoder(tty: true, timestamps: true, details: false)
            let lines = d.feed(Array("2026-11-24T18:32:12.5Z tty text\r\n".utf8))
            #expect(lines.map(\.text) == ["tty text"])
            let whole = try #require(ISO8601DateFormatter().date(from: "2026-11-24T18:32:12Z"))
            let time = try #require(lines.first?.timestamp)
            #expect(abs(time.timeIntervalSince(whole) - 0.5) < 1e-6)
        }

        @Test func finishReturnsTheLastLinesWithoutNewline() {
            var d = LogLineDecoder(tty: false, timestamps: false, details: false)
            #expect(d.feed(frame(1, "done\nlast words") + frame(2, "final err")).map(\.text) == ["done"])
            let rest = d.finish()
            #expect(rest.contains(LogLine(stream: .stdout, text: "last words")))
            #expect(rest.contains(LogLine(stream: .stderr, text: "final err")))
            #expect(rest.count == 2)
            #expect(d.finish().isEmpty)
        }

        @Test func finishWithNothingLeftIsEmpty() {
            var d = LogLineDecoder(tty: false, timestamps: false, details: false)
            _ = d.feed(frame(1, "complete\n"))
            #expect(d.finish().isEmpty)
        }

        @Test func invalidUTF8BecomesReplacementCharacters() {
            var d = LogLineDecoder(tty: false, timestamps: true, details: true)
            let payload = Array("2026-11-24T18:34:24Z com.docker.swarm.task.id=t1 f".utf8) + [0xff, 0xc3] + Array("o\n".utf8)
            let lines = d.feed(frame(1, payload))
            #expect(lines.count == 1)
            #expect(lines.first?.text == "f\u{FFFD}\u{FFFD}o")
            #expect(lines.first?.taskID == "t1")
        }

        @Test func invalidUTF8InRawModeToo() {
            var d = LogLineDecoder(tty: true, timestamps: false, details: false)
            let lines = d.feed([0x80, 0x41, 0x0a])
            #expect(lines.map(\.text) == ["\u{FFFD}A"])
        }
    }

    // MARK: - LineSplitter

    @Suite struct Splitter {
        static let text = Array("alpha\nbeta\r\n\ngamma\n".utf8)
        static let expected = ["alpha", "beta", "", "gamma"]

        private func strings(_ lines: [[UInt8]]) -> [String] { lines.map { String(decoding: $0, as: UTF8.self) } }

        @Test func wholeChunk() {
            var s = LineSplitter()
            #expect(strings(s.feed(Self.text)) == Self.expected)
            #expect(s.flush() == nil)
        }

        @Test func chunksSplitAnywhere() {
            for i in 0...Self.text.count {
                for j in i...Self.text.count {
                    var s = LineSplitter()
                    let lines = s.feed(Self.text[..<i]) + s.feed(Self.text[i..<j]) + s.feed(Self.text[j...])
                    #expect(strings(lines) == Self.expected, "split at \(i), \(j)")
                    #expect(s.flush() == nil)
                }
            }
        }

        @Test func crlfSplitBetweenChunks() {
            var s = LineSplitter()
            #expect(s.feed(Array("beta\r".utf8)).isEmpty)
            #expect(strings(s.feed(Array("\nnext\n".utf8))) == ["beta", "next"])
        }

        @Test func aCarriageReturnInsideALineIsKept() {
            var s = LineSplitter()
            #expect(strings(s.feed(Array("50%\r100%\n".utf8))) == ["50%\r100%"])
        }

        @Test func longLinesAreTruncatedAndTheNextLineIsWhole() {
            var s = LineSplitter(maxLineLength: 4)
            #expect(strings(s.feed(Array("abcdefgh\nxy\nwxyz\n".utf8))) == ["abcd", "xy", "wxyz"])
        }

        @Test func truncationHoldsAcrossChunks() {
            var s = LineSplitter(maxLineLength: 5)
            var lines = s.feed(Array("123".utf8))
            lines += s.feed(Array("456789".utf8))
            lines += s.feed(Array("0\nok\n".utf8))
            #expect(strings(lines) == ["12345", "ok"])
        }

        @Test func flushReturnsTheRestOnce() {
            var s = LineSplitter()
            #expect(strings(s.feed(Array("one\ntwo".utf8))) == ["one"])
            #expect(s.flush().map { String(decoding: $0, as: UTF8.self) } == "two")
            #expect(s.flush() == nil)
            // After a flush the splitter starts over.
            #expect(strings(s.feed(Array("three\n".utf8))) == ["three"])
        }
    }
}
