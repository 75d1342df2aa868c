import Foundation
import LifeboatNative

/// What one lane did with one entry.
enum LaneOutcome: Sendable {
    case stored(StoredContent, archive: String)
    case metadata(StoredMetadata)
    case hardlink
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
/// one single-threaded zstd context per lane.
///
/// All mutable state is guarded by `condition`; the `TarWriter`s never leave their lane's thread.
final class ArchiveLanes: @unchecked Sendable {
    enum Job: Sendable {
        case file(ScannedEntry, LaneSlot)
        case metadata(ScannedEntry, LaneSlot)
        case hardlink(ScannedEntry, linkTarget: TreePath, LaneSlot)
    }

    let count: Int
    private let folder: String
    private let level: Int
    private let limit: Int64
    private let condition = NSCondition()
    private var queues: [[Job]]
    private var heads: [Int]
    private var finishing = false
    private var aborted = false
    private var failure: (any Error)?
    private var running: Int
    private var committed: [BackupRecord.Object] = []
    /// Lane k's first archive is `data-000(k+1)`; archives started when one fills up are numbered on.
    private var nextNumber: Int

    init(folder: String, level: Int, limit: Int64, lanes: Int) {
        self.folder = folder
        self.level = level
        self.limit = limit
        count = max(1, lanes)
        queues = Array(repeating: [], count: count)
        heads = Array(repeating: 0, count: count)
        running = count
        nextNumber = count + 1
        for lane in 0..<count {
            let thread = Thread { [self] in run(lane: lane) }
            thread.name = "lifeboat-archive-\(lane)"
            thread.start()
        }
    }

    func submit(_ job: Job, lane: Int) {
        condition.lock()
        queues[lane].append(job)
        condition.broadcast()
        condition.unlock()
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

    private func nextJob(lane: Int) -> Job? {
        condition.lock()
        defer { condition.unlock() }
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

    /// Names the lane's next archive: its own number first, then the next free one.
    private func allocateName(lane: Int, first: Bool) -> String {
        condition.lock()
        defer { condition.unlock() }
        var number = lane + 1
        if !first {
            number = nextNumber
            nextNumber += 1
        }
        return String(format: "data-%04d.tar.zst", number)
    }

    private func run(lane: Int) {
        var started = false
        var archive = LaneArchive(folder: folder, level: level, limit: limit) { [self] in
            defer { started = true }
            return allocateName(lane: lane, first: !started)
        }
        while let job = nextJob(lane: lane) {
            do {
                switch job {
                case .file(let entry, let slot):
                    let writer = try archive.writer()
                    let stored = try writer.appendRegularFile(sourcePath: entry.absolute, archivePath: entry.path.bytes)
                    complete(slot, .stored(stored, archive: archive.current))
                case .metadata(let entry, let slot):
                    complete(slot, .metadata(try archive.writer().appendMetadata(sourcePath: entry.absolute, archivePath: entry.path.bytes)))
                case .hardlink(let entry, let target, let slot):
                    try archive.writer().appendHardlink(sourcePath: entry.absolute, archivePath: entry.path.bytes, linkTarget: target.bytes)
                    complete(slot, .hardlink)
                }
            } catch let error as NativeError where error.isSourceError {
                let slot: LaneSlot
                let entry: ScannedEntry
                switch job {
                case .file(let e, let s), .metadata(let e, let s), .hardlink(let e, _, let s): (entry, slot) = (e, s)
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
        } else {
            do {
                let objects = try archive.finish()
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

/// The archive a lane is writing, rolled over at the size limit. Lives on the lane's thread only.
private struct LaneArchive {
    let folder: String
    let level: Int
    let limit: Int64
    let name: () -> String
    private(set) var current = ""
    private var pending: PendingObject?
    private var tar: TarWriter?
    private var committed: [BackupRecord.Object] = []

    init(folder: String, level: Int, limit: Int64, name: @escaping () -> String) {
        self.folder = folder
        self.level = level
        self.limit = limit
        self.name = name
    }

    /// The writer for the next entry; starts a new archive when there is none or the current is full.
    mutating func writer() throws -> TarWriter {
        if let tar, let pending, pending.sink.bytesWritten < limit { return tar }
        try finishCurrent()
        current = name()
        let object = try PendingObject(finalPath: "\(folder)/\(current)")
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
