import Foundation
import LifeboatNative

extension BackupBrowser {
    /// `dump`: writes the content of the file at `path` in `record` to `sink`, piece by piece (a grown
    /// file's base, then its tails), holes as zeros, each piece checked against its SHA-256 and the
    /// whole against the file's. Reads only the archives that hold the file. A mismatch throws after the
    /// bytes were written: the caller must say the output is not to be trusted.
    @discardableResult
    public func dump(service: String, selector: BackupSelector, path: TreePath, to sink: any ByteSink) throws -> (bytes: Int64, sha256: String) {
        try repository.reading(service: service, purpose: "dump") {
            let record = try self.record(service: service, selector: selector)
            let entry = try fileEntry(record, path: path)
            var written: Int64 = 0
            let whole = SHA256Hasher()
            let zeros = [UInt8](repeating: 0, count: 64 << 10)
            func fill(_ count: Int64) throws {
                var left = count
                while left > 0 {
                    let n = Int(min(left, Int64(zeros.count)))
                    try zeros.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                    whole.updateZeros(Int64(n))
                    left -= Int64(n)
                }
            }
            for piece in entry.pieces {
                guard piece.offset == written else {
                    throw LifeboatError(.corrupt, "the manifest of backup \(record.id) lists the pieces of /\(entry.path) with a gap or an overlap at \(written) (damaged or crafted); run `lifeboat verify \(record.service) --objects`")
                }
                let label = "object services/\(record.service)/\(piece.ref)/\(piece.archive)"
                let key = repository.objectKey(service: record.service, id: piece.ref, name: piece.archive)
                guard let source = try repository.store.open(key) else {
                    try repository.throwIfPruned(service: record.service, id: piece.ref)
                    throw LifeboatError(.corrupt, "\(label) is missing: /\(path) of backup \(record.id) cannot be read")
                }
                do {
                    let reader = try TarReader(source: source)
                    // Archives are in tree order too: stop once past the path.
                    var header = try reader.next()
                    while let found = header, TreePath(bytes: found.path) < entry.path { header = try reader.next() }
                    guard let found = header, found.path == entry.path.bytes, found.kind == .regular else {
                        throw LifeboatError(.corrupt, "\(label) does not contain /\(entry.path) as a file (truncated or damaged)")
                    }
                    // Before reading: a sparse entry claiming far more than the manifest would be hashed for hours.
                    guard found.size == piece.size else {
                        throw LifeboatError(.corrupt, "\(label) is damaged: its entry for /\(entry.path) claims \(found.size) bytes, the manifest \(piece.size)")
                    }
                    var position: Int64 = 0
                    let digest = try reader.hashedBlocks(size: piece.size) { block, offset in
                        guard offset + Int64(block.count) <= piece.size else {
                            throw LifeboatError(.corrupt, "\(label) holds more than the \(piece.size) bytes the manifest lists for /\(entry.path)")
                        }
                        if offset > position { try fill(offset - position) }
                        try sink.write(block)
                        whole.update(block)
                        position = offset + Int64(block.count)
                    }
                    if piece.size > position { try fill(piece.size - position) }
                    written += piece.size
                    guard digest.hex == piece.sha256 else {
                        throw LifeboatError(.corrupt, "\(label) is damaged: the \(piece.size) bytes of /\(entry.path) at offset \(piece.offset) do not match their SHA-256; the output is not to be trusted")
                    }
                } catch let error as LifeboatError {
                    throw error
                } catch let error as NativeError where error.library == .posix && error.operation.hasPrefix("write") {
                    throw LifeboatError(.io, "cannot write /\(entry.path): \(error)", cause: error)
                } catch {
                    throw LifeboatError(.corrupt, "\(label) is damaged (\(error)): /\(entry.path) cannot be read; the output is not to be trusted", cause: error)
                }
            }
            let digest = whole.finalize().hex
            guard written == entry.size, digest == entry.sha256 else {
                throw LifeboatError(.corrupt, "/\(entry.path) of backup \(record.id) does not match its SHA-256 in the manifest; the output is not to be trusted")
            }
            return (written, digest)
        }
    }

    /// The manifest entry of the regular file at `path` (a hard link's first name stands in for it).
    private func fileEntry(_ record: BackupRecord, path: TreePath) throws -> ManifestEntry {
        var wanted = path
        var found: ManifestEntry?
        try entries(of: record) { entry in
            if entry.path == wanted {
                if entry.kind == .hardlink, let target = entry.hardlinkTarget {
                    wanted = target
                    found = nil
                    return false
                }
                found = entry
                return false
            }
            return !(wanted < entry.path)
        }
        if wanted != path {
            // A hard link: its first name precedes it; read again up to there.
            try entries(of: record) { entry in
                if entry.path == wanted { found = entry }
                return entry.path < wanted
            }
        }
        guard let entry = found else {
            throw LifeboatError(.usage, "backup \(record.id) of \(record.service) holds nothing at /\(path); `lifeboat ls \(record.service) --backup \(record.id) /\(path.parent)` lists what is there")
        }
        switch entry.kind {
        case .file: return entry
        case .directory: throw LifeboatError(.usage, "/\(path) is a folder in backup \(record.id); `lifeboat ls` lists it, `lifeboat restore --path` restores it")
        case .symlink: throw LifeboatError(.usage, "/\(path) is a symlink to \(String(decoding: entry.symlinkTarget ?? [], as: UTF8.self)) in backup \(record.id); dump the file it points to")
        case .hardlink: throw LifeboatError(.corrupt, "/\(path) is a hard link to a path the manifest does not hold as a file")
        }
    }
}
