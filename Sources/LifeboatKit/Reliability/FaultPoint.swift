import Foundation
import Glibc
import Synchronization

/// Named places where a debug build can be made to die on purpose, so that tests prove a crash at
/// every step of a backup, prune, record write or catalog rebuild leaves the repository consistent.
///
/// `LIFEBOAT_FAULT=NAME` kills the process (SIGKILL: no cleanup, no buffered writes) the first time it
/// reaches NAME; `NAME@N` the N-th time (objects are committed one after another through the same
/// point); `LIFEBOAT_FAULT_MODE=abort` makes it `abort()` instead, and `LIFEBOAT_FAULT_MODE=pause:SECONDS`
/// makes it sleep there and go on (to line up two processes in a race test). Release builds compile
/// this out and ignore the variables.
enum FaultPoint: String, CaseIterable, Sendable {
    /// An object's bytes are written and synced, not yet renamed to its final name.
    case objectBeforeRename = "object.before-rename"
    /// An object was renamed to its final name; its folder is not synced yet.
    case objectAfterRename = "object.after-rename"
    /// Every data archive and the manifest of a backup are committed; `backup.json` is not.
    case backupBeforeCommit = "backup.before-commit"
    /// `backup.json` is committed; the catalog does not know the backup yet.
    case backupAfterCommit = "backup.after-commit"
    /// Prune decided what to remove and removed nothing yet.
    case pruneBeforeDelete = "prune.before-delete"
    /// A backup's `backup.json` is gone, the rest of its folder not yet.
    case pruneMidDelete = "prune.mid-delete"
    /// Every removed folder is gone; the catalog still lists the backups.
    case pruneAfterDelete = "prune.after-delete"
    /// Inside the catalog rebuild's transaction, after the old rows were deleted.
    case catalogRebuildMid = "catalog.rebuild-mid"
    /// A copy is about to write the next object of a backup into the target (reached once per object).
    case copyMidObjects = "copy.mid-objects"
    /// Every object of a copied backup is in the target and checked; its `backup.json` is not.
    case copyBeforeCommit = "copy.before-commit"
    /// `run-due` decided that a service's backup is due and has not asked for its lock yet.
    case runDueBeforeLock = "run-due.before-lock"
    /// A reader (restore, verify, export, copy) holds its reader lease and has not read anything yet.
    case readerAfterLease = "reader.after-lease"

    #if DEBUG
    private static let armed: (point: String, count: Int)? = {
        guard let value = ProcessInfo.processInfo.environment["LIFEBOAT_FAULT"], !value.isEmpty else { return nil }
        let parts = value.split(separator: "@", maxSplits: 1)
        return (String(parts[0]), parts.count == 2 ? Int(parts[1]) ?? 1 : 1)
    }()
    private static let hits = Mutex(0)
    #endif

    /// Dies here when this point is armed and its count is reached; otherwise does nothing.
    func reach() {
        #if DEBUG
        guard let armed = Self.armed, armed.point == rawValue else { return }
        let count = Self.hits.withLock { hits -> Int in
            hits += 1
            return hits
        }
        guard count == armed.count else { return }
        let mode = ProcessInfo.processInfo.environment["LIFEBOAT_FAULT_MODE"] ?? ""
        if mode == "abort" { abort() }
        if mode.hasPrefix("pause:") {
            Thread.sleep(forTimeInterval: Double(mode.dropFirst("pause:".count)) ?? 1)
            return
        }
        kill(getpid(), SIGKILL)
        #endif
    }
}
