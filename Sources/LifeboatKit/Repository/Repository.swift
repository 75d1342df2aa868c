import Foundation
import Glibc

/// A repository in format v1 (see `docs/repository-format.md`), in a local folder or an S3 bucket
/// (`ObjectStore`). The repository is the source of truth: the catalog is rebuilt from it alone.
public struct Repository: Sendable {
    public let store: any ObjectStore
    public let info: RepositoryInfo

    /// Creates a new repository; refuses a store that already holds one or holds anything else.
    public static func create(in store: any ObjectStore, compressionLevel: Int) throws -> Repository {
        try create(in: store, compressionLevel: compressionLevel, encryption: nil) { store }
    }

    /// Creates a repository; `prepare` writes what must exist before the description (keys) and
    /// returns the store to work through. The description is written last: a repository exists once
    /// it is complete.
    static func create(in store: any ObjectStore, compressionLevel: Int, encryption: RepositoryInfo.Encryption?,
                       prepare: () throws -> any ObjectStore) throws -> Repository {
        try store.makeFolder("")
        if try store.size(RepositoryInfo.fileName) != nil {
            throw LifeboatError(.repository, "a repository already exists at \(store.location); it was left untouched (use it as it is, or choose another path)")
        }
        if !(try store.list("")).isEmpty {
            throw LifeboatError(.repository, "\(store.location) is not empty; choose a new or empty folder for the repository")
        }
        let info = RepositoryInfo(id: UUID().uuidString.lowercased(), created: Timestamp.format(Date()),
                                  compression: .init(level: compressionLevel), encryption: encryption)
        for folder in ["services", "records", "locks"] { try store.makeFolder(folder) }
        let working = try prepare()
        _ = try store.write(try jsonBytes(info), to: RepositoryInfo.fileName)
        return Repository(store: working, info: info)
    }

    /// Opens an existing repository, checking its format and version. An encrypted one asks
    /// `passphrase` (with the config's `passphrase_file` as `configured`) and is unlocked before any
    /// other object is read.
    public static func open(in store: any ObjectStore, passphrase: PassphraseSource = .none, configured: String? = nil) throws -> Repository {
        let path = store.display(RepositoryInfo.fileName)
        guard let data = try store.read(RepositoryInfo.fileName) else {
            throw LifeboatError(.repository, "no repository at \(store.location) (\(RepositoryInfo.fileName) is missing); run `lifeboat init` to create one, or check `repository:` in the config")
        }
        let advice = "restore it from a copy of the repository (see docs/repository-format.md for its fields), or check `repository:` in the config"
        let info: RepositoryInfo
        do {
            info = try JSONDecoder().decode(RepositoryInfo.self, from: Data(data))
        } catch {
            throw LifeboatError(
                .repository, "\(path) is not a readable Lifeboat repository description: \(JSONFile.problem(error, in: data)); \(advice)",
                cause: error)
        }
        guard info.format == "lifeboat-repository" else {
            throw LifeboatError(.repository, "\(path) is not a Lifeboat repository description (its \"format\" is \"\(info.format)\", not \"lifeboat-repository\"); \(advice)")
        }
        guard info.version <= RepositoryInfo.supportedVersion else {
            throw LifeboatError(.repository, "repository \(store.location) uses format version \(info.version); this Lifeboat reads version \(RepositoryInfo.supportedVersion). Upgrade Lifeboat")
        }
        if info.encryption == nil, let keys = try? store.list(keysFolder), !keys.isEmpty {
            throw LifeboatError(.repository, "repository \(store.location) holds \(keys.count) encryption key(s) in \(keysFolder)/ but its \(RepositoryInfo.fileName) has no encryption settings: the description was altered or replaced. Nothing was read or written; restore its \"encryption\" block (see docs/repository-format.md) before using it")
        }
        if let encryption = info.encryption {
            guard encryption.cipher == "aes-256-gcm", encryption.objectFormat == "LBENC001", encryption.kdf == "scrypt" else {
                throw LifeboatError(.repository, "repository \(store.location) is encrypted with \(encryption.cipher)/\(encryption.objectFormat)/\(encryption.kdf), which this Lifeboat does not know; upgrade Lifeboat")
            }
            let unlocked = try unlock(store, passphrase: try passphrase.resolve(for: store.location, configured: configured))
            return Repository(store: EncryptedStore(inner: store, dataKey: unlocked.dataKey, keyID: unlocked.keyID), info: info)
        }
        return Repository(store: store, info: info)
    }

