import Foundation
import LifeboatNative

/// Restores one backup of one service into a target folder; see `Restore/README.md`.
public struct RestoreEngine: Sendable {
    public let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    /// The backup a selector designates; errors say which backups exist.
    public func resolve(service: String, selector: BackupSelector) throws -> BackupRecord {
        let records = repository.listing(service: service).records
        switch selector {
        case .latest:
            guard let newest = records.last else {
                throw LifeboatError(.usage, "service \(service) has no complete backup in \(repository.location); run `lifeboat backup \(service)` first")
            }
            return newest
        case .id(let id):
            guard let record = records.first(where: { $0.id == id }) else {
                try repository.throwIfPruned(service: service, id: id)
                throw LifeboatError(.usage, "service \(service) has no complete backup \(id); `lifeboat backups \(service)` lists them")
            }
            return record
        case .at(let date):
            guard let record = records.last(where: { ($0.finishedDate ?? .distantFuture) <= date }) else {
                throw LifeboatError(.usage, "service \(service) has no backup finished at or before \(Timestamp.format(date))\(records.first.map { "; the oldest finished \($0.finished)" } ?? "")")
            }
            return record
        }
    }

    /// Restores under a reader lease of the service (`Repository.reading`): no prune removes the
    /// backup, or one it needs, while it is read. A backup prune removed is reported as such.
    public func restore(_ request: RestoreRequest, progress: (RestoreProgress) -> Void = { _ in }) throws -> RestoreResult {
        try repository.reading(service: request.service, purpose: "restore") { try restoreReading(request, progress: progress) }
    }

    private func restoreReading(_ request: RestoreRequest, progress: (RestoreProgress) -> Void) throws -> RestoreResult {
        let clock = ContinuousClock.now
        let record = try resolve(service: request.service, selector: request.selector)
        let plan = try RestorePlan.make(record: record, repository: repository, selection: request.selection)
        if let (ref, problem) = repository.unavailableArchive(service: record.service, refs: plan.archives.map(\.ref)),
           let needed = plan.archives.first(where: { $0.ref == ref }) {
            try repository.throwIfPruned(service: record.service, id: ref.backup)
            throw LifeboatError(.corrupt, """
                backup \(record.id) of \(record.service) cannot be restored: \(problem); it holds \(needed.files) file(s) of this \
                backup (e.g. \(needed.example)). Nothing was written to the target. `lifeboat verify \(record.service) --objects` \
                lists all damage; restore another backup with --backup ID
                """)
        }
        let prepared = try prepareTarget(request.target)
        let target = prepared.path
        let layout = RestoreLayout(target: target, roots: plan.roots)
        var result = RestoreResult(record: record, target: target.isEmpty ? "/" : String(decoding: target, as: UTF8.self), files: 0,
                                   directories: 0, symlinks: 0, hardlinks: 0, bytes: 0, archivesRead: 0, removed: 0, durationSeconds: 0, warnings: [])
        // Opened before anything is written: the kernel reports every write-back error since to them.
        let flush: FileSystemFlush
        let flushes = FileSystemFlushes()
        do {
            flush = try FileSystemFlush(folder: result.target)
            try flushes.note(folder: target)
        } catch {
            throw LifeboatError(.io, "cannot open restore target \(result.target): \(error)", cause: error)
        }
        let marker = try HeldRestoreMarker(target: target)
        let hadContent: Bool
        do {
            hadContent = try judgeTarget(request.target, marker: marker, mode: request.mode, record: record, selection: plan.selection)
        } catch {
            marker.abandon()
            throw error
        }
        try marker.record(record, startedEmpty: !hadContent, flush: flush)
        if marker.previous != nil && hadContent { result.removed += removeTemporaries(layout: layout) }
        let extraction = ArchiveExtraction(repository: repository, plan: plan, layout: layout, replaceSafely: hadContent,
                                           restoreOwnership: request.restoreOwnership, flushes: flushes, writebackEarly: request.durable)
        do {
            try write(request, plan: plan, layout: layout, extraction: extraction, hadContent: hadContent, result: &result, progress: progress)
            do {
                if request.durable { try flushes.sync() }
            } catch {
                throw LifeboatError(.io, "the restored files could not all be written to stable storage under \(result.target): \(error)", cause: error)
            }
        } catch {
            let written = extraction.bytes
            let atFailure = DiskSpace.of(result.target)
            let cleanup = hadContent ? nil : removePartialRestore(layout: layout, createdTarget: prepared.created, marker: marker)
            throw Self.failure(error, target: result.target, plan: plan, written: written, removed: result.removed, cleanup: cleanup,
                               atFailure: atFailure)
        }
        try marker.release(flush: flush)
        let elapsed = ContinuousClock.now - clock
        result.durationSeconds = elapsed.inSeconds
        return result
    }

