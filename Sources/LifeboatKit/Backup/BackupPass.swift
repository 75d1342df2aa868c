import Foundation
import LifeboatNative

/// One walk of a service's tree: merges the scan with the parent manifest, stores what changed, and
/// writes the new manifest. Both streams are in `TreePath` order, so memory stays flat as trees grow
/// (only hard-linked inodes are remembered, to link their later names to the first).
final class BackupPass {
    private let request: BackupRequest
    private let id: String
    private let parent: BackupRecord?
    private let folder: String
    private let repository: Repository
    private let names = AccountNames()
    private var stats = BackupRecord.Stats()
    private var warnings: [String] = []
    private var hardlinks: [HardlinkKey: TreePath] = [:]
    private var parentReader: ManifestReader?
    private var parentEntry: ManifestEntry?
    /// Files whose ctime is at or after this instant changed while the parent was running: re-read them.
    private let parentStartNs: Int64

    private struct HardlinkKey: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    init(request: BackupRequest, id: String, parent: BackupRecord?, folder: String, repository: Repository) {
        self.request = request
        self.id = id
        self.parent = parent
        self.folder = folder
        self.repository = repository
        parentStartNs = parent?.startedDate.map { Int64($0.timeIntervalSince1970 * 1e9) } ?? 0
    }

    func run(progress: (BackupProgress) -> Void) throws -> (BackupRecord.Stats, [BackupRecord.Object], [String]) {
        if let parent, let object = parent.manifestObject {
            parentReader = try ManifestReader(path: repository.objectPath(service: parent.service, id: parent.id, name: object.name))
            parentEntry = try parentReader?.next()
        }
        let archives = DataArchiveSet(folder: folder, level: request.compressionLevel, limit: request.archiveSizeLimit)
        let manifestObject = try PendingObject(finalPath: "\(folder)/\(ManifestFile.objectName)")
        let roots = request.paths.map { TreePath(absolute: $0) }.sorted().map(\.description)
        let manifest = try ManifestWriter(sink: manifestObject.sink, level: request.compressionLevel,
                                          header: ManifestHeader(backup: id, service: request.service, roots: roots))
        let scanner = TreeScanner(sources: request.paths, excludes: request.excludes)
        let expected = parent?.stats.totalBytes
        var scanned = 0
        try scanner.walk({ entry in
            scanned += 1
            if let line = try self.process(entry, archives: archives) { try manifest.append(line) }
            progress(BackupProgress(service: self.request.service, entriesScanned: scanned, filesStored: self.stats.filesStored,
                                    bytesRead: self.stats.bytesRead, expectedBytes: expected))
            return true
        }, problem: { self.skip($0) })
        let dataObjects = try archives.finish()
        try manifest.finish()
        let manifestCommitted = try manifestObject.commit()
        return (stats, dataObjects + [manifestCommitted], warnings)
    }

    private func skip(_ message: String) {
        stats.skipped += 1
        warnings.append(message)
    }

    /// The parent's entry at `path`, advancing the parent stream past everything before it.
    private func parentEntry(at path: TreePath) throws -> ManifestEntry? {
        while let current = parentEntry, current.path < path { parentEntry = try parentReader?.next() }
        return parentEntry?.path == path ? parentEntry : nil
    }

    private func process(_ scanned: ScannedEntry, archives: DataArchiveSet) throws -> ManifestEntry? {
        let status = scanned.status
        let previous = try parentEntry(at: scanned.path)
        var entry: ManifestEntry
        do {
            switch status.kind {
            case .directory, .symlink:
                let kind: ManifestEntry.Kind = status.kind == .directory ? .directory : .symlink
                let stored = try archives.current().appendMetadata(sourcePath: scanned.absolute, archivePath: scanned.path.bytes)
                entry = ManifestEntry(path: scanned.path, kind: kind, status: status)
                entry.xattrs = stored.xattrs
                entry.symlinkTarget = kind == .symlink ? (stored.symlinkTarget ?? []) : nil
                if kind == .directory { stats.directories += 1 } else { stats.symlinks += 1 }
            case .regular:
                let key = HardlinkKey(device: status.device, inode: status.inode)
                if status.links > 1, let first = hardlinks[key] {
                    try archives.current().appendHardlink(sourcePath: scanned.absolute, archivePath: scanned.path.bytes, linkTarget: first.bytes)
                    entry = ManifestEntry(path: scanned.path, kind: .hardlink, status: status)
                    entry.hardlinkTarget = first
                    stats.hardlinks += 1
                    break
                }
                if let previous, isUnchanged(previous, status) {
                    entry = previous
                } else {
                    entry = try store(scanned, archives: archives)
                }
                // Only a name that made it into the manifest can be linked to.
                if status.links > 1 { hardlinks[key] = scanned.path }
                stats.files += 1
                stats.totalBytes += entry.size
            default:
                skip("skipped \(scanned.path): \(status.kind.rawValue) files are not backed up")
                return nil
            }
        } catch let error as NativeError where error.isSourceError {
            if error.errno == ENOENT { return nil }  // deleted while we were walking: not part of this backup
            skip("cannot read \(scanned.path): \(error.message)")
            return nil
        }
        entry.user = names.user(entry.uid)
        entry.group = names.group(entry.gid)
        return entry
    }

    private func store(_ scanned: ScannedEntry, archives: DataArchiveSet) throws -> ManifestEntry {
        let writer = try archives.current()
        let stored = try writer.appendRegularFile(sourcePath: scanned.absolute, archivePath: scanned.path.bytes)
        var entry = ManifestEntry(path: scanned.path, kind: .file, status: stored.status)
        entry.sha256 = stored.sha256.hex
        entry.ref = id
        entry.archive = archives.currentName
        entry.sparse = stored.sparse
        entry.xattrs = stored.xattrs
        if !stored.consistent {
            entry.inconsistent = true
            stats.inconsistentFiles += 1
            warnings.append("\(scanned.path) changed while it was read; stored as inconsistent")
        }
        stats.filesStored += 1
        stats.bytesRead += stored.status.size
        return entry
    }

    /// Size, mtime, ctime, inode and device all equal, nothing suspicious about the times, and no
    /// `--checksum`: the parent's stored content is still this file's content.
    private func isUnchanged(_ previous: ManifestEntry, _ status: FileStatus) -> Bool {
        guard !request.checksum, previous.kind == .file, !previous.inconsistent else { return false }
        guard previous.size == status.size, previous.mtimeNs == status.mtimeNs, previous.ctimeNs == status.ctimeNs,
              previous.inode == status.inode, previous.device == status.device else { return false }
        let nowNs = Int64(Date().timeIntervalSince1970 * 1e9)
        // Changed during the parent's run, or stamped in the future: the times prove nothing. Timestamps
        // advance in clock ticks (a few ms; whole seconds on filesystems without sub-second times, seen
        // as a zero fraction), so a same-size rewrite just after the parent read the file could keep its
        // times: anything changed within one tick of the parent's start is read again.
        let tick: Int64 = previous.ctimeNs % 1_000_000_000 == 0 ? 2_000_000_000 : 20_000_000
        return previous.ctimeNs < parentStartNs - tick && status.mtimeNs <= nowNs
    }
}
