import Foundation
import LifeboatNative

/// What one lane did with one entry.
enum LaneOutcome: Sendable {
    case stored(StoredContent, archive: String)
    /// Only the bytes after the previous version were stored, in tail archive `archive`.
    case appended(StoredTail, archive: String)
    case metadata(StoredMetadata)
    /// Stored as a hard link to `target` (the first name, or the name that replaced an unreadable one).
    case hardlink(target: TreePath)
    /// The entry could not be read; `vanished` when it was deleted since the scan (not a warning).
    case skipped(String, vanished: Bool)
}

/// One entry on its way into an archive; the lane fills in `outcome` (under the lanes' lock).
final class LaneSlot: @unchecked Sendable {
    fileprivate(set) var outcome: LaneOutcome?
}

/// Data archives written in parallel, one per lane (`data-0001.tar.zst`, `data-0002.tar.zst`, ...), each
/// by its own thread that reads, hashes, compresses and writes the entries it is given. Entries are
/// handed to a lane in tree order, so each archive is in tree order, as restores require. A lane
/// starts a new archive when its current one reaches the size limit. Memory: one 1 MiB buffer and
/// one single-threaded zstd context per lane (two when it also writes a tail archive).
///
/// A file that only grew since the parent (`Job.grown`) is read whole and checked against the
/// parent's SHA-256 over the parent's size; when it matches, only the bytes after that go into the
/// lane's tail archive (`tail-0001.tar.zst`, ...; started when first needed), else the file is stored
/// whole as any other.
///
/// All mutable state is guarded by `condition`; the `TarWriter`s never leave their lane's thread.
final class ArchiveLanes: @unchecked Sendable {
    enum Job: Sendable {
        case file(ScannedEntry, LaneSlot)
        /// A file larger than in the parent, whose parent version was `previous`.
        case grown(ScannedEntry, previous: ManifestEntry, LaneSlot)
        case metadata(ScannedEntry, LaneSlot)
        case hardlink(ScannedEntry, linkTarget: TreePath, LaneSlot)
    }

    let count: Int
    private let repository: Repository
    private let folder: String
    private let level: Int
    private let limit: Int64
    private let condition = NSCondition()
    private var queues: [[(job: Job, cost: Int64)]]
    private var heads: [Int]
    /// Per lane, the cost of the jobs submitted and not yet done: how far behind the lane is.
    private var backlog: [Int64]
    private var finishing = false
    private var aborted = false
    private var failure: (any Error)?
    private var running: Int
    private var committed: [BackupRecord.Object] = []
    /// Lane k's first archive of a kind is `data-000(k+1)` / `tail-000(k+1)`; archives started when
    /// one fills up are numbered on.
    private var nextNumber: [String: Int] = [:]

    init(repository: Repository, folder: String, level: Int, limit: Int64, lanes: Int) {
        self.repository = repository
        self.folder = folder
        self.level = level
        self.limit = limit
        count = max(1, lanes)
        queues = Array(repeating: [], count: count)
        heads = Array(repeating: 0, count: count)
        backlog = Array(repeating: 0, count: count)
        running = count
        for lane in 0..<count {
            let thread = Thread { [self] in run(lane: lane) }
            thread.name = "lifeboat-archive-\(lane)"
            thread.start()
        }
    }

    /// Queues `job` on `lane`; `cost` (about the bytes it reads) counts towards the lane's backlog.
    func submit(_ job: Job, lane: Int, cost: Int64 = 0) {
        condition.lock()
        queues[lane].append((job, cost))
        backlog[lane] += cost
        condition.broadcast()
        condition.unlock()
    }

    /// The lane with the least work waiting; among equals, the one with the least `assigned` so far.
    /// Compressing costs differ by content (logs take far longer than random blobs), so balancing the
    /// bytes handed out is not enough: one lane would finish long after the other.
    func leastBehind(assigned: [Int64]) -> Int {
        condition.lock()
        defer { condition.unlock() }
        return backlog.indices.min { (backlog[$0], assigned[$0]) < (backlog[$1], assigned[$1]) }!
    }

    /// Waits until `slot` has its outcome; throws the first lane failure instead.
    func outcome(of slot: LaneSlot) throws -> LaneOutcome {
        condition.lock()
        defer { condition.unlock() }
        while slot.outcome == nil && failure == nil { condition.wait() }
        if let failure { throw failure }
        return slot.outcome!
    }