    /// Everything a restore writes: `--exact`'s removals, the files, then folders, symlinks and links.
    private func write(_ request: RestoreRequest, plan: RestorePlan, layout: RestoreLayout, extraction: ArchiveExtraction,
                       hadContent: Bool, result: inout RestoreResult, progress: (RestoreProgress) -> Void) throws {
        if request.mode == .exact {
            do {
                let extras = try removeExtras(plan: plan, layout: layout, excludes: request.keep)
                result.removed += extras.removed
                result.warnings += extras.warnings
            } catch let error as LifeboatError {
                throw error
            } catch {
                throw LifeboatError(.io, "cannot remove what is not in the backup from the target: \(error)", cause: error)
            }
        }
        try extraction.run { files, bytes in
            progress(RestoreProgress(filesRestored: files, bytesRestored: bytes, totalFiles: plan.fileCount, totalBytes: plan.totalBytes))
        }
        result.files = extraction.files
        result.bytes = extraction.bytes
        result.archivesRead = plan.archives.count
        result.warnings += extraction.warnings
        let disk = DiskWriter(restoreOwnership: request.restoreOwnership, targetHadContent: hadContent)
        try createNonFileEntries(plan: plan, layout: layout, disk: disk, result: &result)
        try finish(disk)
        // Folders that already existed got their times when written, before the entries created inside
        // them since; a last pass over folders only (all existing now) sets their final times and modes.
        let folders = DiskWriter(restoreOwnership: request.restoreOwnership, targetHadContent: hadContent)
        var ignored = result
        try createNonFileEntries(plan: plan, layout: layout, disk: folders, result: &ignored, foldersOnly: true)
        try finish(folders)
        for companion in request.staleCompanions where companion.isConfined && plan.selection.map({ $0.includesCompanion(companion) }) ?? true {
            let path = layout.disk(companion)
            if try FileStatus.lstat(path) != nil {
                try removeTree(path)
                result.removed += 1
            }
        }
    }

    /// The error a failed restore ends with: a full disk says where and how much; every failure says
    /// what became of the target.
    private static func failure(_ error: any Error, target: String, plan: RestorePlan, written: Int64, removed: Int,
                                cleanup: String?, atFailure: DiskSpace?) -> LifeboatError {
        let extras = removed > 0 ? "\(removed) entr\(removed == 1 ? "y" : "ies") not in the backup had been removed first; " : ""
        let state = cleanup ?? extras + "files restored before the failure were replaced by the backup's version (each only once "
            + "complete and flushed to disk); the others were left as they were, and the target stays marked unfinished "
            + "(\(RestoreMarker.name)) until a restore completes it"
        if SpaceShortage.isOutOfSpace(error) {
            return LifeboatError(.noSpace, "restore into \(target) failed: " + SpaceShortage.describe(target, needed: plan.totalBytes, atFailure: atFailure)
                + " for the backup's \(plan.fileCount) file\(plan.fileCount == 1 ? "" : "s") (less where they are sparse; \(ByteCount.text(written)) of file content "
                + "were written when it ran out) (\(error)); \(state). Free space there or restore to another target", cause: error)
        }
        let base = error as? LifeboatError ?? LifeboatError(.io, "restore into \(target) failed: \(error)", cause: error)
        var wrapped = base
        wrapped.message = base.message + " (\(state))"
        return wrapped
    }

