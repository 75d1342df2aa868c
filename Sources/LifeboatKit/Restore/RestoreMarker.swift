import Foundation
import Glibc
import LifeboatNative

/// The file that marks a target as holding an unfinished restore, and the lock of the restore writing
/// into it. A restore into an empty target writes files under their final names (a temporary name and
/// a rename per file would cost a large restore a fifth of its time, and there is no good copy to
/// protect), so a restore that is killed leaves files that look complete and are not; one over a tree
/// (`--force`, `--exact`) leaves each file whole, old or new, but the tree a mix of both, and its
/// temporaries. The marker is written durably before the first file and removed only once everything
/// restored is on stable storage; the restore holds an `flock` on it meanwhile, so a second restore
/// into the same target is refused while the first is alive (and may take over once it is dead).
struct RestoreMarker: Codable, Sendable {
    static let name = ".lifeboat-restore-incomplete"
    /// The prefix of the temporaries a restore writes beside files it replaces.
    static let temporaryPrefix = ".lifeboat-restore-"

    var service: String
    var backup: String
    var started: String
    var host: String
    var pid: Int32
    /// The restore began in an empty target: files under their final names may be cut short.
    var startedEmpty: Bool?

    /// The marker's path in `target` (a resolved path; empty for `/`).
    static func path(in target: [UInt8]) -> String { String(decoding: target, as: UTF8.self) + "/" + name }

    /// What a refused restore says about the marker it found.
    static func refusal(target: String, marker: RestoreMarker?) -> String {
        let what = marker.map { "a restore of \($0.service) backup \($0.backup) that started at \($0.started) on \($0.host) (pid \($0.pid))" }
            ?? "a restore"
        let state = marker?.startedEmpty == false
            ? "so the tree is a mix of files it replaced and files it had not reached yet"
            : "so files in it may be incomplete though they have their final names"
        return "restore target \(target) holds an unfinished restore: \(what) never completed (it failed, was killed, or its host "
            + "went down), \(state). Restore again with --force (or --exact) to complete it, or remove the folder"
    }
}

/// A target's marker as a refused restore reports it.
enum FoundMarker {
    /// What the marker in `target` says, if it can be read.
    static func look(in target: String) -> RestoreMarker? {
        FileManager.default.contents(atPath: "\(target)/\(RestoreMarker.name)").flatMap { try? JSONDecoder().decode(RestoreMarker.self, from: $0) }
    }

    /// The refusal when a live restore holds the target.
    static func busy(target: String, marker: RestoreMarker?) -> LifeboatError {
        let who = marker.map { "restore of \($0.service) backup \($0.backup), pid \($0.pid) on \($0.host), started \($0.started)" } ?? "restore"
        return LifeboatError(.locked, "another \(who) is writing into \(target) right now; wait until it has finished (or stop it) and run this again")
    }
}

/// The marker this restore holds, with its lock. Taken before the target is judged (so nothing can
/// change between the judgement and the writing), recorded once the restore may go ahead, removed by
/// `release` once the restore is complete and durable. Dropped without `release` (a failed restore),
/// the marker stays and the lock goes.
final class HeldRestoreMarker {
    /// An unfinished restore's marker found in the target: what it says, or nil when it cannot be read
    /// (then nothing may be assumed about it).
    struct Previous { var marker: RestoreMarker? }

    private let fd: Int32
    private let path: String
    /// The marker did not exist: this restore created it (and removes it when it gives up).
    let created: Bool
    /// The unfinished restore this one would take over, if the target was marked.
    let previous: Previous?

    /// Takes the target's marker (creating it when absent) and its lock; `.locked` when a live restore
    /// holds it.
    init(target: [UInt8]) throws {
        path = RestoreMarker.path(in: target)
        let display = target.isEmpty ? "/" : String(decoding: target, as: UTF8.self)
        while true {
            var created = true
            var fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 && errno == EEXIST {
                created = false
                fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
            }
            if fd < 0 { throw Self.failure(NativeError.posix("create", path: path), target: display, path: path) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                close(fd)
                if code == EWOULDBLOCK { throw FoundMarker.busy(target: display, marker: FoundMarker.look(in: display)) }
                throw Self.failure(NativeError.posix("lock", path: path, errno: code), target: display, path: path)
            }
            // The one who held it may have removed the file before we got the lock: start again.
            var status = stat()
            if fstat(fd, &status) == 0 && status.st_nlink == 0 {
                close(fd)
                continue
            }
            self.fd = fd
            self.created = created
            previous = created ? nil : Previous(marker: FoundMarker.look(in: display))
            return
        }
    }

    deinit { close(fd) }

    /// Writes this restore into the marker and flushes it (and its folder) before anything else is
    /// written. The new text is written over the old before the file is cut to its length, so a crash
    /// in between leaves a marker that still reads as unfinished.
    func record(_ record: BackupRecord, startedEmpty: Bool, flush: FileSystemFlush) throws {
        let marker = RestoreMarker(service: record.service, backup: record.id, started: Timestamp.format(Date()),
                                   host: ProcessInfo.processInfo.hostName, pid: getpid(),
                                   startedEmpty: startedEmpty || (previous.map { $0.marker?.startedEmpty != false } ?? false))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let display = String(path.dropLast(RestoreMarker.name.count + 1))
        do {
            let bytes = Array(try encoder.encode(marker)) + [0x0a]
            let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            guard written == bytes.count else { throw NativeError.posix("write", path: path, errno: written < 0 ? errno : ENOSPC) }
            guard ftruncate(fd, off_t(bytes.count)) == 0 else { throw NativeError.posix("write", path: path) }
            guard fsync(fd) == 0 else { throw NativeError.posix("fsync", path: path) }
            try flush.syncFolder()
        } catch {
            abandon()
            throw Self.failure(error, target: display.isEmpty ? "/" : display, path: path)
        }
    }

    /// Removes the marker (the restore is complete and durable), then lets go of the lock.
    func release(flush: FileSystemFlush) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw LifeboatError(.io, "the restore is complete, but its mark \(path) cannot be removed: \(String(cString: strerror(errno))); remove it by hand")
        }
        try flush.syncFolder()
    }

    /// Removes the marker after a failed restore removed everything it wrote.
    func discard() { unlink(path) }

    /// Gives up before writing anything: a marker this restore created goes, one it found stays.
    func abandon() { if created { unlink(path) } }

    private static func failure(_ error: any Error, target: String, path: String) -> LifeboatError {
        if let error = error as? LifeboatError { return error }
        if SpaceShortage.isOutOfSpace(error) {
            return LifeboatError(.noSpace, "cannot start the restore into \(target): "
                + SpaceShortage.describe(target, needed: nil) + "; free space there or restore to another target", cause: error)
        }
        return LifeboatError(.io, "cannot write \(path) (the mark of a restore in progress): \(error)", cause: error)
    }
}