    /// The outcome when it is already there (never waits).
    func outcomeIfReady(_ slot: LaneSlot) throws -> LaneOutcome? {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        return slot.outcome
    }

    /// Finishes every lane's last archive and returns all committed archives, by name.
    func finish() throws -> [BackupRecord.Object] {
        condition.lock()
        finishing = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        defer { condition.unlock() }
        if let failure { throw failure }
        return committed.sorted { $0.name < $1.name }
    }

    /// Stops every lane after its current entry, discarding unfinished archives; waits for them.
    func abort() {
        condition.lock()
        aborted = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    /// The lane's next job; `finished` is the cost of the job it just did.
    private func nextJob(lane: Int, finished: Int64) -> (job: Job, cost: Int64)? {
        condition.lock()
        defer { condition.unlock() }
        backlog[lane] -= finished
        while true {
            if aborted || failure != nil { return nil }
            if heads[lane] < queues[lane].count {
                let job = queues[lane][heads[lane]]
                heads[lane] += 1
                if heads[lane] > 256 {
                    queues[lane].removeFirst(heads[lane])
                    heads[lane] = 0
                }
                return job
            }
            if finishing { return nil }
            condition.wait()
        }
    }

    private func complete(_ slot: LaneSlot, _ outcome: LaneOutcome) {
        condition.lock()
        slot.outcome = outcome
        condition.broadcast()
        condition.unlock()
    }

    private func fail(_ error: any Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// Names the lane's next archive of a kind (`data`, `tail`): its own number first, then the next free one.
    private func allocateName(_ kind: String, lane: Int, first: Bool) -> String {
        condition.lock()
        defer { condition.unlock() }
        var number = lane + 1
        if !first {
            number = nextNumber[kind, default: count + 1]
            nextNumber[kind] = number + 1
        }
        return kind + String(format: "-%04d.tar.zst", number)
    }

    private func laneArchive(_ kind: String, lane: Int) -> LaneArchive {
        var started = false
        return LaneArchive(repository: repository, folder: folder, level: level, limit: limit) { [self] in
            defer { started = true }
            return allocateName(kind, lane: lane, first: !started)
        }
    }

    private func run(lane: Int) {
        var archive = laneArchive("data", lane: lane)
        var tails = laneArchive("tail", lane: lane)
        var links = LaneLinks()
        var finished: Int64 = 0
        while let (job, cost) = nextJob(lane: lane, finished: finished) {
            finished = cost
            do {
                switch job {
                case .file(let entry, let slot):
                    let writer = try archive.writer(before: entry)
                    do {
                        let stored = try writer.appendRegularFile(sourcePath: entry.absolute, archivePath: entry.path.bytes)
                        if entry.status.links > 1 { links.stored[entry.path] = archive.current }
                        complete(slot, .stored(stored, archive: archive.current))
                    } catch let error as NativeError where error.isSourceError {
                        links.skipped.insert(entry.path)
                        throw error
                    }
                case .grown(let entry, let previous, let slot):
                    if let digest = previous.sha256.flatMap(SHA256Digest.init(hex:)),
                       let file = try GrownFile.open(entry.absolute, prefixSize: previous.size, prefixSHA256: digest) {
                        let stored = try tails.writer(before: entry).appendTail(file, archivePath: entry.path.bytes)
                        complete(slot, .appended(stored, archive: tails.current))
                    } else {
                        let stored = try archive.writer(before: entry).appendRegularFile(sourcePath: entry.absolute, archivePath: entry.path.bytes)
                        complete(slot, .stored(stored, archive: archive.current))
                    }
                case .metadata(let entry, let slot):
                    let stored = try archive.writer(before: entry).appendMetadata(sourcePath: entry.absolute, archivePath: entry.path.bytes)
                    if entry.status.kind == .directory { archive.entered(entry) }
                    complete(slot, .metadata(stored))
                case .hardlink(let entry, let first, let slot):
                    let target = links.relinked[first] ?? first
                    let writer = try archive.writer(before: entry)
                    if links.skipped.contains(target) {
                        // The first name could not be read: this name carries the content instead, and
                        // later names link to it.
                        let stored = try writer.appendRegularFile(sourcePath: entry.absolute, archivePath: entry.path.bytes)
                        links.relinked[first] = entry.path
                        links.stored[entry.path] = archive.current
                        complete(slot, .stored(stored, archive: archive.current))
                    } else if let home = links.stored[target], home != archive.current {
                        // The first name is in an archive this lane has closed: a tar link member could
                        // not reach it, so the archive gets a copy; the manifest still records the link.
                        _ = try writer.appendRegularFile(sourcePath: entry.absolute, archivePath: entry.path.bytes)
                        complete(slot, .hardlink(target: target))
                    } else {
                        try writer.appendHardlink(sourcePath: entry.absolute, archivePath: entry.path.bytes, linkTarget: target.bytes)
                        complete(slot, .hardlink(target: target))
                    }
                }
            } catch let error as NativeError where error.isSourceError {
                let slot: LaneSlot
                let entry: ScannedEntry
                switch job {
                case .file(let e, let s), .grown(let e, _, let s), .metadata(let e, let s), .hardlink(let e, _, let s): (entry, slot) = (e, s)
                }
                complete(slot, .skipped("cannot read \(entry.path): \(error.message)", vanished: error.errno == ENOENT))
            } catch {
                fail(error)
            }
        }
        condition.lock()
        let stop = aborted || failure != nil
        condition.unlock()
        if stop {
            archive.discard()
            tails.discard()
        } else {
            do {
                let objects = try archive.finish() + tails.finish()
                condition.lock()
                committed += objects
                condition.unlock()
            } catch {
                fail(error)
            }
        }
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }
}

/// What a lane remembers about hard-linked files it stored or could not read.
private struct LaneLinks {
    /// First names of hard-link groups stored by this lane, with the archive holding them.
    var stored: [TreePath: String] = [:]
    /// Files this lane could not read.
    var skipped: Set<TreePath> = []
    /// Unreadable first names → the later name that was stored in their place.
    var relinked: [TreePath: TreePath] = [:]
}

/// The archive a lane is writing, rolled over at the size limit. Lives on the lane's thread only.
private struct LaneArchive {
    let repository: Repository
    let folder: String
    let level: Int
    let limit: Int64
    let name: () -> String
    private(set) var current = ""
    private var pending: (any ObjectUpload)?
    private var tar: TarWriter?
    private var committed: [BackupRecord.Object] = []

    init(repository: Repository, folder: String, level: Int, limit: Int64, name: @escaping () -> String) {
        self.repository = repository
        self.folder = folder
        self.level = level
        self.limit = limit
        self.name = name
    }

    /// Folders from the top to the last one entered: the ancestors of what comes next.
    private var openFolders: [ScannedEntry] = []

    /// Records that a folder's entry was written: later entries below it are inside it.
    mutating func entered(_ folder: ScannedEntry) {
        openFolders.append(folder)
    }

    /// The writer for `entry`; starts a new archive when there is none or the current one is full. A
    /// new archive after the first gets `entry`'s ancestor folders again first, so that every archive
    /// holds the folders it writes into (plain tar sets their times from the last archive extracted).
    mutating func writer(before entry: ScannedEntry) throws -> TarWriter {
        while let last = openFolders.last, !(entry.path.isWithin(last.path) && entry.path != last.path) { openFolders.removeLast() }
        if let tar, let pending, pending.bytesWritten < limit { return tar }
        let rollover = tar != nil
        let writer = try newArchive()
        if rollover {
            for folder in openFolders {
                _ = try? writer.appendMetadata(sourcePath: folder.absolute, archivePath: folder.path.bytes)
            }
        }
        return writer
    }

    private mutating func newArchive() throws -> TarWriter {
        try finishCurrent()
        current = name()
        let object = try repository.createObject("\(folder)/\(current)")
        do {
            // One compression thread per lane: the lanes themselves use the cores.
            let writer = try TarWriter(sink: object.sink, compressionLevel: level, threads: 0)
            tar = writer
            pending = object
            return writer
        } catch {
            object.discard()
            throw LifeboatError(.io, "cannot start \(current): \(error)", cause: error)
        }
    }

    mutating func finish() throws -> [BackupRecord.Object] {
        try finishCurrent()
        return committed
    }

    mutating func discard() {
        pending?.discard()
        tar = nil
        pending = nil
    }

    private mutating func finishCurrent() throws {
        guard let tar, let pending else { return }
        do {
            try tar.finish()
        } catch {
            pending.discard()
            throw LifeboatError(.io, "cannot finish \(current): \(error)", cause: error)
        }
        committed.append(try pending.commit())
        self.tar = nil
        self.pending = nil
    }
}
