import Foundation
import LifeboatNative
import Logging

/// Runs one backup of one service into a repository. The service lock is held throughout; objects are
/// written under temporary names and `backup.json` is committed last, so a backup killed at any moment
/// leaves no visible backup and the next run cleans up what it left.
public struct BackupEngine: Sendable {
    public let repository: Repository
    private let logger: Logger
    /// A service's committed backups (at least the newest, and the newest full one) and its
    /// uncommitted folders: by default `Repository.listing`, which reads every `backup.json`; a
    /// workspace passes its catalog-backed `Workspace.recentBackups`.
    private let listing: @Sendable (String) -> BackupListing

    public init(repository: Repository, logger: Logger = Logger(label: "lifeboat.backup"),
                listing: (@Sendable (String) -> BackupListing)? = nil) {
        self.repository = repository
        self.logger = logger
        self.listing = listing ?? { repository.listing(service: $0) }
    }

    public func run(_ request: BackupRequest, progress: (BackupProgress) -> Void = { _ in }) throws -> BackupResult {
        let clock = ContinuousClock.now
        let lock = try repository.store.lock(service: request.service, purpose: "backup")
        defer { withExtendedLifetime(lock) {} }
        if let superseded = request.superseded, let reason = superseded(listing(request.service)) {
            throw LifeboatError(.superseded, reason)
        }
        var notes: [String] = []
        let listing = listing(request.service)
        removeIncomplete(service: request.service, listing: listing)
        var parent = request.mode == .full ? nil : listing.records.last
        if request.mode == .incremental && parent == nil {
            throw LifeboatError(.usage, "service \(request.service) has no complete backup to build an incremental on; run a full backup first (or leave out --incremental)")
        }
        if let candidate = parent, let problem = chainProblem(of: candidate) {
            if request.mode == .incremental {
                throw LifeboatError(.corrupt, "the parent backup \(candidate.id) cannot be built on (\(problem)); run `lifeboat verify \(request.service) --objects`, then take a --full backup")
            }
            notes.append("parent backup \(candidate.id) cannot be built on (\(problem)): took a full backup instead")
            parent = nil
        }

        let started = request.dataAsOf.map { min($0, Date()) } ?? Date()
        let id = BackupID.make(at: started, after: listing.records.last?.id)
        let folder = repository.backupFolder(service: request.service, id: id)
        logger.debug("backup started", metadata: ["service": "\(request.service)", "id": "\(id)", "parent": "\(parent?.id ?? "-")"])
        let pass = BackupPass(request: request, id: id, parent: parent, folder: folder, repository: repository)
        var read: Int64 = 0
        func tracking(_ report: BackupProgress) {
            read = report.bytesRead
            progress(report)
        }
        var committing = false
        do {
            return try commit(pass, request: request, id: id, parent: parent, started: started, clock: clock, lock: lock,
                              notes: notes, committing: &committing, progress: tracking)
        } catch where committing {
            // backup.json may have reached the store before the error (a folder fsync that failed after the
            // rename, an S3 answer lost): the backup may exist and be read already, so nothing is removed.
            throw LifeboatError(.io, "backup of \(request.service) failed while committing \(id) (\(error)): it may or may not be "
                + "committed; `lifeboat backups \(request.service)` shows whether it is, and `lifeboat doctor` finds what is left", cause: error)
        } catch {
            // Objects already committed (one lane's archive, the manifest) would stay until the next
            // backup: on a full disk they are the very space the user needs back.
            let removed = (try? repository.store.deleteFolder(folder)) != nil
            throw failure(error, service: request.service, read: read, removed: removed, previous: listing.records.last)
        }
    }