    /// Before a restore takes over a target an earlier one left unfinished: removes the temporaries
    /// that one wrote beside the files it was replacing (they are never renamed now). Returns how many.
    private func removeTemporaries(layout: RestoreLayout) -> Int {
        var removed = 0
        try? TreeScanner(layout: layout).walk({ found in
            let name = found.path.bytes.split(separator: UInt8(ascii: "/")).last.map(Array.init) ?? []
            if found.status.kind == .regular, name.starts(with: Array(RestoreMarker.temporaryPrefix.utf8)), name != Array(RestoreMarker.name.utf8) {
                if withCPath(found.absolute, { unlink($0) }) == 0 { removed += 1 }
            }
            return found.status.kind == .directory
        }, problem: { _ in })
        return removed
    }

    /// After a failed restore into a target that started empty: removes what the restore wrote there
    /// (nothing else was there), the mark last. Says what became of the target.
    private func removePartialRestore(layout: RestoreLayout, createdTarget: Bool, marker: HeldRestoreMarker) -> String {
        var tops: Set<[UInt8]> = []
        for placement in layout.placements {
            let below = placement.disk.dropFirst(layout.target.count).split(separator: UInt8(ascii: "/"))
            if let first = below.first { tops.insert(layout.target + [UInt8(ascii: "/")] + first) }
        }
        let target = String(decoding: layout.target, as: UTF8.self)
        do {
            for top in tops.sorted(by: { $0.lexicographicallyPrecedes($1) }) where try FileStatus.lstat(top) != nil {
                try removeTree(top)
            }
        } catch {
            return "the partial restore could not be removed (\(error)): \(target) stays marked unfinished by \(RestoreMarker.name); remove it"
        }
        marker.discard()
        if createdTarget { rmdir(target) }
        return "the partial restore was removed, nothing is left in \(target)"
    }

    private func finish(_ disk: DiskWriter) throws {
        do {
            try disk.close()
        } catch {
            throw LifeboatError(.io, "cannot finish restoring folder permissions and times: \(error)", cause: error)
        }
    }

