import LifeboatNative

/// A store in front of another (`EncryptedStore`, `CheckedStore`, `FaultyStore`): every operation it
/// does not change goes to `inner` unchanged, so a layer states only what it adds.
public protocol StoreLayer: ObjectStore {
    var inner: any ObjectStore { get }
}

extension StoreLayer {
    public var location: String { inner.location }
    public func create(_ key: String) throws -> any ObjectUpload { try inner.create(key) }
    public func open(_ key: String) throws -> (any ByteSource)? { try inner.open(key) }
    public func read(_ key: String) throws -> [UInt8]? { try inner.read(key) }
    public func size(_ key: String) throws -> Int64? { try inner.size(key) }
    public func list(_ folder: String) throws -> [StoreEntry] { try inner.list(folder) }
    public func folderStamp(_ folder: String) -> FolderStamp? { inner.folderStamp(folder) }
    public func makeFolder(_ folder: String) throws { try inner.makeFolder(folder) }
    public func delete(_ key: String) throws { try inner.delete(key) }
    public func deleteFolder(_ folder: String) throws { try inner.deleteFolder(folder) }
    public func move(_ key: String, to destination: String) throws { try inner.move(key, to: destination) }
    public func removeBackup(_ folder: String, record: String) throws { try inner.removeBackup(folder, record: record) }
    public func lock(service: String, purpose: String) throws -> any StoreLock { try inner.lock(service: service, purpose: purpose) }
    public func locks() throws -> [LockListing] { try inner.locks() }
    public func clearStaleLock(service: String) throws { try inner.clearStaleLock(service: service) }
}