    /// Runs the pass and commits the backup (its `backup.json`, last).
    private func commit(_ pass: BackupPass, request: BackupRequest, id: String, parent: BackupRecord?, started: Date,
                        clock: ContinuousClock.Instant, lock: any StoreLock, notes: [String], committing: inout Bool,
                        progress: (BackupProgress) -> Void) throws -> BackupResult {
        var notes = notes
        let folder = repository.backupFolder(service: request.service, id: id)
        let (stats, objects, warnings) = try pass.run(progress: progress)
        let record = BackupRecord(
            id: id, service: request.service, kind: parent == nil ? .full : .incremental, parent: parent?.id,
            tier: request.tier, host: ProcessInfo.processInfo.hostName, started: Timestamp.format(started),
            finished: Timestamp.format(Date()), sources: request.paths, status: stats.skipped > 0 ? "partial" : "complete",
            compression: "zstd-\(request.compressionLevel)", stats: stats, objects: objects, warnings: Array(warnings.prefix(100)),
            references: pass.references.sorted().map { "\($0.backup)/\($0.archive)" })
        var committed = record
        committed.stats.bytesStored = objects.reduce(0) { $0 + $1.size }
        FaultPoint.backupBeforeCommit.reach()
        try lock.confirm()
        // Until the upload commits, nothing is visible: a failure (a full disk) leaves only objects to remove.
        let upload = try repository.store.create("\(folder)/backup.json")
        do {
            try upload.sink.write(try jsonBytes(committed))
        } catch {
            upload.discard()
            throw error
        }
        committing = true
        _ = try upload.commit()
        FaultPoint.backupAfterCommit.reach()
        if stats.skipped > 0 { notes.append("\(stats.skipped) entries could not be backed up (see warnings)") }
        if stats.inconsistentFiles > 0 { notes.append("\(stats.inconsistentFiles) files changed while being read (flagged inconsistent)") }
        let elapsed = ContinuousClock.now - clock
        logger.info("backup committed", metadata: [
            "service": "\(request.service)", "id": "\(id)", "kind": "\(committed.kind.rawValue)",
            "files_stored": "\(stats.filesStored)", "bytes_read": "\(stats.bytesRead)",
            "bytes_stored": "\(committed.stats.bytesStored)", "seconds": "\(elapsed.inSeconds)",
        ])
        return BackupResult(record: committed, durationSeconds: elapsed.inSeconds, notes: notes + warnings.prefix(20))
    }

    /// The error a failed backup ends with; a full disk says where, what is free and what was needed.
    private func failure(_ error: any Error, service: String, read: Int64, removed: Bool, previous: BackupRecord?) -> any Error {
        let cleanup = removed ? "nothing was committed and the partial objects were removed"
            : "nothing was committed; the partial objects could not be removed yet (the next backup removes them)"
        guard SpaceShortage.isOutOfSpace(error) else {
            if var lifeboat = error as? LifeboatError, lifeboat.code == .io, !removed {
                lifeboat.message += " (\(cleanup))"
                return lifeboat
            }
            return error
        }
        let root = (repository.store.unwrapped as? LocalStore)?.root ?? repository.location
        let needed = previous.map { ", the previous backup of \(service) stored \(ByteCount.text($0.stats.bytesStored))" } ?? ""
        return LifeboatError(.noSpace, "backup of \(service) failed: " + SpaceShortage.describe(root, needed: nil)
            + " in the repository's filesystem; it ran out after this backup had read \(ByteCount.text(read)) of new and changed content"
            + "\(needed). \(cleanup.prefix(1).uppercased() + cleanup.dropFirst()); free space there (`lifeboat prune`, or a larger disk) "
            + "and run the backup again (\(error))", cause: error)
    }

    /// Why a candidate parent's manifest cannot be trusted, or nil when it reads back intact.
    /// Why an incremental must not build on `record`, or nil when it may: its manifest must read back
    /// intact, and every data archive it refers to (in any backup of the chain) must be listed in its
    /// backup's `backup.json` and be present with the recorded size. A flipped byte inside an archive
    /// is only found by `verify`, which re-hashes; this check costs one manifest read and a few stats.
    private func chainProblem(of record: BackupRecord) -> String? {
        guard let object = record.manifestObject else { return "backup.json lists no manifest" }
        let key = repository.objectKey(service: record.service, id: record.id, name: object.name)
        var referenced: Set<ArchiveRef> = []
        do {
            if let references = record.references {
                // The object's bytes are what backup.json vouches for: hashing them needs no parsing.
                let digest = try repository.openObject(key).drainAndDigest()
                if digest.hex != object.sha256 { return "its manifest's SHA-256 does not match backup.json" }
                for reference in references {
                    let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { return "backup.json lists a malformed reference \(reference)" }
                    referenced.insert(ArchiveRef(backup: parts[0], archive: parts[1]))
                }
            } else {
                let reader = try repository.manifestReader(key)
                while let entry = try reader.next() {
                    for piece in entry.pieces { referenced.insert(piece.archiveRef) }
                }
                let digest = try reader.objectDigest()
                if digest.hex != object.sha256 { return "its manifest's SHA-256 does not match backup.json" }
            }
        } catch {
            return "its manifest is unreadable: \(error)"
        }
        return repository.unavailableArchive(service: record.service, refs: referenced)?.problem
    }

    /// Removes folders of backups that never committed (killed or failed runs). Caller holds the lock.
    private func removeIncomplete(service: String, listing: BackupListing) {
        for id in listing.incomplete + listing.leftovers {
            logger.info("removing incomplete backup (it never committed)", metadata: ["service": "\(service)", "id": "\(id)"])
            try? repository.store.deleteFolder(repository.backupFolder(service: service, id: id))
        }
    }
}
