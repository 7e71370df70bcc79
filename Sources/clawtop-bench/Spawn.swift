import Foundation

/// Starts a program with `actions` on its file descriptors, with every signal unblocked and at its default: the
/// bench's threads (Dispatch's among them) block signals, and a spawned child would inherit that mask and never
/// see the SIGTERM meant to stop it.
func spawn(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
           actions: UnsafePointer<posix_spawn_file_actions_t>?, newSession: Bool = false) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t(), all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    // POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK, and POSIX_SPAWN_SETSID (glibc's values; Swift does not import them).
    posix_spawnattr_setflags(&attributes, Int16(0x04 | 0x08 | (newSession ? 0x80 : 0)))
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { env in env.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { (argv + (envp ?? [])).forEach { free($0) } }
    var pid: pid_t = 0
    let rc = envp.map { posix_spawn(&pid, path, actions, &attributes, argv, $0) } ?? posix_spawn(&pid, path, actions, &attributes, argv, environ)
    guard rc == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(rc)))") }
    return pid
}
