import Foundation
import LifeboatNative

/// A checked manifest and the archives a restore must read: every path confined under the target and
/// inside a backed-up root, the manifest's SHA-256 equal to the one in `backup.json`.
struct RestorePlan: Sendable {
    let record: BackupRecord
    let repository: Repository
    let manifestKey: String
    let roots: [TreePath]
    /// Archives to read, oldest first, with how many files (or pieces of files) each provides; data
    /// archives before tail archives, which add bytes to files the data archives created.
    let archives: [(ref: ArchiveRef, files: Int, example: TreePath)]
    /// How many of `archives` (the first ones) are data archives.
    let dataArchiveCount: Int
    /// Files stored as a base plus tails: written piece by piece, finished once all pieces are in.
    let grownFileCount: Int
    let fileCount: Int
    let totalBytes: Int64
    /// A partial restore's paths (nil: the whole backup).
    let selection: PathSelection?
    /// A partial restore's entries, kept from the one pass that checked the manifest (when not too many):
    /// each later step replays them instead of reading the whole manifest again.
    let selected: [ManifestEntry]?
    private static let selectedLimit = 100_000

    /// Reads the manifest again from the start: the entries this restore writes.
    func openManifest() throws -> SelectedManifest {
        if let selected { return SelectedManifest(selected) }
        return SelectedManifest(try repository.manifestReader(manifestKey), selection: selection)
    }

