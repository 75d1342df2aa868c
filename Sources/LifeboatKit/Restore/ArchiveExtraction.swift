import Foundation
import Glibc
import LifeboatNative

/// Reads each data archive of a restore plan once, front to back, extracting the files whose `ref`
/// and `archive` point at it (archive and manifest are both in tree order, so this is a merge), and
/// checks every file's SHA-256 and every archive's SHA-256 on the way. In a target that had content,
/// each file is written under a temporary name beside its final one and renamed only once its SHA-256
/// matched and it was flushed to disk (in batches, `PendingRenames`), so neither damaged content nor a full disk ever replaces
/// a good file; a file that fails its check is removed. Into a target that started empty, files are
/// written in place: `RestoreMarker` marks the target unfinished until the whole restore is durable.
/// Every write's result is checked: a full disk fails the restore, naming the file.
///
/// Archives are independent (each file comes from exactly one), so up to `workers` of them are read
/// at once, each by its own thread with its own reader and disk writer: creating files is most of a
/// restore's time on many filesystems, and it scales with cores. The calling thread takes part and is
/// the only one that reports progress. Shared counters are guarded by `lock`.
///
/// A grown file (a base plus tails, see `ManifestEntry.tails`) comes from several archives. Data
/// archives are read first (the base creates the file), then tail archives (each tail is written at
/// its offset, in any order), each piece checked against its own SHA-256; last, each grown file gets
/// its size and the manifest's metadata and, in a target that had content, is renamed into place
/// (until then it lives under a temporary name derived from its path, which every piece can find).
/// When the restore fails, grown files not finished are removed rather than left half-written.
final class ArchiveExtraction: @unchecked Sendable {
    private let repository: Repository
    private let plan: RestorePlan
    private let layout: RestoreLayout
    private let replaceSafely: Bool
    private let restoreOwnership: Bool
    private let workers: Int
    private let flushes: FileSystemFlushes
    /// The restore ends with its data flushed: start each large file's write-back as soon as it is written.
    private let writebackEarly: Bool
    private static let writebackEarlySize: Int64 = 256 << 10
    private let lock = NSCondition()
    private var nextArchive = 0
    private var endArchive = 0
    private var running = 0
    /// Part of the temporary names of grown files in a target that had content.
    private let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    private var failure: (any Error)?
    private(set) var files = 0
    private(set) var bytes: Int64 = 0
    private(set) var warnings: [String] = []

    /// - Parameter replaceSafely: the target had content: write each file under a temporary name and
    ///   rename it into place once verified.
    /// - Parameter flushes: the filesystems written to; files replacing others are flushed through it.
    init(repository: Repository, plan: RestorePlan, layout: RestoreLayout, replaceSafely: Bool, restoreOwnership: Bool,
         flushes: FileSystemFlushes, writebackEarly: Bool, workers: Int = ProcessorCount.workers()) {
        self.replaceSafely = replaceSafely
        self.flushes = flushes
        self.writebackEarly = writebackEarly
        self.restoreOwnership = restoreOwnership
        self.repository = repository
        self.plan = plan
        self.layout = layout
        self.workers = max(1, workers)
    }

    func run(progress: (Int, Int64) -> Void) throws {
        var finished = 0
        do {
            try runPhase(0..<plan.dataArchiveCount, progress: progress)
            try runPhase(plan.dataArchiveCount..<plan.archives.count, progress: progress)
            if plan.grownFileCount > 0 { try finishGrownFiles(finished: &finished) }
        } catch {
            if plan.grownFileCount > 0 { removeGrownFiles(after: finished) }
            throw error
        }
    }

    /// Reads the archives `range` of the plan, up to `workers` at once.
    private func runPhase(_ range: Range<Int>, progress: (Int, Int64) -> Void) throws {
        guard !range.isEmpty else { return }
        let workers = min(self.workers, range.count)
        lock.lock()
        nextArchive = range.lowerBound
        endArchive = range.upperBound
        running = workers
        lock.unlock()
        for _ in 1..<max(1, workers) {
            Thread { [self] in work { _, _ in } }.start()
        }
        work(report: progress)
        // Out of archives: keep reporting the helpers' progress until they are done.
        lock.lock()
        while running > 0 {
            _ = lock.wait(until: Date().addingTimeInterval(0.2))
            let (files, bytes) = (self.files, self.bytes)
            lock.unlock()
            progress(files, bytes)
            lock.lock()
        }
        let failure = failure
        let (files, bytes) = (self.files, self.bytes)
        lock.unlock()
        if let failure { throw failure }
        progress(files, bytes)
    }

