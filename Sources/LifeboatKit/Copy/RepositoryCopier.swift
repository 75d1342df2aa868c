import Foundation
import LifeboatNative
import Logging

/// Copies the backups one repository has and another lacks, oldest first (a parent always arrives
/// before the incrementals built on it). Each object streams from the source (decrypted if the source
/// is encrypted) into the target (encrypted with the target's key if it is), in bounded memory; the
/// bytes read must hash to the SHA-256 the source's `backup.json` records, and the object stored must
/// read back with the SHA-256 and size the target reported on commit. The target's `backup.json`
/// (with the target's object sizes and hashes) is written last, so a copy cut short leaves no backup
/// in the target, only a folder the next copy removes and redoes: copies are idempotent and resumable.
public struct RepositoryCopier: Sendable {
    public let source: Repository
    public let target: Repository
    public let targetName: String
    private let logger = Logger(label: "lifeboat.copy")

    public init(source: Repository, target: Repository, targetName: String) {
        self.source = source
        self.target = target
        self.targetName = targetName
    }

    /// Copies under the target's service lock and a reader lease of the source's service, so that no
    /// prune of the source removes a backup while it is copied.
    public func copy(service: String) throws -> CopyReport {
        try source.reading(service: service, purpose: "copy") { try copyReading(service: service) }
    }

    private func copyReading(service: String) throws -> CopyReport {
        let lock = try target.store.lock(service: service, purpose: "copy")
        defer { withExtendedLifetime(lock) {} }
        var report = CopyReport(service: service, target: targetName)
        let existing = target.listing(service: service)
        // Leftovers of an interrupted copy are removed where the target allows deletes; where it does not
        // (a write-only off-site account), copying again over them is just as good: objects are
        // replaced whole and backup.json comes last.
        for id in existing.incomplete + target.removalLeftovers(service: service) {
            try? target.store.deleteFolder(target.backupFolder(service: service, id: id))
            report.resumed.append(id)
        }
        let present = Set(existing.records.map(\.id) + existing.damaged.map(\.id))
        // What the target holds whole: an incremental is copied only onto these.
        var whole = Set(existing.records.map(\.id))
        for record in source.listing(service: service).records where record.status == "complete" || record.status == "partial" {
            if present.contains(record.id) {
                report.present.append(record.id)
                continue
            }
            // An incremental needs its parent and every backup whose archives it refers to.
            let needs = ([record.parent].compactMap { $0 } + (record.references ?? []).compactMap { $0.split(separator: "/").first.map(String.init) })
            if let missing = needs.first(where: { $0 != record.id && !whole.contains($0) }) {
                report.failed.append("\(record.id): backup \(missing), which it builds on, is not whole in \(targetName) (not copied, or damaged there)")
                continue
            }
            do {
                report.copied.append(try copy(record, under: lock))
                whole.insert(record.id)
            } catch let error as SourceDamage {
                report.failed.append("\(record.id): \(error.message)")
                try? target.store.deleteFolder(target.backupFolder(service: service, id: record.id))
            }
        }
        return report
    }

    private func copy(_ record: BackupRecord, under lock: any StoreLock) throws -> CopyReport.Copied {
        let clock = ContinuousClock.now
        let started = Date()
        var objects: [BackupRecord.Object] = []
        for object in record.objects {
            FaultPoint.copyMidObjects.reach()
            objects.append(try copy(object, of: record))
        }
        var copied = record
        copied.objects = objects
        copied.stats.bytesStored = objects.reduce(0) { $0 + $1.size }
        FaultPoint.copyBeforeCommit.reach()
        try lock.confirm()
        _ = try target.store.write(try jsonBytes(copied), to: "\(target.backupFolder(service: record.service, id: record.id))/backup.json")
        let bytes = copied.stats.bytesStored
        try source.write(copy: CopyRecord(
            id: "\(record.id)-\(target.info.id.prefix(8))", service: record.service, backup: record.id, target: targetName,
            targetID: target.info.id, targetLocation: target.location, started: Timestamp.format(started),
            finished: Timestamp.format(Date()), objects: objects.count, bytes: bytes))
        logger.info("backup copied", metadata: ["service": "\(record.service)", "id": "\(record.id)", "to": "\(targetName)"])
        return .init(backup: record.id, objects: objects.count, bytes: bytes, seconds: (ContinuousClock.now - clock).inSeconds)
    }

    /// Streams one object across and checks both ends.
    private func copy(_ object: BackupRecord.Object, of record: BackupRecord) throws -> BackupRecord.Object {
        let key = source.objectKey(service: record.service, id: record.id, name: object.name)
        let reader: any ByteSource
        do {
            reader = try source.openObject(key)
        } catch {
            throw SourceDamage(message: "object \(key) of the source cannot be read: \(error)")
        }
        let upload = try target.createObject(key)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        let stored: BackupRecord.Object
        do {
            while true {
                let n: Int
                do {
                    n = try reader.read(into: buffer)
                } catch {
                    throw SourceDamage(message: "object \(key) of the source cannot be read: \(error)")
                }
                if n == 0 { break }
                try upload.sink.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
            let digest: SHA256Digest
            do {
                digest = try reader.drainAndDigest()
            } catch {
                throw SourceDamage(message: "object \(key) of the source cannot be read: \(error)")
            }
            guard digest.hex == object.sha256, reader.bytesRead == object.size else {
                throw SourceDamage(message: "object \(key) of the source is damaged (\(reader.bytesRead) bytes with SHA-256 \(digest.hex), backup.json says \(object.size) bytes with \(object.sha256)); run `lifeboat verify \(record.service) --objects`")
            }
            stored = try upload.commit()
        } catch {
            upload.discard()
            // Damage in the source skips this backup; anything else (the target's disk is full, the
            // network is gone) stops the copy: the next run resumes it.
            if error is SourceDamage || error is LifeboatError { throw error }
            throw LifeboatError(.io, "cannot write object \(key) to \(target.location): \(error)", cause: error)
        }
        // Read back what the target now holds: the copy counts only once it is known to be whole.
        let check = try target.openObject(key)
        let arrived = try check.drainAndDigest()
        guard arrived.hex == stored.sha256, check.bytesRead == stored.size else {
            throw LifeboatError(.io, "object \(key) did not arrive intact in \(target.location) (read back \(check.bytesRead) bytes with SHA-256 \(arrived.hex), wrote \(stored.size) with \(stored.sha256)); run the copy again")
        }
        return stored
    }
}

/// The source's copy of an object is missing, unreadable or not what its `backup.json` says: that
/// backup is skipped (and reported), the copy goes on with the others.
struct SourceDamage: Error {
    let message: String
}