    /// Checks the manifest of `record` and counts what a restore of it (or of `selection` in it) reads.
    static func make(record: BackupRecord, repository: Repository, selection requested: PathSelection? = nil) throws -> RestorePlan {
        guard let object = record.manifestObject else {
            throw LifeboatError(.corrupt, "backup \(record.id) of \(record.service): backup.json lists no manifest")
        }
        let key = repository.objectKey(service: record.service, id: record.id, name: object.name)
        let objectLabel = "object \(key)"
        guard let source = try repository.store.open(key) else {
            throw LifeboatError(.corrupt, "\(objectLabel) is missing: backup \(record.id) cannot be restored (all its files are affected)")
        }
        var counts: [ArchiveRef: (Int, TreePath)] = [:]
        var fileCount = 0
        var grownFileCount = 0
        var tailArchives: Set<ArchiveRef> = []
        var wholeArchives: Set<ArchiveRef> = []
        var totalBytes: Int64 = 0
        let roots: [TreePath]
        let selection = requested
        var selected: [ManifestEntry]? = selection == nil ? nil : []
        var found = Set<TreePath>()
        var linkTargets = Set<TreePath>()
        do {
            let reader = try ManifestReader(source: source)
            roots = reader.header.roots.map { TreePath(bytes: Array($0.utf8)) }
            guard roots.allSatisfy(\.isConfined) else { throw ManifestFormatError("a root path is absolute or contains '..'") }
            var lastSymlink: TreePath?
            var previous: TreePath?
            var symlinks: Set<TreePath> = []
            while let entry = try reader.next() {
                try check(entry, roots: roots)
                // The checks below rely on tree order, which the format promises: out of order, a path
                // could follow another symlink and still lie below the one that leads out of the target.
                if let previous, !(previous < entry.path) {
                    throw LifeboatError(.corrupt, "the manifest lists \(entry.path) after \(previous), out of tree order; refusing to restore")
                }
                previous = entry.path
                // Tree order puts anything below a path right after it: a path below a symlink of the
                // same manifest would be written through that link once it exists.
                if let link = lastSymlink, entry.path.isWithin(link) || (entry.hardlinkTarget?.isWithin(link) ?? false) {
                    throw LifeboatError(.corrupt, "the manifest lists \(entry.path) below the symlink \(link); refusing to restore")
                }
                // A hard link names a path listed before it, which need not be right before it: a
                // symlink anywhere on the way to that path would make the link to a file outside the target.
                if let target = entry.hardlinkTarget {
                    guard target < entry.path else {
                        throw LifeboatError(.corrupt, "the manifest links \(entry.path) to \(target), which is not listed before it; refusing to restore")
                    }
                    let slashes = target.bytes.indices.filter { target.bytes[$0] == UInt8(ascii: "/") }
                    if let link = slashes.map({ TreePath(bytes: Array(target.bytes[..<$0])) }).first(where: symlinks.contains) {
                        throw LifeboatError(.corrupt, "the manifest links \(entry.path) to \(target), below the symlink \(link); refusing to restore")
                    }
                }
                if entry.kind == .symlink {
                    lastSymlink = entry.path
                    symlinks.insert(entry.path)
                }
                if let selection, selection.keeps(entry) {
                    for path in selection.requested where entry.path.isWithin(path) { found.insert(path) }
                    if let target = entry.hardlinkTarget, !selection.includes(target) { linkTargets.insert(target) }
                    selected?.append(entry)
                    if (selected?.count ?? 0) > selectedLimit { selected = nil }
                }
                guard entry.kind == .file, selection?.includes(entry.path) ?? true else { continue }
                // Each archive is read once, front to back: a second piece in the same one would be skipped.
                if !entry.tails.isEmpty, Set(entry.pieces.map(\.archiveRef)).count != entry.tails.count + 1 {
                    throw ManifestFormatError("it lists two pieces of \(entry.path) in one archive")
                }
                for piece in entry.pieces {
                    counts[piece.archiveRef, default: (0, entry.path)].0 += 1
                    if piece.offset > 0 { tailArchives.insert(piece.archiveRef) } else { wholeArchives.insert(piece.archiveRef) }
                }
                if !entry.tails.isEmpty { grownFileCount += 1 }
                fileCount += 1
                totalBytes += entry.size
            }
            let digest = try reader.objectDigest()
            guard digest.hex == object.sha256 else {
                throw ManifestFormatError("its SHA-256 is \(digest.hex), backup.json says \(object.sha256)")
            }
            // Tails are written into files their data archives created first: one archive cannot be both.
            if let mixed = tailArchives.intersection(wholeArchives).first {
                throw ManifestFormatError("it lists \(mixed.backup)/\(mixed.archive) both for whole files and for appended bytes")
            }
        } catch let error as LifeboatError {
            throw error
        } catch {
            throw LifeboatError(.corrupt, "\(objectLabel) is damaged (\(error)): backup \(record.id) cannot be restored (all its files are affected)", cause: error)
        }
        if let selection {
            if let missing = selection.requested.first(where: { !found.contains($0) }) {
                throw LifeboatError(.usage, "backup \(record.id) of \(record.service) holds nothing at /\(missing); `lifeboat ls \(record.service) --backup \(record.id)` lists what it holds")
            }
            // A selected hard link's content lives at its first name: restoring the link would rewrite
            // that path too, which was not asked for (in place, another file of the system).
            if let target = linkTargets.sorted().first {
                throw LifeboatError(.usage, "a selected path is a hard link to /\(target) (that file's first name in backup \(record.id)): restoring it would rewrite /\(target) too; add --path /\(target) to restore both")
            }
        }
        let sorted = counts.keys.sorted().map { (ref: $0, files: counts[$0]!.0, example: counts[$0]!.1) }
        let data = sorted.filter { !tailArchives.contains($0.ref) }
        return RestorePlan(record: record, repository: repository, manifestKey: key, roots: roots,
                           archives: data + sorted.filter { tailArchives.contains($0.ref) },
                           dataArchiveCount: data.count, grownFileCount: grownFileCount, fileCount: fileCount, totalBytes: totalBytes,
                           selection: selection, selected: selected)
    }

    /// Refuses entries that could escape the target: absolute paths, `..`, paths outside the roots.
    private static func check(_ entry: ManifestEntry, roots: [TreePath]) throws {
        guard entry.path.isConfined, roots.contains(where: { entry.path.isWithin($0) }) else {
            throw LifeboatError(.corrupt, "the manifest lists an unsafe path \(entry.path) (absolute, '..', or outside the backed-up paths); refusing to restore")
        }
        if let link = entry.hardlinkTarget, !(link.isConfined && roots.contains(where: { link.isWithin($0) })) {
            throw LifeboatError(.corrupt, "the manifest links \(entry.path) to an unsafe path \(link); refusing to restore")
        }
    }
}
