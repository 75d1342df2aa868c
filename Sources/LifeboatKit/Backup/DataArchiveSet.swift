import LifeboatNative

/// The data archives of one backup (`data-0001.tar.zst`, `data-0002.tar.zst`, ...): a new one is started
/// when the current one reaches the size limit, so no single object grows without bound.
final class DataArchiveSet {
    private let folder: String
    private let level: Int
    private let limit: Int64
    private var index = 0
    private var pending: PendingObject?
    private(set) var writer: TarWriter?
    private(set) var currentName = ""
    private(set) var committed: [BackupRecord.Object] = []

    init(folder: String, level: Int, limit: Int64) {
        self.folder = folder
        self.level = level
        self.limit = limit
    }

    /// The writer to append the next entry to, rolling over to a new archive if the current one is full.
    func current() throws -> TarWriter {
        if let writer, let pending, pending.sink.bytesWritten < limit { return writer }
        try finishCurrent()
        index += 1
        currentName = String(format: "data-%04d.tar.zst", index)
        let object = try PendingObject(finalPath: "\(folder)/\(currentName)")
        do {
            let writer = try TarWriter(sink: object.sink, compressionLevel: level)
            self.writer = writer
            pending = object
            return writer
        } catch {
            object.discard()
            throw LifeboatError(.io, "cannot start \(currentName): \(error)", cause: error)
        }
    }

    /// Finishes the last archive; returns every committed archive.
    func finish() throws -> [BackupRecord.Object] {
        if writer == nil { _ = try current() }  // an empty tree still gets a (valid, empty) archive
        try finishCurrent()
        return committed
    }

    private func finishCurrent() throws {
        guard let writer, let pending else { return }
        do {
            try writer.finish()
        } catch {
            pending.discard()
            throw LifeboatError(.io, "cannot finish \(currentName): \(error)", cause: error)
        }
        committed.append(try pending.commit())
        self.writer = nil
        self.pending = nil
    }
}