    /// Takes archives off the shared list until none is left or one failed.
    private func work(report: (Int, Int64) -> Void) {
        while let archive = takeArchive() {
            do {
                let disk = DiskWriter(restoreOwnership: restoreOwnership, targetHadContent: replaceSafely)
                try extract(archive.ref, fileCount: archive.files, example: archive.example, disk: disk) { count, size in
                    self.lock.lock()
                    self.files += count
                    self.bytes += size
                    let snapshot = (self.files, self.bytes)
                    self.lock.unlock()
                    report(snapshot.0, snapshot.1)
                }
                try disk.close()
            } catch {
                lock.lock()
                if failure == nil { failure = error }
                lock.unlock()
            }
        }
        lock.lock()
        running -= 1
        lock.broadcast()
        lock.unlock()
    }

    private func takeArchive() -> (ref: ArchiveRef, files: Int, example: TreePath)? {
        lock.lock()
        defer { lock.unlock() }
        guard failure == nil, nextArchive < endArchive else { return nil }
        defer { nextArchive += 1 }
        return plan.archives[nextArchive]
    }

    private var stopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return failure != nil
    }

    private func warn(_ message: String) {
        lock.lock()
        warnings.append(message)
        lock.unlock()
    }

    /// Extracts one archive; `progress` gets the files and bytes just written.
    private func extract(_ ref: ArchiveRef, fileCount: Int, example: TreePath, disk: DiskWriter, progress: (Int, Int64) -> Void) throws {
        let service = plan.record.service
        let label = "object services/\(service)/\(ref.backup)/\(ref.archive)"
        let affected = "backup \(plan.record.id) needs it for \(fileCount) file\(fileCount == 1 ? "" : "s") (e.g. \(example))"
        let owner: BackupRecord
        do {
            owner = try repository.record(service: service, id: ref.backup)
        } catch {
            throw LifeboatError(.corrupt, "\(label) belongs to backup \(ref.backup), which is missing or damaged (\(error)); \(affected)")
        }
        guard let object = owner.objects.first(where: { $0.name == ref.archive }) else {
            throw LifeboatError(.corrupt, "\(label) is not listed in backup \(ref.backup)'s backup.json; \(affected)")
        }
        let key = repository.objectKey(service: service, id: ref.backup, name: ref.archive)
        guard let source = try repository.store.open(key) else {
            throw LifeboatError(.corrupt, "\(label) is missing; \(affected)")
        }
        let manifest = try plan.openManifest()
        /// The next file with content in this archive, and which piece of it.
        func nextWanted() throws -> (ManifestEntry, ContentPiece)? {
            while let entry = try manifest.next() {
                guard entry.kind == .file else { continue }
                if entry.tails.isEmpty {
                    if entry.ref == ref.backup && entry.archive == ref.archive, let piece = entry.pieces.first { return (entry, piece) }
                } else if let piece = entry.pieces.first(where: { $0.ref == ref.backup && $0.archive == ref.archive }) {
                    return (entry, piece)
                }
            }
            return nil
        }
        var current: TreePath?
        var pending = PendingRenames()
        defer { pending.discard() }
        do {
            let reader = try TarReader(source: source)
            while let (wanted, piece) = try nextWanted() {
                if stopped { return }
                current = wanted.path
                var header = try reader.next()
                while let found = header, TreePath(bytes: found.path) < wanted.path {
                    header = try reader.next()
                }
                guard let found = header, found.path == wanted.path.bytes else {
                    throw LifeboatError(.corrupt, "\(label) does not contain \(wanted.path) (truncated or damaged); \(affected)")
                }
                guard found.kind == .regular else {
                    let kind = switch found.kind {
                    case .directory: "a folder"
                    case .symlink: "a symlink"
                    default: "a device, FIFO or other special file"
                    }
                    throw LifeboatError(.corrupt, "\(label) holds \(wanted.path) as \(kind), not as the regular file the manifest lists (damaged or crafted); \(affected)")
                }
                // Before writing: the content is hashed as it is written, and a sparse entry that claims
                // a far larger size than the manifest would be hashed (as zeros) for hours.
                guard found.size == piece.size else {
                    throw LifeboatError(.corrupt, "\(label) is damaged: its entry for \(wanted.path) claims \(found.size) bytes, the manifest \(piece.size); \(affected)")
                }
                let final = layout.disk(wanted.path)
                let grown = !wanted.tails.isEmpty
                // Into a target that started empty there is no good copy to protect: write in place. A grown
                // file is assembled where each of its pieces finds it and put in place once all are in.
                let path = grown ? grownFilePath(final) : replaceSafely ? Self.temporaryName(beside: final) : final
                let written: (sha256: SHA256Digest, size: Int64)
                do {
                    written = piece.offset == 0 ? try disk.writeFile(from: reader, to: path)
                        : try disk.writePiece(from: reader, to: path, at: piece.offset)
                } catch {
                    withCPath(path) { _ = unlink($0) }
                    throw error
                }
                guard written.sha256.hex == piece.sha256, written.size == piece.size else {
                    withCPath(path) { _ = unlink($0) }
                    let what = !grown ? "file \(wanted.path) does not match its SHA-256"
                        : piece.offset == 0 ? "the first \(piece.size) bytes of file \(wanted.path) do not match their SHA-256"
                        : "the \(piece.size) bytes appended at offset \(piece.offset) of file \(wanted.path) do not match their SHA-256"
                    let kept = replaceSafely && !grown ? "the target's copy was left as it was" : "what was written of it was removed"
                    throw LifeboatError(.corrupt, "\(label) is damaged: \(what) in the manifest (\(kept)); \(affected)")
                }
                if writebackEarly && !grown && written.size >= Self.writebackEarlySize { startWriteback(path) }
                if !grown && path != final {
                    // Over a good copy, the new one reaches the disk before a rename replaces it.
                    try pending.add(temporary: path, final: final, entry: wanted.path, size: written.size, flushes: flushes)
                    if pending.isFull { try pending.commit(flushes: flushes, putInPlace: putInPlace) }
                }
                progress(piece.offset == 0 ? 1 : 0, written.size)
            }
            current = nil
            try pending.commit(flushes: flushes, putInPlace: putInPlace)
            // A partial restore stops after its last file: every file it wrote was checked, and the rest
            // of the archive is not worth reading for the object's own SHA-256.
            guard plan.selection == nil else { return }
            let digest = try reader.finish()
            if digest.hex != object.sha256 {
                warn("\(label) does not match its SHA-256 in backup.json, though every file restored from it did; run `lifeboat verify --objects`")
            }
        } catch let error as LifeboatError {
            throw error
        } catch let error as NativeError where error.operation.hasPrefix("restore ") {
            throw LifeboatError(.io, "cannot write \(current.map(\.description) ?? "a file") under the target: \(error.message)", cause: error)
        } catch {
            let file = current.map { "file \($0) cannot be restored" } ?? "its end cannot be read"
            throw LifeboatError(.corrupt, "\(label) is damaged (\(error)): \(file); \(affected)", cause: error)
        }
    }

    /// Where a grown file is assembled: its place in a target that started empty, else a hidden name
    /// beside it that every piece derives from the path alone.
    private func grownFilePath(_ final: [UInt8]) -> [UInt8] {
        guard replaceSafely else { return final }
        let folder = folderOf(final)
        let tag = SHA256Hasher.digest(final).hex.prefix(16)
        return folder + Array("/\(RestoreMarker.temporaryPrefix)\(token)-\(tag)".utf8)
    }

    /// Renames a file written under a temporary name to its place (nothing when it was written there);
    /// removes it when that fails.
    private func putInPlace(_ path: [UInt8], _ final: [UInt8], _ entryPath: TreePath) throws {
        guard path != final, withCPath(path, { from in withCPath(final) { rename(from, $0) } }) != 0 else { return }
        let cause = NativeError.posix("rename", path: String(decoding: final, as: UTF8.self))
        withCPath(path) { _ = unlink($0) }
        throw LifeboatError(.io, "cannot put \(entryPath) in place under the target: \(cause.message)", cause: cause)
    }

    /// Gives every grown file its size and metadata and puts it in place; counts those done.
    private func finishGrownFiles(finished: inout Int) throws {
        let disk = DiskWriter(restoreOwnership: restoreOwnership, targetHadContent: replaceSafely)
        let manifest = try plan.openManifest()
        while let entry = try manifest.next() {
            guard entry.kind == .file, !entry.tails.isEmpty else { continue }
            let final = layout.disk(entry.path)
            let path = grownFilePath(final)
            do {
                try disk.finishGrownFile(at: path, size: entry.size, metadata: entry.metadata, durable: replaceSafely)
            } catch {
                throw LifeboatError(.io, "cannot finish restoring \(entry.path) under the target: \(error)", cause: error)
            }
            try putInPlace(path, final, entry.path)
            finished += 1
        }
    }

    /// After a failure: removes the grown files not finished (the first `after` are), so that no file is
    /// left with only some of its pieces.
    private func removeGrownFiles(after finished: Int) {
        guard let manifest = try? plan.openManifest() else { return }
        var seen = 0
        while let entry = try? manifest.next() {
            guard entry.kind == .file, !entry.tails.isEmpty else { continue }
            seen += 1
            if seen > finished { withCPath(grownFilePath(layout.disk(entry.path))) { _ = unlink($0) } }
        }
    }

    /// A hidden name in the same folder as `path`, so that the rename stays on one filesystem.
    private static func temporaryName(beside path: [UInt8]) -> [UInt8] {
        let folder = folderOf(path)
        return folder + Array("/\(RestoreMarker.temporaryPrefix)\(String(UInt64.random(in: 0...UInt64.max), radix: 16))".utf8)
    }
}

