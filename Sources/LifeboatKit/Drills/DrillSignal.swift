import Glibc

/// A drill's `stop:` injection: signals the process named in a pidfile inside the target, but only a
/// process that belongs to the drill. A pidfile restored from a backup holds a production pid, and
/// "production is never touched" must hold even then.
enum DrillSignal {
    /// Signals the process whose pid is on the first line of `full` (`written` in the drill file) when
    /// it is in a process group the drill started (`groups`: its setup and inject commands) or its
    /// root or working folder lies inside `target`; anything else is refused.
    static func stop(pidFile written: String, at full: String, signal: Int32, target: String, groups: Set<pid_t>) throws -> String {
        guard let text = try? String(contentsOfFile: full, encoding: .utf8),
              let pid = text.split(separator: "\n").first.flatMap({ pid_t($0.trimmingCharacters(in: .whitespaces)) }), pid > 1 else {
            throw LifeboatError(.usage, "no process id in \(written); is the process running in the target?")
        }
        var reason = ""
        let status = try ProcessIdentity.signal(pid, signal) { process in
            if groups.contains(process.group) {
                reason = "started by the drill"
            } else if process.lives(inside: target) {
                reason = "running inside the target"
            } else {
                throw refusal(process, pidFile: written, target: target)
            }
        }
        if status == ESRCH {
            throw LifeboatError(.usage, "no process \(pid) (from \(written)) is running; start it in the drill's `target.setup`")
        }
        guard status == 0 else {
            throw LifeboatError(.io, "cannot signal process \(pid) from \(written): \(String(cString: strerror(status)))")
        }
        return "sent signal \(signal) to process \(pid) (\(reason))"
    }

    private static func refusal(_ process: ProcessIdentity, pidFile: String, target: String) -> LifeboatError {
        let folder = process.workingFolder ?? "unreadable"
        let root = process.root ?? "unreadable"
        return LifeboatError(.usage, "refused to signal process \(process.pid) named in \(pidFile): the drill did not start it "
            + "(its process group \(process.group) is none of the drill's) and neither its working folder (\(folder)) nor its root "
            + "(\(root)) is inside the drill target \(target), so it may be a production process (a pidfile restored from a backup "
            + "holds production's pid); start the process to stop in the drill's `target.setup`, inside the target")
    }
}
