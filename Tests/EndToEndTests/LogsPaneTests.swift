import Foundation
import Testing
import TestSupport

/// The logs pane, the way an operator uses it: the real binary in tmux against a service that prints.
@Suite(.enabled(if: TestDocker.shouldRun)) struct LogsPaneTests {
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
            let screen = try await tmux.waitFor("hello ", timeout: 20)
            try await tmux.waitFor("evil ")
            // Drawn inert: the header is still there (nothing cleared the screen) and the title is not the line's.
            #expect(screen.contains("clawtop"))
            let title = try await tmux.tmux(["display", "-p", "-t", tmux.session, "#{pane_title}"])
            #expect(!title.contains("pwned"), "the pane title became \(title)")
            await #expect(!(try tmux.screen()).contains("pwned"), "the escape's payload is removed with it")
            // Paused, new lines do not move the view; G follows again.
            try tmux.literal("f")
            try await tmux.waitFor("paused")
            try tmux.literal("G")
            try await tmux.waitFor("following")
            try tmux.keys("Escape")
            try await tmux.waitFor("HEALTH")
            try tmux.keys("q")
            try await tmux.waitFor("exit=0")
        }
    }
}
