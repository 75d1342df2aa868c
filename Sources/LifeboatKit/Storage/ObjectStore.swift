import Foundation
import LifeboatNative

/// Where a repository's objects live: a local folder (`LocalStore`) or an S3 bucket (`S3Store`).
/// Everything above this layer (backup, restore, verify, prune, locks, catalog rebuild, doctor) works
/// through it and never learns which, so one conformance suite proves both.
///
/// Keys are relative, `/`-separated paths (`services/web/20261125T100000Z/backup.json`); "folders" are
/// key prefixes. Objects are immutable and appear whole: an upload is visible only once committed.
public protocol ObjectStore: Sendable {
    /// The store for messages and the catalog: a folder path or `s3://bucket/prefix`.
    var location: String { get }

    /// Starts writing `key`; nothing is visible under that key until the upload commits.
    func create(_ key: String) throws -> any ObjectUpload
    /// A streaming reader of `key` that hashes what it reads; nil when there is no such object.
    func open(_ key: String) throws -> (any ByteSource)?
    /// The whole object (small objects: records, descriptions); nil when there is no such object.
    func read(_ key: String) throws -> [UInt8]?
    /// The stored size of `key`; nil when there is no such object.
    func size(_ key: String) throws -> Int64?
    /// What is directly inside `folder` ("" for the top), sorted by name. Names starting with `.` are
    /// included: callers decide what hidden names mean.
    func list(_ folder: String) throws -> [StoreEntry]
    /// The names `list` would return, sorted, without their sizes and times: one directory read, no
    /// `stat` per entry, for folders of many thousand backups.
    func names(in folder: String) throws -> [String]
    /// A value that changes whenever an entry is added to, removed from or renamed in `folder`, with
    /// when it last changed; nil when the store keeps none (S3, which has no folders).
    func folderStamp(_ folder: String) -> FolderStamp?
    /// Creates an empty folder where the store has folders (a local folder; S3 has only key prefixes).
    /// `""` prepares the store itself: the repository's folder, or the S3 bucket.
    func makeFolder(_ folder: String) throws
    /// Removes one object (no error when it is already gone).
    func delete(_ key: String) throws
    /// Removes everything below `folder`.
    func deleteFolder(_ folder: String) throws
    /// Moves an object or folder to another key (doctor's quarantine).
    func move(_ key: String, to destination: String) throws
    /// Makes a committed backup stop existing in one step, then removes its objects. A removal cut
    /// short must leave something no listing takes for a backup (see each store). `record` is the name
    /// of the backup's commit record as stored (`backup.json`, or `backup.json.enc` when encrypted).
    func removeBackup(_ folder: String, record: String) throws

    /// Takes the exclusive lock of one service, or throws `.locked` naming the holder. Never waits.
    func lock(service: String, purpose: String) throws -> any StoreLock
    /// Every service lock with its state.
    func locks() throws -> [LockListing]
    /// Clears a lease whose holder is gone (doctor's repair); a live lock is left alone.
    func clearStaleLock(service: String) throws
}

/// One object being written. `sink` takes the bytes; `commit()` makes the object visible under its key
/// and returns its name, size and the SHA-256 of the stored bytes; `discard()` leaves nothing behind.
public protocol ObjectUpload: AnyObject {
    var sink: any ByteSink { get }
    /// Stored bytes written so far (for archive size limits).
    var bytesWritten: Int64 { get }
    func commit() throws -> BackupRecord.Object
    func discard()
}

/// A held lock; released when the value is released (and, for a local folder, when the process dies).
public protocol StoreLock: AnyObject, Sendable {
    /// Throws `.locked` when the lock may have been lost (an S3 lease that could not be renewed in
    /// time): called right before committing, so nothing commits under a lock someone else may hold.
    func confirm() throws
}

/// One name directly inside a store folder.
public struct StoreEntry: Sendable, Equatable {
    public var name: String
    public var isFolder: Bool
    /// Stored bytes (0 for folders).
    public var size: Int64
    /// Last modification (objects) or nil when the store does not say.
    public var modified: Date?

    public init(name: String, isFolder: Bool, size: Int64 = 0, modified: Date? = nil) {
        self.name = name
        self.isFolder = isFolder
        self.size = size
        self.modified = modified
    }
}

/// One service lock, as `lifeboat locks` shows it.
public struct LockListing: Sendable, Codable, Equatable {
    public var service: String
    /// A live process holds it.
    public var held: Bool
    /// The holder's lease record (host, pid, purpose, started, expires); empty when free.
    public var lease: String
    /// A free lock's leftover lease: its holder died without releasing it (the next run takes it over).
    public var staleLease: String = ""

    public init(service: String, held: Bool, lease: String, staleLease: String = "") {
        self.service = service
        self.held = held
        self.lease = lease
        self.staleLease = staleLease
    }
}

/// See `ObjectStore.folderStamp`.
public struct FolderStamp: Sendable, Equatable {
    public var value: String
    public var changed: Date
}

extension ObjectStore {
    public func names(in folder: String) throws -> [String] { try list(folder).map(\.name) }
    public func folderStamp(_ folder: String) -> FolderStamp? { nil }

    /// Writes `bytes` as a complete object at `key`.
    public func write(_ bytes: [UInt8], to key: String) throws -> BackupRecord.Object {
        let upload = try create(key)
        do {
            try upload.sink.write(bytes)
        } catch {
            upload.discard()
            throw LifeboatError(.io, "cannot write \(display(key)): \(error)", cause: error)
        }
        return try upload.commit()
    }

    /// Whether `key` names an object.
    public func exists(_ key: String) -> Bool { ((try? size(key)) ?? nil) != nil }

    /// The logical size of every object below `folder`.
    public func folderBytes(_ folder: String) -> Int64 {
        ((try? list(folder)) ?? []).reduce(0) { total, entry in
            total + (entry.isFolder ? folderBytes("\(folder)/\(entry.name)") : entry.size)
        }
    }

    /// The store below the layers that wrap one (checking, encryption, injected faults).
    public var unwrapped: any ObjectStore { (self as? any StoreLayer)?.inner.unwrapped ?? self }

    /// `key` as a user finds it: a path below the folder, or an `s3://` URL.
    public func display(_ key: String) -> String { key.isEmpty ? location : "\(location)/\(key)" }
}