    /// Creates the target if needed and resolves it to a path without symlinks. Says whether it was
    /// created. Nothing about its content is decided here: that waits for the target's lock.
    private func prepareTarget(_ path: String) throws -> (path: [UInt8], created: Bool) {
        var created = false
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw LifeboatError(.usage, "restore target \(path) exists and is not a folder") }
        } else {
            do {
                try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
                created = true
            } catch {
                if (error as? CocoaError)?.code == .fileWriteOutOfSpace {
                    throw LifeboatError(.noSpace, "cannot create restore target \(path): " + SpaceShortage.describe(path, needed: nil), cause: error)
                }
                throw LifeboatError(.io, "cannot create restore target \(path): \(error.localizedDescription)", cause: error)
            }
        }
        guard let resolved = realpath(path, nil) else {
            throw LifeboatError(.io, "cannot resolve restore target \(path): \(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        let bytes = Array(String(cString: resolved).utf8)
        return (bytes == [UInt8(ascii: "/")] ? [] : bytes, created)
    }

    /// Under the target's lock: whether it has content (anything but a marker this restore just made),
    /// and the refusals — a non-empty target without --force/--exact, an unfinished restore's target
    /// without them, a partial restore into one, or --force with another backup than the one an
    /// empty-start restore left unfinished (its files may be cut short: only --exact may make it equal).
    private func judgeTarget(_ path: String, marker: HeldRestoreMarker, mode: RestoreMode, record: BackupRecord,
                             selection: PathSelection?) throws -> Bool {
        let contents: [String]
        do {
            contents = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw LifeboatError(.io, "cannot list restore target \(path) (\(error.localizedDescription)); a target whose content cannot be seen is never written to", cause: error)
        }
        let hadContent = contents.contains { !(marker.created && $0 == RestoreMarker.name) }
        if let previous = marker.previous {
            if mode == .emptyTarget { throw LifeboatError(.usage, RestoreMarker.refusal(target: path, marker: previous.marker)) }
            if selection != nil {
                throw LifeboatError(.usage, "restore target \(path) holds an unfinished restore (\(previous.marker.map { "backup \($0.backup)" } ?? "of an unknown backup")); complete it with a whole restore (--force or --exact) before restoring single paths into it, or restore them elsewhere")
            }
            let cutShort = previous.marker?.startedEmpty != false
            if mode == .force, cutShort, previous.marker?.backup != record.id {
                let other = previous.marker?.backup ?? "whose mark cannot be read"
                throw LifeboatError(.usage, """
                    restore target \(path) holds an unfinished restore of backup \(other), begun in an empty folder: files it \
                    was writing may be cut short under their final names, and --force with backup \(record.id) would keep those \
                    this backup does not hold. Complete it with --backup \(previous.marker?.backup ?? "ID") --force, make the target \
                    equal \(record.id) with --exact, or remove the folder
                    """)
            }
        }
        if hadContent && mode == .emptyTarget {
            throw LifeboatError(.usage, "restore target \(path) is not empty; use --exact to make it equal the backup (removing extras below the backed-up paths) or --force to write over it")
        }
        return hadContent
    }

    /// `--exact`: removes what lies below the backed-up paths in the target but is not in the backup (or
    /// has another type there). Paths matching `excludes` (the service's excludes, the repository, the
    /// catalog) are never removed: a backup does not contain them, so their absence proves nothing.
    /// With a selection, only what lies within the selected paths is considered.
    /// What could not be looked at (an unreadable folder) is returned as warnings: extras in it remain.
    private func removeExtras(plan: RestorePlan, layout: RestoreLayout, excludes: [String]) throws -> (removed: Int, warnings: [String]) {
        let selection = plan.selection
        var removed = try clearAncestors(of: layout, selection: selection)
        var warnings: [String] = []
        try ManifestTreeMerge(plan: plan, layout: layout, excludes: excludes).run({ entry, found in
            guard let found else { return false }
            if let selection, !selection.includes(found.path) { return selection.leadsTo(found.path) }
            if let entry, entry.matchesKind(of: found.status) { return true }
            try removeTree(found.absolute)
            removed += 1
            return false
        }, problem: { warnings.append("--exact could not look into part of the target, extras there were left: \($0)") })
        return (removed, warnings)
    }

    /// Makes sure the folders between the target and each root's place are real folders: a symlink
    /// still on the way leads out of the target (the layout followed those inside it) and a file is in
    /// the way; both are removed, and the restore creates the folder.
    private func clearAncestors(of layout: RestoreLayout, selection: PathSelection?) throws -> Int {
        var removed = 0
        for placement in layout.placements where selection.map({ $0.includes(placement.root) || $0.leadsTo(placement.root) }) ?? true {
            var path = layout.target
            let below = placement.disk.dropFirst(layout.target.count).split(separator: UInt8(ascii: "/"))
            for component in below.dropLast() {
                path += [UInt8(ascii: "/")] + component
                guard let status = try FileStatus.lstat(path) else { break }
                if status.kind == .directory { continue }
                try removeTree(path)
                removed += 1
                break
            }
        }
        return removed
    }

    private func createNonFileEntries(plan: RestorePlan, layout: RestoreLayout, disk: DiskWriter, result: inout RestoreResult,
                                      foldersOnly: Bool = false) throws {
        let manifest = try plan.openManifest()
        while let entry = try manifest.next() {
            if foldersOnly && entry.kind != .directory { continue }
            let path = layout.disk(entry.path)
            do {
                switch entry.kind {
                case .file:
                    continue
                case .directory:
                    try disk.writeDirectory(at: path, metadata: entry.metadata)
                    result.directories += 1
                case .symlink:
                    try disk.writeSymlink(at: path, target: entry.symlinkTarget ?? [], metadata: entry.metadata)
                    result.symlinks += 1
                case .hardlink:
                    try disk.writeHardlink(at: path, to: layout.disk(entry.hardlinkTarget ?? entry.path))
                    result.hardlinks += 1
                }
            } catch {
                throw LifeboatError(.io, "cannot restore \(entry.path): \(error)", cause: error)
            }
        }
    }
}
