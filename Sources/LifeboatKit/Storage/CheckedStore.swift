import LifeboatNative

/// Every store is used through this layer, directly above it (below encryption): an upload commits
/// only if the store reports keeping exactly the bytes it was given. A store that loses the end of an
/// object (a lying disk, a proxy cutting a body short) therefore fails the write, and the backup it
/// belonged to never commits. The S3 store also checks the stored size with a HEAD after each upload.
public struct CheckedStore: ObjectStore {
    public let inner: any ObjectStore

    public init(inner: any ObjectStore) { self.inner = inner }

    public var location: String { inner.location }

    public func create(_ key: String) throws -> any ObjectUpload { CountedUpload(inner: try inner.create(key), key: key, location: inner.display(key)) }
    public func open(_ key: String) throws -> (any ByteSource)? { try inner.open(key) }
    public func read(_ key: String) throws -> [UInt8]? { try inner.read(key) }
    public func size(_ key: String) throws -> Int64? { try inner.size(key) }
    public func list(_ folder: String) throws -> [StoreEntry] { try inner.list(folder) }
    public func makeFolder(_ folder: String) throws { try inner.makeFolder(folder) }
    public func delete(_ key: String) throws { try inner.delete(key) }
    public func deleteFolder(_ folder: String) throws { try inner.deleteFolder(folder) }
    public func move(_ key: String, to destination: String) throws { try inner.move(key, to: destination) }
    public func removeBackup(_ folder: String, record: String) throws { try inner.removeBackup(folder, record: record) }
    public func lock(service: String, purpose: String) throws -> any StoreLock { try inner.lock(service: service, purpose: purpose) }
    public func locks() throws -> [LockListing] { try inner.locks() }
    public func clearStaleLock(service: String) throws { try inner.clearStaleLock(service: service) }
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
