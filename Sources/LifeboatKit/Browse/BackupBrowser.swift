import Foundation
import LifeboatNative

/// Reading recovery points without restoring them: a point's tree (`ls`), one file's content (`dump`),
/// a path's versions across points (`find`), what changed between two points (`diff`). Everything
/// streams from the manifests (in tree order) and holds a reader lease of the service, so a prune
/// cannot remove what is being read; see `Browse/README.md`.
public struct BackupBrowser: Sendable {
    public let repository: Repository

    public init(repository: Repository) { self.repository = repository }

    /// Streams `record`'s manifest to `body` until it returns false; then reads the rest of the object
    /// (without parsing it) and checks the whole against `backup.json`, so that nothing taken from a
    /// damaged manifest is reported as good. `body` may already have shown entries by then.
    func entries(of record: BackupRecord, _ body: (ManifestEntry) throws -> Bool) throws {
        guard let object = record.manifestObject else {
            throw LifeboatError(.corrupt, "backup \(record.id) of \(record.service): backup.json lists no manifest")
        }
        let key = repository.objectKey(service: record.service, id: record.id, name: object.name)
        let reader: ManifestReader
        do {
            reader = try repository.manifestReader(key)
        } catch let error as LifeboatError {
            throw error
        } catch {
            throw LifeboatError(.corrupt, "the manifest of backup \(record.id) of \(record.service) is damaged (\(error)); `lifeboat verify \(record.service) --objects` says more", cause: error)
        }
        do {
            while let entry = try reader.next() {
                if try !body(entry) { break }
            }
            if try reader.objectDigest().hex != object.sha256 {
                throw LifeboatError(.corrupt, "the manifest of backup \(record.id) of \(record.service) does not match its SHA-256 in backup.json: what was read from it cannot be trusted; run `lifeboat verify \(record.service) --objects`")
            }
        } catch let error as LifeboatError {
            throw error
        } catch {
            throw LifeboatError(.corrupt, "the manifest of backup \(record.id) of \(record.service) is damaged (\(error)); `lifeboat verify \(record.service) --objects` says more", cause: error)
        }
    }

    /// The backup a selector names (as `restore` resolves it); callers hold the reader lease.
    func record(service: String, selector: BackupSelector) throws -> BackupRecord {
        try RestoreEngine(repository: repository).resolve(service: service, selector: selector)
    }
}

/// One path of a recovery point, for listings.
public struct BrowseEntry: Sendable, Encodable, Equatable {
    /// As on the backed-up host: `/srv/app/config.yml` (invalid UTF-8 shown with replacement characters).
    public var path: String
    /// `file`, `dir`, `symlink` or `hardlink`.
    public var type: String
    public var mode: String
    public var uid: UInt32
    public var gid: UInt32
    public var user: String?
    public var group: String?
    public var size: Int64
    public var mtime: String
    public var sha256: String?
    /// A symlink's target, or the first name of a hard link.
    public var target: String?

    init(_ entry: ManifestEntry) {
        path = "/" + entry.path.description
        type = entry.kind.rawValue
        mode = String(entry.permissions, radix: 8)
        uid = entry.uid
        gid = entry.gid
        user = entry.user
        group = entry.group
        size = entry.size
        mtime = Timestamp.format(Date(timeIntervalSince1970: TimeInterval(entry.mtimeNs) / 1e9))
        sha256 = entry.sha256
        target = entry.symlinkTarget.map { String(decoding: $0, as: UTF8.self) } ?? entry.hardlinkTarget.map { "/" + $0.description }
    }
}

extension TreePath {
    /// The folder holding this path (empty at the top).
    var parent: TreePath {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return TreePath(bytes: []) }
        return TreePath(bytes: Array(bytes[..<slash]))
    }
}
