import Synchronization

/// Scratch folders in use by this process, so a signal handler can remove them before the process
/// exits: a verification interrupted by SIGINT leaves no restored copy behind.
public enum ScratchRegistry {
    private static let folders = Mutex<Set<String>>([])

    static func add(_ path: String) { folders.withLock { _ = $0.insert(path) } }
    static func remove(_ path: String) { folders.withLock { _ = $0.remove(path) } }

    /// Removes every registered scratch folder (for signal handlers, just before exiting).
    public static func removeAll() {
        for path in folders.withLock({ $0 }) { try? removeTree(Array(path.utf8)) }
    }
}
