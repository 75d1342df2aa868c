import Foundation
import Glibc
import LifeboatNative
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

/// Creates a private scratch folder (`prefix-HOST-PIDNS-PID-XXXXXX`, mode 0700) in `parent` (default `$TMPDIR`
/// or `/tmp`) and registers it, so a signal removes it too. Pair with `removeScratchFolder`. Folders of
/// the same prefix left by processes of this host that are gone (killed with SIGKILL, out of memory) are
/// removed first: otherwise each one would keep its restored copy, until the scratch disk is full.
func makeScratchFolder(prefix: String, in parent: String? = nil) throws -> String {
    let parent = parent ?? ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    // Host and PID namespace: a pid is only known dead in the namespace it was seen in.
    let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || "._-".contains($0) }
    let namespace = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid"))?.filter(\.isNumber) ?? "0"
    removeStaleScratchFolders(prefix: "\(prefix)-\(host)-\(namespace)-", in: parent)
    var template = Array("\(parent)/\(prefix)-\(host)-\(namespace)-\(getpid())-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        let cause = NativeError.posix("mkdtemp", path: parent)
        throw LifeboatError(.io, "cannot create a scratch folder in \(parent): \(cause.message); choose another folder (--scratch, or TMPDIR)", cause: cause)
    }
    let path = String(cString: made)
    ScratchRegistry.add(path)
    return path
}

/// Removes `parent/PREFIX-PID-*` folders whose process no longer runs.
private func removeStaleScratchFolders(prefix: String, in parent: String) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
        let rest = name.dropFirst(prefix.count)
        guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0, pid != getpid() else { continue }
        if kill(pid, 0) != 0 && errno == ESRCH { try? removeTree(Array("\(parent)/\(name)".utf8)) }
    }
}

/// Removes a scratch folder made by `makeScratchFolder` and forgets it.
func removeScratchFolder(_ path: String) {
    try? removeTree(Array(path.utf8))
    ScratchRegistry.remove(path)
}
