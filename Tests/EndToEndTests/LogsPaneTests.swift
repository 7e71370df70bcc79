import Foundation
import Testing
import TestSupport

/// The logs pane, the way an operator uses it: the real binary in tmux against a service that prints.
@Suite(.enabled(if: TestDocker.shouldRun)) struct LogsPaneTests {
    /// The numbers of the "hello N" lines on screen, top to bottom.
    static func hellos(in screen: String) -> [Int] {
        screen.matches(of: /hello (\d+)/).compactMap { Int($0.output.1) }
    }

    /// N in the title's "paused, N new".
    static func newCount(in screen: String) -> Int? {
        screen.firstMatch(of: /paused, (\d+) new/).flatMap { Int($0.output.1) }
    }

    @Test func showsWhatTheServicePrintsAndDrawsEscapeSequencesInert() async throws {
        // Each second: a plain line, and one that would clear the screen and set the window title if drawn raw.
        let command = "i=0; while true; do echo \"hello $i\"; printf '\\033]0;pwned\\007\\033[2Jevil %s\\n' $i >&2; i=$((i+1)); sleep 1; done"
        try await TestDocker.withService("logs", command: command) { name in
            let tmux = try Tmux(width: 100, height: 24, environment: ["LANG": "C.UTF-8", "TERM": "tmux-256color",
                                                                      "DOCKER_HOST": try TestDocker.requireHost()])
            defer { tmux.kill() }
            try tmux.type("clear; \(try clawtopBinary()) --all; echo \"exit=$?\"")
            try await tmux.waitFor(name)
            try tmux.literal("/\(name)")
            try tmux.keys("Enter")
            try tmux.literal("l")
            try await tmux.waitFor("logs: \(name)")
            try await tmux.waitFor("hello ", timeout: 20)
            // A screen with the line that would have cleared it.
            let screen = try await tmux.waitFor("evil ")
            // Drawn inert: the header is still there (nothing cleared the screen) and the title is not the line's.
            #expect(screen.contains("clawtop"))
            let title = try await tmux.tmux(["display", "-p", "-t", tmux.session, "#{pane_title}"])
            #expect(!title.contains("pwned"), "the pane title became \(title)")
            await #expect(!(try tmux.screen()).contains("pwned"), "the escape's payload is removed with it")
            // Paused, new lines do not move the view: the same lines on screen after three more have come (the title
            // counts them). G follows again: lines newer than any shown while paused.
            // A full pane first (the first lines scrolled off), so that a view that moved would show other lines.
            try await TestDocker.waitUntil("the pane full", timeout: 60) { (Self.hellos(in: try await tmux.screen()).first ?? 0) > 0 }
            try tmux.literal("f")
            let paused = Self.hellos(in: try await tmux.waitFor("paused"))
            #expect(!paused.isEmpty)
            let later = try await tmux.waitFor("new", timeout: 20)
            var moreCame = later
            try await TestDocker.waitUntil("three new lines while paused", timeout: 20) {
                moreCame = try await tmux.screen()
                return Self.newCount(in: moreCame) ?? 0 >= 3
            }
            #expect(Self.hellos(in: moreCame) == paused, "the paused view moved: \(paused) then \(Self.hellos(in: moreCame))")
            try tmux.literal("G")
            try await tmux.waitFor("following")
            try await TestDocker.waitUntil("newer lines in view", timeout: 20) {
                (Self.hellos(in: try await tmux.screen()).max() ?? 0) > (paused.max() ?? 0) + 2
            }
            try tmux.keys("Escape")
            try await tmux.waitFor("HEALTH")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }
}
