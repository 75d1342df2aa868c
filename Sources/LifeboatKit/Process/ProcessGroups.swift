import Glibc
import Synchronization

/// The process groups Lifeboat has started and whose leader still runs, so that a signal to Lifeboat
/// ends them before it exits (children in their own groups do not get the terminal's Ctrl-C).
public enum ProcessGroups {
    private static let groups = Mutex<Set<pid_t>>([])

    /// Runs `spawn` (which returns its status and the new pid) under the registry's lock and records
    /// the new group: `killAll` cannot run between the spawn and the registration.
    static func spawning(_ spawn: () -> (status: Int32, pid: pid_t)) -> Int32 {
        groups.withLock { groups in
            let (status, pid) = spawn()
            if status == 0 { groups.insert(pid) }
            return status
        }
    }

    /// Forgets a group whose leader has been reaped.
    static func ended(_ group: pid_t) { groups.withLock { _ = $0.remove(group) } }

    /// The groups whose leader still runs.
    static var live: Set<pid_t> { groups.withLock { $0 } }

    /// SIGKILL to every group still registered (for signal handlers, just before exiting).
    public static func killAll() {
        groups.withLock { groups in
            for group in groups { kill(-group, SIGKILL) }
        }
    }
}
