import Foundation
import LifeboatNative

/// One walk of a service's tree: merges the scan with the parent manifest, hands what changed to the
/// archive lanes, and writes the new manifest in tree order as the lanes' results come back. Scan and
/// parent manifest are both in `TreePath` order, so memory stays flat as trees grow (the queue of
/// entries in flight is bounded; hard-linked inodes and folders' lanes are remembered).
final class BackupPass {
    private let request: BackupRequest
    private let id: String
    private let parent: BackupRecord?
    private let folder: String
    private let repository: Repository
    private let names = AccountNames()
    private var stats = BackupRecord.Stats()
    private var warnings: [String] = []
    /// The archives the manifest's files refer to.
    private(set) var references: Set<ArchiveRef> = []
    private var parentReader: ManifestReader?
    private var parentEntry: ManifestEntry?
    /// Files whose ctime is at or after this instant changed while the parent was running: re-read them.
    private let parentStartNs: Int64
    private var hardlinks: [HardlinkKey: (path: TreePath, lane: Int)] = [:]
    private var folderLanes: [TreePath: Int] = [:]
    private var laneBytes: [Int64]
    private var inFlight: [InFlight] = []
    private var inFlightHead = 0

    private struct HardlinkKey: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    /// An entry waiting for its place in the manifest: ready, or waiting for a lane.
    private struct InFlight {
        var entry: ManifestEntry
        var slot: LaneSlot?
    }

    /// Files at least this big go to the least loaded lane; smaller ones go to their folder's lane, so
    /// that a restore reading the archives in parallel creates files in different folders.
    private static let largeFile: Int64 = 1 << 20
    /// A grown file's earlier version must be at least this big for storing only the new bytes to pay.
    private static let smallestTailBase: Int64 = 64 << 10
    /// After this many tails a grown file is stored whole again, bounding how many archives a restore
    /// of it reads and how long its manifest line gets.
    private static let maxTails = 32
    private static let maxInFlight = 2048

    init(request: BackupRequest, id: String, parent: BackupRecord?, folder: String, repository: Repository) {
        self.request = request
        self.id = id
        self.parent = parent
        self.folder = folder
        self.repository = repository
        parentStartNs = parent?.startedDate.map { Int64($0.timeIntervalSince1970 * 1e9) } ?? 0
        laneBytes = Array(repeating: 0, count: max(1, request.lanes))
    }

