import Foundation
import LifeboatNative

/// A repository in an S3 bucket (AWS S3, MinIO, Ceph RGW, …) under `s3://bucket/prefix`.
///
/// Objects appear whole when their upload completes, so there are no temporary names: an upload that
/// fails is aborted, and a process killed mid-upload leaves an incomplete multipart upload that S3
/// keeps invisible and bills until aborted: `doctor` lists those older than a day and `repair`
/// aborts them (as would a bucket lifecycle rule). Reads stream with
/// ranged GETs fetched ahead in parallel; uploads stream as multipart uploads in bounded memory.
public struct S3Store: ObjectStore {
    public let bucket: S3Location
    let client: S3Client

    public init(location: S3Location, client: S3Client) {
        bucket = location
        self.client = client
    }

    public var location: String { bucket.description }

    func fullKey(_ key: String) -> String { bucket.key(key) }
    /// The prefix that lists what is inside `folder` ("" = the repository's top).
    func folderPrefix(_ folder: String) -> String {
        let base = bucket.key(folder)
        return base.isEmpty || base.hasSuffix("/") ? base : base + "/"
    }

    public func create(_ key: String) throws -> any ObjectUpload {
        S3Upload(name: (key as NSString).lastPathComponent, stream: try S3UploadStream(client: client, key: fullKey(key)))
    }

    public func open(_ key: String) throws -> (any ByteSource)? {
        guard let head = try client.head(key: fullKey(key)) else { return nil }
        return try S3ReadStream(client: client, key: fullKey(key), head: head)
    }

    public func read(_ key: String) throws -> [UInt8]? { try client.get(key: fullKey(key)) }

    public func size(_ key: String) throws -> Int64? { try client.head(key: fullKey(key))?.size }

    public func list(_ folder: String) throws -> [StoreEntry] {
        let prefix = folderPrefix(folder)
        let listing = try client.list(prefix: prefix, delimiter: "/")
        let objects = listing.objects.map {
            StoreEntry(name: String($0.key.dropFirst(prefix.count)), isFolder: false, size: $0.size, modified: $0.lastModified)
        }
        let folders = listing.commonPrefixes.map { StoreEntry(name: String($0.dropFirst(prefix.count).dropLast()), isFolder: true) }
        return (objects + folders).filter { !$0.name.isEmpty }.sorted { $0.name < $1.name }
    }

    /// S3 has no folders; preparing the top (`lifeboat init`) creates the bucket when it does not exist.
    public func makeFolder(_ folder: String) throws {
        if folder.isEmpty, try !client.bucketExists() { try client.createBucket() }
    }

    public func delete(_ key: String) throws { try client.delete(key: fullKey(key)) }

    public func deleteFolder(_ folder: String) throws {
        let keys = try client.list(prefix: folderPrefix(folder), delimiter: nil).objects.map(\.key)
        if !keys.isEmpty { try client.deleteMany(keys: keys) }
    }

    /// S3 has no rename: each object is copied (read and written again) and then deleted.
    public func move(_ key: String, to destination: String) throws {
        if let bytes = try client.get(key: fullKey(key)) {
            _ = try client.put(key: fullKey(destination), bytes: bytes)
            try client.delete(key: fullKey(key))
            return
        }
        let prefix = folderPrefix(key)
        for object in try client.list(prefix: prefix, delimiter: nil).objects {
            let relative = String(object.key.dropFirst(prefix.count))
            try move("\(key)/\(relative)", to: "\(destination)/\(relative)")
        }
    }

    /// Deletes the commit record first — one request that makes the backup stop existing — then the
    /// rest. A removal cut short leaves a folder without `backup.json`: debris the next run removes.
    public func removeBackup(_ folder: String, record: String) throws {
        try client.delete(key: fullKey("\(folder)/\(record)"))
        FaultPoint.pruneMidDelete.reach()
        try deleteFolder(folder)
    }

    public func lock(service: String, purpose: String) throws -> any StoreLock {
        try S3Lock(store: self, service: service, purpose: purpose)
    }

    public func locks() throws -> [LockListing] { try S3Lock.list(store: self) }

    public func clearStaleLock(service: String) throws { try S3Lock.clearStale(store: self, service: service) }
}

/// One object being uploaded; `commit()` completes the (multipart) upload and checks what S3 stored.
final class S3Upload: ObjectUpload {
    let name: String
    let stream: S3UploadStream

    init(name: String, stream: S3UploadStream) {
        self.name = name
        self.stream = stream
    }

    var sink: any ByteSink { stream }
    var bytesWritten: Int64 { stream.bytesWritten }

    func commit() throws -> BackupRecord.Object {
        FaultPoint.objectBeforeRename.reach()
        let stored = try stream.finish()
        FaultPoint.objectAfterRename.reach()
        return BackupRecord.Object(name: name, size: stored.size, sha256: stored.sha256.hex)
    }

    func discard() { stream.abort() }
}