    /// The store's location: a folder path or `s3://bucket/prefix`.
    public var location: String { store.location }

    public func serviceFolder(_ service: String) -> String { "services/\(service)" }
    public func backupFolder(service: String, id: String) -> String { "\(serviceFolder(service))/\(id)" }
    public func objectKey(service: String, id: String, name: String) -> String { "\(backupFolder(service: service, id: id))/\(name)" }

    /// The name prefix of a backup folder being removed (hidden from listings).
    static let removalPrefix = ".removing-"

    /// Folders an interrupted removal left behind (`.removing-ID`), by name.
    func removalLeftovers(service: String) -> [String] {
        ((try? store.names(in: serviceFolder(service))) ?? []).filter { $0.hasPrefix(Self.removalPrefix) }
    }

    /// Services that have at least one backup folder, sorted.
    public func serviceNames() -> [String] {
        ((try? store.list("services")) ?? []).filter { !$0.name.hasPrefix(".") }.map(\.name).sorted()
    }

    /// Reads `backup.json` of one backup.
    ///
    /// Every name in it that becomes a path (objects, the parent, the backups and archives of
    /// `references`) must be a plain name, so that no object is read from outside the backup folders.
    public func record(service: String, id: String) throws -> BackupRecord {
        let found: BackupRecord?
        do {
            found = try readRecord(service: service, id: id)
        } catch var error as LifeboatError where error.code == .corrupt {
            error.message += "; run `lifeboat doctor` to see what else this affects, and restore another backup "
                + "(`lifeboat backups \(service)` lists them)"
            throw error
        }
        guard let record = found else {
            throw LifeboatError(.usage, "backup \(id) of service \(service) does not exist (no \(store.display("\(backupFolder(service: service, id: id))/backup.json")))")
        }
        return record
    }

