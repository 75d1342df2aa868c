import LifeboatNative

/// Every store is used through this layer, directly above it (below encryption): an upload commits
/// only if the store reports keeping exactly the bytes it was given. A store that loses the end of an
/// object (a lying disk, a proxy cutting a body short) therefore fails the write, and the backup it
/// belonged to never commits. The S3 store also checks the stored size with a HEAD after each upload.
public struct CheckedStore: StoreLayer {
    public let inner: any ObjectStore

    public init(inner: any ObjectStore) { self.inner = inner }

    public func names(in folder: String) throws -> [String] { try inner.names(in: folder) }

    public func create(_ key: String) throws -> any ObjectUpload { CountedUpload(inner: try inner.create(key), key: key, location: inner.display(key)) }
}

/// Counts the bytes given to an upload and compares them with what the store says it kept.
private final class CountedUpload: ObjectUpload, ByteSink {
    let inner: any ObjectUpload
    let key: String
    let location: String
    private var given: Int64 = 0

    init(inner: any ObjectUpload, key: String, location: String) {
        self.inner = inner
        self.key = key
        self.location = location
    }

    var sink: any ByteSink { self }
    var bytesWritten: Int64 { given }

    func write(_ buffer: UnsafeRawBufferPointer) throws {
        try inner.sink.write(buffer)
        given += Int64(buffer.count)
    }

    func commit() throws -> BackupRecord.Object {
        let stored = try inner.commit()
        guard stored.size == given else {
            // The object is visible but its backup will not commit; the next run removes the folder.
            throw LifeboatError(.io, "the store kept \(stored.size) of the \(given) bytes written to \(location); nothing that needs this object was committed. Check the storage, then run again")
        }
        return stored
    }

    func discard() { inner.discard() }
}