    func run(progress: (BackupProgress) -> Void) throws -> (BackupRecord.Stats, [BackupRecord.Object], [String]) {
        if let parent, let object = parent.manifestObject {
            parentReader = try repository.manifestReader(repository.objectKey(service: parent.service, id: parent.id, name: object.name))
            parentEntry = try parentReader?.next()
        }
        let manifestObject = try repository.createObject("\(folder)/\(ManifestFile.objectName)")
        let lanes = ArchiveLanes(repository: repository, folder: folder, level: request.compressionLevel, limit: request.archiveSizeLimit, lanes: laneBytes.count)
        do {
            let roots = request.paths.map { TreePath(absolute: $0) }.sorted().map(\.description)
            let manifest = try ManifestWriter(sink: manifestObject.sink, level: request.compressionLevel,
                                              header: ManifestHeader(backup: id, service: request.service, roots: roots))
            let expected = parent?.stats.totalBytes
            var scanned = 0
            func report() {
                progress(BackupProgress(service: request.service, entriesScanned: scanned, filesStored: stats.filesStored,
                                        bytesRead: stats.bytesRead, expectedBytes: expected))
            }
            try TreeScanner(sources: request.paths, readFrom: request.readFrom, excludes: request.excludes).walk({ entry in
                scanned += 1
                if let waiting = try self.dispatch(entry, lanes: lanes) { self.inFlight.append(waiting) }
                try self.drain(lanes: lanes, into: manifest, waitForRoom: true)
                report()
                return true
            }, problem: { self.skip($0) })
            try drain(lanes: lanes, into: manifest, waitForAll: true)
            report()
            let dataObjects = try lanes.finish()
            try manifest.finish()
            let manifestCommitted = try manifestObject.commit()
            return (stats, dataObjects + [manifestCommitted], warnings)
        } catch {
            lanes.abort()
            manifestObject.discard()
            throw error
        }
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

    /// Decides what happens to one scanned entry and hands any work to a lane. Nil for entries that
    /// are not backed up (sockets, devices).
    private func dispatch(_ scanned: ScannedEntry, lanes: ArchiveLanes) throws -> InFlight? {
        let status = scanned.status
        let previous = try parentEntry(at: scanned.path)
        switch status.kind {
        case .directory, .symlink:
            let slot = LaneSlot()
            lanes.submit(.metadata(scanned, slot), lane: 0)
            if status.kind == .directory {
                // Every archive holds every folder: whichever archive plain tar extracts last sets the
                // folders' times after the files written into them (see docs/repository-format.md).
                for lane in 1..<lanes.count { lanes.submit(.metadata(scanned, LaneSlot()), lane: lane) }
            }
            return InFlight(entry: ManifestEntry(path: scanned.path, kind: status.kind == .directory ? .directory : .symlink, status: status), slot: slot)
        case .regular:
            let key = HardlinkKey(device: status.device, inode: status.inode)
            if status.links > 1, let first = hardlinks[key] {
                var entry = ManifestEntry(path: scanned.path, kind: .hardlink, status: status)
                entry.hardlinkTarget = first.path
                let slot = LaneSlot()
                lanes.submit(.hardlink(scanned, linkTarget: first.path, slot), lane: first.lane)
                return InFlight(entry: entry, slot: slot)
            }
            if let previous, isUnchanged(previous, status) {
                if status.links > 1 { hardlinks[key] = (scanned.path, 0) }
                return InFlight(entry: previous, slot: nil)
            }
            let lane = chooseLane(for: scanned, lanes: lanes)
            if status.links > 1 { hardlinks[key] = (scanned.path, lane) }
            let slot = LaneSlot()
            let cost = max(status.size, 4096)
            if let previous, mayHaveGrown(previous, status) {
                lanes.submit(.grown(scanned, previous: previous, slot), lane: lane, cost: cost)
                return InFlight(entry: previous, slot: slot)
            }
            lanes.submit(.file(scanned, slot), lane: lane, cost: cost)
            return InFlight(entry: ManifestEntry(path: scanned.path, kind: .file, status: status), slot: slot)
        default:
            skip("skipped \(scanned.path): \(status.kind.rawValue) files are not backed up")
            return nil
        }
    }

    /// Large files and each folder's first small file go to the lane furthest ahead (least work
    /// waiting, then fewest bytes so far), so that the lanes finish together.
    private func chooseLane(for scanned: ScannedEntry, lanes: ArchiveLanes) -> Int {
        let size = scanned.status.size
        let lane: Int
        if size >= Self.largeFile {
            lane = lanes.leastBehind(assigned: laneBytes)
        } else {
            let folder = TreePath(bytes: Array(scanned.path.bytes[..<(scanned.path.bytes.lastIndex(of: UInt8(ascii: "/")) ?? 0)]))
            if let known = folderLanes[folder] {
                lane = known
            } else {
                lane = lanes.leastBehind(assigned: laneBytes)
                folderLanes[folder] = lane
            }
        }
        laneBytes[lane] += max(size, 4096)
        return lane
    }

    /// Writes the manifest lines of every entry at the head of the queue whose lane is done. With
    /// `waitForRoom`, waits while the queue is full; with `waitForAll`, until it is empty.
    private func drain(lanes: ArchiveLanes, into manifest: ManifestWriter, waitForRoom: Bool = false, waitForAll: Bool = false) throws {
        while inFlightHead < inFlight.count {
            let waiting = inFlight[inFlightHead]
            var outcome: LaneOutcome?
            if let slot = waiting.slot {
                let mustWait = waitForAll || (waitForRoom && inFlight.count - inFlightHead >= Self.maxInFlight)
                outcome = mustWait ? try lanes.outcome(of: slot) : try lanes.outcomeIfReady(slot)
                if outcome == nil { break }
            }
            inFlightHead += 1
            if let line = finalize(waiting.entry, outcome) {
                for piece in line.pieces { references.insert(piece.archiveRef) }
                try manifest.append(line)
            }
        }
        if inFlightHead > 1024 {
            inFlight.removeFirst(inFlightHead)
            inFlightHead = 0
        }
    }

    /// The manifest line for an entry once its lane is done (or nil when it was skipped).
    private func finalize(_ template: ManifestEntry, _ outcome: LaneOutcome?) -> ManifestEntry? {
        var entry = template
        switch outcome {
        case nil:
            break  // unchanged: the parent's line as it is
        case .metadata(let stored):
            entry.xattrs = stored.xattrs
            if entry.kind == .symlink { entry.symlinkTarget = stored.symlinkTarget ?? [] }
        case .hardlink(let target):
            entry.hardlinkTarget = target
        case .stored(let stored, let archive):
            entry = ManifestEntry(path: template.path, kind: .file, status: stored.status)
            entry.ref = id
            entry.archive = archive
            entry.sparse = stored.sparse
            record(stored, in: &entry)
        case .appended(let tail, let archive):
            // The template is the parent's line: its base and tails stay, the new bytes follow them.
            entry = ManifestEntry(path: template.path, kind: .file, status: tail.content.status)
            entry.ref = template.ref
            entry.archive = template.archive
            entry.baseSHA256 = template.tails.isEmpty ? template.sha256 : template.baseSHA256
            entry.tails = template.tails + [ContentPiece(ref: id, archive: archive, offset: tail.offset, size: tail.size, sha256: tail.sha256.hex)]
            record(tail.content, in: &entry)
            stats.filesAppended = (stats.filesAppended ?? 0) + 1
        case .skipped(let message, let vanished):
            if !vanished { skip(message) }
            return nil
        }
        switch entry.kind {
        case .directory: stats.directories += 1
        case .symlink: stats.symlinks += 1
        case .hardlink: stats.hardlinks += 1
        case .file:
            stats.files += 1
            stats.totalBytes += entry.size
        }
        entry.user = names.user(entry.uid)
        entry.group = names.group(entry.gid)
        return entry
    }

    /// Fills in what reading a file produced and counts it.
    private func record(_ stored: StoredContent, in entry: inout ManifestEntry) {
        entry.sha256 = stored.sha256.hex
        entry.xattrs = stored.xattrs
        if !stored.consistent {
            entry.inconsistent = true
            stats.inconsistentFiles += 1
            warnings.append("\(entry.path) changed while it was read; stored as inconsistent")
        }
        stats.filesStored += 1
        stats.bytesRead += stored.status.size
    }

    /// A file bigger than its parent version, which was stored without holes: it may only have grown.
    /// The lane proves it by content before storing only the new bytes — which also holds when the
    /// parent version was flagged inconsistent (a live log grows while it is read): the file starts
    /// with exactly the bytes stored then, whatever they mixed.
    private func mayHaveGrown(_ previous: ManifestEntry, _ status: FileStatus) -> Bool {
        previous.kind == .file && !previous.sparse && status.links == 1
            && previous.size >= Self.smallestTailBase && status.size > previous.size && previous.tails.count < Self.maxTails
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
