import Foundation
import Glibc
import LifeboatNative

/// The file that marks a target as holding an unfinished restore. A restore into an empty target
/// writes files under their final names (a temporary name and a rename per file would cost a large
/// restore a fifth of its time, and there is no good copy to protect), so a restore that is killed
/// leaves files that look complete and are not. The marker is written durably before the first file
/// and removed only once everything restored is on stable storage; a later restore refuses a marked
/// target unless told to write over it (`--force`/`--exact`), which completes it and removes the mark.
struct RestoreMarker: Codable, Sendable {
    static let name = ".lifeboat-restore-incomplete"

    var service: String
    var backup: String
    var started: String
    var host: String
    var pid: Int32

    /// The marker's path in `target` (a resolved path; empty for `/`).
    static func path(in target: [UInt8]) -> String { String(decoding: target, as: UTF8.self) + "/" + name }

    /// The marker left in `target`, if any; a marker that cannot be parsed still counts.
    static func find(in target: String) -> RestoreMarker?? {
        let path = "\(target)/\(name)"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return .some(FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(RestoreMarker.self, from: $0) })
    }

    /// Writes the marker durably (file and folder flushed) before anything else goes into `target`.
    static func create(in target: [UInt8], for record: BackupRecord, flush: FileSystemFlush) throws {
        let marker = RestoreMarker(service: record.service, backup: record.id, started: Timestamp.format(Date()),
                                   host: ProcessInfo.processInfo.hostName, pid: getpid())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let path = Self.path(in: target)
        do {
            let sink = try FileSink(creating: path)
            try sink.write(Array(try encoder.encode(marker)) + [0x0a])
            _ = try sink.finish()
            try flush.syncFolder()
        } catch {
            unlink(path)
            if SpaceShortage.isOutOfSpace(error) {
                throw LifeboatError(.noSpace, "cannot start the restore into \(String(decoding: target, as: UTF8.self)): "
                    + SpaceShortage.describe(path, needed: nil) + "; free space there or restore to another target (--target)", cause: error)
            }
            throw LifeboatError(.io, "cannot write \(path) (the mark of a restore in progress): \(error)", cause: error)
        }
    }

    /// Removes the marker once the restore is complete and durable.
    static func remove(from target: [UInt8], flush: FileSystemFlush) throws {
        let path = Self.path(in: target)
        if unlink(path) != 0 && errno != ENOENT {
            throw LifeboatError(.io, "the restore is complete, but its mark \(path) cannot be removed: \(String(cString: strerror(errno))); remove it by hand")
        }
        try flush.syncFolder()
    }

    /// What a refused restore says about the marker it found.
    static func refusal(target: String, marker: RestoreMarker?) -> String {
        let what = marker.map { "a restore of \($0.service) backup \($0.backup) that started at \($0.started) on \($0.host) (pid \($0.pid))" }
            ?? "a restore"
        return "restore target \(target) holds an unfinished restore: \(what) never completed (it was killed, or its host went down), "
            + "so files in it may be incomplete though they have their final names. Restore again with --force (or --exact) to "
            + "complete it, or remove the folder"
    }
}
