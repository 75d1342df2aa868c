import Foundation
import LifeboatNative

/// An encrypted repository's view of its store: every object of backups and records is encrypted on
/// the way in and authenticated on the way out (AES-256-GCM frames, `docs/repository-format.md`),
/// stored under its name plus `.enc`. The repository description, the wrapped keys and the lock leases
/// stay plain: they are needed before the key is known, or hold nothing secret.
///
/// Callers see plain names and plaintext; sizes and SHA-256s are those of the stored (encrypted)
/// bytes, which is what `backup.json` records and `verify --objects` re-hashes. The object's key is
/// authenticated with every frame, so an object moved to another name or backup fails to decrypt.
public struct EncryptedStore: StoreLayer {
    public let inner: any ObjectStore
    let dataKey: [UInt8]
    /// The stored key the data key was unwrapped from (what `key remove` must not take away).
    let keyID: String

    public init(inner: any ObjectStore, dataKey: [UInt8], keyID: String) {
        self.inner = inner
        self.dataKey = dataKey
        self.keyID = keyID
    }

    public static let suffix = ".enc"

    /// Keys kept plain: needed before the data key is known, or secret-free and rewritten in place.
    static func isPlain(_ key: String) -> Bool {
        key == RepositoryInfo.fileName || key.hasPrefix("keys/") || key.hasPrefix("locks/") || key.hasPrefix("quarantine/")
    }

    func stored(_ key: String) -> String { Self.isPlain(key) ? key : key + Self.suffix }

    public func create(_ key: String) throws -> any ObjectUpload {
        let upload = try inner.create(stored(key))
        if Self.isPlain(key) { return upload }
        do {
            return EncryptingUpload(name: (key as NSString).lastPathComponent, inner: upload,
                                    sink: try FrameEncryptingSink(inner: upload.sink, dataKey: dataKey, objectName: key))
        } catch {
            upload.discard()
            throw LifeboatError(.io, "cannot start encrypting \(display(key)): \(error)", cause: error)
        }
    }

    public func open(_ key: String) throws -> (any ByteSource)? {
        guard let source = try inner.open(stored(key)) else { return nil }
        if Self.isPlain(key) { return source }
        do {
            return try FrameDecryptingSource(inner: source, dataKey: dataKey, objectName: key)
        } catch {
            throw LifeboatError(.corrupt, "\(display(stored(key))) cannot be decrypted: \(error)", cause: error)
        }
    }

    public func read(_ key: String) throws -> [UInt8]? {
        if Self.isPlain(key) { return try inner.read(key) }
        guard let source = try open(key) else { return nil }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        do {
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { return out }
                out += buffer[0..<n]
            }
        } catch {
            throw LifeboatError(.corrupt, "\(display(stored(key))) cannot be decrypted: \(error)", cause: error)
        }
    }

    public func size(_ key: String) throws -> Int64? { try inner.size(stored(key)) }

    /// Names as callers wrote them: `.enc` taken off.
    public func list(_ folder: String) throws -> [StoreEntry] {
        try inner.list(folder).map { entry in
            var entry = entry
            let full = folder.isEmpty ? entry.name : "\(folder)/\(entry.name)"
            if !entry.isFolder, entry.name.hasSuffix(Self.suffix), !Self.isPlain(full) {
                entry.name = String(entry.name.dropLast(Self.suffix.count))
            }
            return entry
        }
    }

    public func delete(_ key: String) throws { try inner.delete(stored(key)) }

    /// Quarantine moves what is found as it is stored (encrypted objects keep their `.enc`).
    public func move(_ key: String, to destination: String) throws {
        if try inner.size(stored(key)) != nil {
            try inner.move(stored(key), to: destination + (Self.isPlain(key) ? "" : Self.suffix))
        } else {
            try inner.move(key, to: destination)
        }
    }

    public func removeBackup(_ folder: String, record: String) throws { try inner.removeBackup(folder, record: record + Self.suffix) }
}

/// An upload whose bytes are encrypted before they reach the store's upload.
final class EncryptingUpload: ObjectUpload {
    let name: String
    let inner: any ObjectUpload
    let encrypting: FrameEncryptingSink

    init(name: String, inner: any ObjectUpload, sink: FrameEncryptingSink) {
        self.name = name
        self.inner = inner
        encrypting = sink
    }

    var sink: any ByteSink { encrypting }
    var bytesWritten: Int64 { inner.bytesWritten }

    func commit() throws -> BackupRecord.Object {
        do {
            try encrypting.finish()
        } catch {
            inner.discard()
            throw LifeboatError(.io, "cannot finish encrypting \(name): \(error)", cause: error)
        }
        var object = try inner.commit()
        object.name = name
        return object
    }

    func discard() { inner.discard() }
}
