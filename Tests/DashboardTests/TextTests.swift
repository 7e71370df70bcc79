import ClawtopCore
import Screen
import Dashboard
import Testing

struct SanitizeTests {
    @Test func escapeSequencesAreRemovedWhole() {
        #expect(sanitize("a\u{1B}[2Jb") == "ab")                        // clear screen
        #expect(sanitize("\u{1B}[1;31mred\u{1B}[0m") == "red")          // colours
        #expect(sanitize("x\u{1B}]0;pwned\u{07}y") == "xy")             // window title, BEL-terminated
        #expect(sanitize("x\u{1B}]2;pwned\u{1B}\\y") == "xy")           // window title, ST-terminated
        #expect(sanitize("x\u{1B}Pdcs\u{1B}\\y") == "xy")               // DCS
        #expect(sanitize("x\u{1B}cy") == "xy")                          // RIS (full reset)
        #expect(sanitize("x\u{9B}2Jy") == "x2Jy")                       // C1 CSI dropped, the rest is inert text
    }

    @Test func controlCharactersGoTabsAndNewlinesBecomeSpaces() {
        #expect(sanitize("a\u{0}b\u{7}c\u{8}d\u{7F}e") == "abcde")
        #expect(sanitize("a\tb\nc\rd") == "a b c d")
        #expect(sanitize("abc\u{202E}def") == "abcdef")                  // bidi override
    }

    @Test func ordinaryTextIsKept() {
        #expect(sanitize("task: non-zero exit (3) ✓ é 日本") == "task: non-zero exit (3) ✓ é 日本")
    }
}

struct WidthTests {
    @Test func widths() {
        #expect(displayWidth("abc") == 3)
        #expect(displayWidth("日本") == 4)
        #expect(displayWidth("e\u{301}") == 1)       // combining accent
        #expect(displayWidth("●✗▲○│") == 5)
        #expect(displayWidth("🚀") == 2)
    }

    @Test func truncateByColumns() {
        #expect(truncate("abcdef", to: 4) == "abc…")
        #expect(truncate("abcdef", to: 6) == "abcdef")
        #expect(truncate("日本語テキスト", to: 5) == "日本…")
        #expect(truncate("abcdef", to: 4, ellipsis: "~") == "abc~")
        #expect(truncate("abc", to: 0) == "")
    }
}

struct BufferTests {
    @Test func writesAreClippedAndNeverWrap() {
        var b = Buffer(width: 5, height: 2)
        let used = b.put("hello world", x: 2, y: 0)
        #expect(used == 3)
        #expect(b.lines == ["  hel", ""])
        b.put("xyz", x: -1, y: 1)
        #expect(b.lines == ["  hel", "yz"])
        b.put("ignored", x: 0, y: 7)
        #expect(b.lines == ["  hel", "yz"])
    }

    @Test func wideCharactersTakeTwoCellsAndAreNotSplit() {
        var b = Buffer(width: 5, height: 1)
        #expect(b.put("日本語", x: 0, y: 0) == 4)     // the third would need columns 4-5
        #expect(b[1, 0] == .continuation)
        #expect(b.lines == ["日本"])
    }

    @Test func tinyBuffersDoNotCrash() {
        for (w, h) in [(0, 0), (1, 1), (1, 0), (0, 1), (3, 1)] {
            var b = Buffer(width: w, height: h)
            b.put("abc", x: 0, y: 0)
            b.fill(role: .selection, y: 0)
            #expect(b.lines.count == h)
        }
    }
}
