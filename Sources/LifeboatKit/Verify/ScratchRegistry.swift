import Foundation
import Glibc
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

/// Creates a private scratch folder (`prefix-XXXXXX`, mode 0700) in `parent` (default `$TMPDIR` or
/// `/tmp`) and registers it, so a signal removes it too. Pair with `removeScratchFolder`.
func makeScratchFolder(prefix: String, in parent: String? = nil) throws -> String {
    let parent = parent ?? ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    var template = Array("\(parent)/\(prefix)-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw LifeboatError(.io, "cannot create a scratch folder in \(parent): \(String(cString: strerror(errno))); set TMPDIR to a writable folder")
    }
    let path = String(cString: made)
    ScratchRegistry.add(path)
    return path
}

/// Removes a scratch folder made by `makeScratchFolder` and forgets it.
func removeScratchFolder(_ path: String) {
    try? removeTree(Array(path.utf8))
    ScratchRegistry.remove(path)
}