/// Files written under temporary names over good copies, waiting to be renamed into place until one
/// flush of their filesystems (`syncfs`) has put them on disk: one flush per batch instead of an `fsync`
/// per file, which costs a journal commit each on most filesystems (a `--force` restore of 5,300 files,
/// 255 MiB: 2.3-3.4 s with one per file, 1.2-1.5 s batched; 0.8 s into an empty target). Bounded in files and bytes, as
/// a batch's new copies take room beside the old ones until renamed.
private struct PendingRenames {
    private var files: [(temporary: [UInt8], final: [UInt8], entry: TreePath)] = []
    private var bytes: Int64 = 0
    private var lastFolder: [UInt8]?

    var isFull: Bool { files.count >= 512 || bytes >= 64 << 20 }

    mutating func add(temporary: [UInt8], final: [UInt8], entry: TreePath, size: Int64, flushes: FileSystemFlushes) throws {
        files.append((temporary, final, entry))
        bytes += size
        let folder = folderOf(final)
        if folder != lastFolder {
            try flushes.note(folder: folder)
            lastFolder = folder
        }
    }

    /// Flushes, then renames every waiting file into place.
    mutating func commit(flushes: FileSystemFlushes, putInPlace: ([UInt8], [UInt8], TreePath) throws -> Void) throws {
        guard !files.isEmpty else { return }
        try flushes.sync()
        var done = 0
        defer { files.removeFirst(done) }
        for file in files {
            try putInPlace(file.temporary, file.final, file.entry)
            done += 1
        }
        bytes = 0
    }

    /// Removes the temporaries not renamed (after a failure; nothing once committed).
    mutating func discard() {
        for file in files { withCPath(file.temporary) { _ = unlink($0) } }
        files = []
    }
}

/// The folder holding a path on disk (empty for a name at the top).
private func folderOf(_ path: [UInt8]) -> [UInt8] {
    path.lastIndex(of: UInt8(ascii: "/")).map { Array(path[..<$0]) } ?? []
}
