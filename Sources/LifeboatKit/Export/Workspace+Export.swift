import Foundation
import LifeboatNative

/// What `lifeboat export` wrote.
public struct ExportResult: Sendable, Codable {
    public var service: String
    public var backup: String
    public var entries: Int
    public var bytes: Int64
}

extension Workspace {
    /// Writes one backup's whole tree as a single plain pax tar archive compressed with zstd — no
    /// encryption, no Lifeboat needed to read it (`zstd -d | tar -x`) — into `sink`.
    ///
    /// The backup is restored (checked against its manifest, decrypted) into a private scratch folder
    /// first, then archived in manifest order, so incrementals export as the complete tree of their
    /// point in time and hard links follow the files they name. The scratch folder needs room for
    /// the tree and is removed afterwards (also on a signal). The whole export holds a reader lease of
    /// the service (`Repository.reading`).
    public func export(service: Service, selector: BackupSelector, to sink: any ByteSink, scratchParent: String? = nil) throws -> ExportResult {
        try repository.reading(service: service.name, purpose: "export") {
            try exportReading(service: service, selector: selector, to: sink, scratchParent: scratchParent)
        }
    }

    private func exportReading(service: Service, selector: BackupSelector, to sink: any ByteSink, scratchParent: String?) throws -> ExportResult {
        let scratch = try makeScratchFolder(prefix: "lifeboat-export", in: scratchParent)
        defer { removeScratchFolder(scratch) }
        let target = "\(scratch)/tree"
        var request = RestoreRequest(service: service.name, selector: selector, target: target)
        request.durable = false
        let restored = try RestoreEngine(repository: repository).restore(request)
        let record = restored.record
        guard let manifest = record.manifestObject else {
            throw LifeboatError(.corrupt, "backup \(record.id) of \(record.service): backup.json lists no manifest")
        }
        let reader = try repository.manifestReader(repository.objectKey(service: record.service, id: record.id, name: manifest.name))
        let tar = try TarWriter(sink: sink, compressionLevel: config.compressionLevel, threads: 2)
        var result = ExportResult(service: service.name, backup: record.id, entries: 0, bytes: 0)
        while let entry = try reader.next() {
            let disk = Array("\(restored.target == "/" ? "" : restored.target)/".utf8) + entry.path.bytes
            do {
                switch entry.kind {
                case .file:
                    result.bytes += try tar.appendRegularFile(sourcePath: disk, archivePath: entry.path.bytes).status.size
                case .directory, .symlink:
                    _ = try tar.appendMetadata(sourcePath: disk, archivePath: entry.path.bytes)
                case .hardlink:
                    guard let link = entry.hardlinkTarget else { continue }
                    try tar.appendHardlink(sourcePath: disk, archivePath: entry.path.bytes, linkTarget: link.bytes)
                }
            } catch {
                throw LifeboatError(.io, "cannot export \(entry.path) of backup \(record.id): \(error)", cause: error)
            }
            result.entries += 1
        }
        try tar.finish()
        return result
    }
}