    /// `backup.json` of one backup, or nil when the store answers that there is none (a backup that
    /// never committed); a store that fails to answer throws. One read: listings call this per backup.
    func readRecord(service: String, id: String) throws -> BackupRecord? {
        guard Self.isPlainName(id) else {
            throw LifeboatError(.corrupt, "backup id \"\(id)\" of service \(service) is not a folder name (it would lead outside the repository); the manifest or record naming it is damaged")
        }
        let key = "\(backupFolder(service: service, id: id))/backup.json"
        let path = store.display(key)
        let bytes: [UInt8]?
        do {
            bytes = try store.read(key)
        } catch let error as LifeboatError {
            throw error
        } catch {
            throw LifeboatError(.io, "\(path) could not be read: \(error)", cause: error)
        }
        guard let data = bytes else { return nil }
        do {
            let record = try JSONFile.decode(BackupRecord.self, from: data, path: path)
            guard record.format == "lifeboat-backup", record.id == id, record.service == service else {
                throw LifeboatError(.corrupt, "\(path) does not describe backup \(id) of \(service)")
            }
            guard record.version <= 1 else {
                throw LifeboatError(.repository, "\(path) uses backup format version \(record.version); upgrade Lifeboat")
            }
            let names = record.objects.map(\.name) + (record.parent.map { [$0] } ?? [])
                + (record.references ?? []).flatMap { $0.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init) }
            if let name = names.first(where: { !Self.isPlainName($0) }) {
                throw LifeboatError(.corrupt, "\(path) is damaged: it names \"\(name)\", which is not a plain file or backup name (it would lead outside the backup folder)")
            }
            return record
        } catch let error as LifeboatError {
            throw error
        } catch {
            throw LifeboatError(.corrupt, "\(path) is damaged: \(error)", cause: error)
        }
    }

    /// Whether `name` names an entry of one folder: not empty, `.` or `..`, without `/` or NUL.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.utf8.contains(UInt8(ascii: "/")) && !name.utf8.contains(0)
    }

    /// Every backup folder of a service: committed ones (sorted oldest first), damaged ones, and
    /// incomplete ones (no `backup.json`: a backup that never committed).
    ///
    /// Incomplete folders are deleted by the next run, so a folder counts as incomplete only when the
    /// store *answered* that it has no commit record: one whose check failed (a store error) is listed
    /// as damaged, and so is one holding an encrypted commit record that this repository, opened
    /// unencrypted, cannot read.
    public func listing(service: String) -> BackupListing {
        var listing = BackupListing()
        let names = (try? store.names(in: serviceFolder(service))) ?? []
        listing.leftovers = names.filter { $0.hasPrefix(Self.removalPrefix) }
        for id in names where !id.hasPrefix(".") {
            switch commitState(service: service, id: id) {
            case .committed(let record): listing.records.append(record)
            case .incomplete: listing.incomplete.append(id)
            case .damaged(let message): listing.damaged.append(.init(service: service, id: id, message: message))
            }
        }
        return listing
    }

    /// The names of a service's backup folders (hidden names left out), sorted: one listing, no reads.
    public func backupFolderNames(service: String) -> [String] {
        ((try? store.names(in: serviceFolder(service))) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// What one backup folder holds, by its `backup.json`.
    enum CommitState {
        case committed(BackupRecord)
        /// The store answered that there is no `backup.json`: a backup that never committed.
        case incomplete
        case damaged(String)
    }

    /// Reads one folder's `backup.json` (see ``listing(service:)`` for what counts as incomplete).
    func commitState(service: String, id: String) -> CommitState {
        let folder = backupFolder(service: service, id: id)
        do {
            if let record = try readRecord(service: service, id: id) { return .committed(record) }
            if !(store is EncryptedStore), try store.size("\(folder)/backup.json\(EncryptedStore.suffix)") != nil {
                return .damaged("it holds an encrypted backup.json.enc, but the repository opened as unencrypted (its lifeboat-repository.json lacks its encryption settings?)")
            }
            return .incomplete
        } catch {
            return .damaged("\(error)")
        }
    }

    /// Committed backups of all services (or one), oldest first within each service.
    public func allRecords(service: String? = nil) -> BackupListing {
        var all = BackupListing()
        for name in service.map({ [$0] }) ?? serviceNames() {
            let listing = listing(service: name)
            all.records += listing.records
            all.damaged += listing.damaged
            all.incomplete += listing.incomplete
        }
        return all
    }
}

/// What a scan of backup folders found.
public struct BackupListing: Sendable {
    public struct Damaged: Sendable, Equatable {
        public var service: String
        public var id: String
        public var message: String
    }

    public var records: [BackupRecord] = []
    public var damaged: [Damaged] = []
    public var incomplete: [String] = []
    /// What interrupted removals left (`.removing-…` folders): no longer backups.
    public var leftovers: [String] = []

    public init(records: [BackupRecord] = [], damaged: [Damaged] = [], incomplete: [String] = [], leftovers: [String] = []) {
        self.records = records
        self.damaged = damaged
        self.incomplete = incomplete
        self.leftovers = leftovers
    }

    /// The backups `record` builds on — its parent and those whose archives it refers to — that are not
    /// in the repository at all (neither readable nor damaged).
    func goneDependencies(of record: BackupRecord) -> [String] {
        let present = Set(records.map(\.id) + damaged.map(\.id))
        let referenced = (record.references ?? []).compactMap { $0.split(separator: "/").first.map(String.init) }
        return Set(referenced + [record.parent].compactMap { $0 }).subtracting(present.union([record.id])).sorted()
    }
}

/// JSON as written to the repository: sorted keys, pretty-printed, trailing newline.
func jsonBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
}
