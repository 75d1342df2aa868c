import Foundation

/// `backup.json`: the commit record of one backup, written last. A backup folder without it does not
/// exist. Everything needed to check the backup's objects is here: their names, sizes and SHA-256.
public struct BackupRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case full, incremental
    }

    /// One immutable file of the backup folder.
    public struct Object: Codable, Sendable, Equatable {
        public var name: String
        public var size: Int64
        public var sha256: String

        public init(name: String, size: Int64, sha256: String) {
            self.name = name
            self.size = size
            self.sha256 = sha256
        }
    }

    /// Counts and sizes measured while the backup ran.
    public struct Stats: Codable, Sendable, Equatable {
        /// Entries in the manifest, by type.
        public var files: Int = 0
        public var directories: Int = 0
        public var symlinks: Int = 0
        public var hardlinks: Int = 0
        /// Logical size of all regular files in the tree.
        public var totalBytes: Int64 = 0
        /// Regular files whose content this backup stored (the rest refer to older backups).
        public var filesStored: Int = 0
        /// Bytes read from the sources (the content of the stored files).
        public var bytesRead: Int64 = 0
        /// Of the stored files, those that only grew: just their new bytes went into a tail archive.
        /// Absent when none (and in records written before tails existed).
        public var filesAppended: Int?
        /// Bytes of all objects of this backup, as written to the repository.
        public var bytesStored: Int64 = 0
        /// Files that changed while being read (stored, but flagged in the manifest).
        public var inconsistentFiles: Int = 0
        /// Entries that could not be read or are of a type that is not backed up (sockets, devices).
        public var skipped: Int = 0

        public init() {}
    }

    public var format: String = "lifeboat-backup"
    public var version: Int = 1
    public var id: String
    public var service: String
    public var kind: Kind
    /// The backup this one's unchanged files refer to (incrementals only).
    public var parent: String?
    public var tier: String?
    public var host: String
    /// ISO 8601 UTC with milliseconds.
    public var started: String
    public var finished: String
    /// The configured source paths, absolute, as they were when the backup ran.
    public var sources: [String]
    /// `complete`, or `partial` when some entries were skipped (see `warnings`).
    public var status: String
    public var compression: String
    public var stats: Stats
    public var objects: [Object]
    /// At most 100 warnings (skipped or inconsistent files), for the record.
    public var warnings: [String]
    /// Every data archive the manifest's files refer to, as `backup-id/archive-name`, so a reader can
    /// check a chain without reading the manifest. Absent in records written before it existed.
    public var references: [String]?

    public init(id: String, service: String, kind: Kind, parent: String?, tier: String?, host: String,
                started: String, finished: String, sources: [String], status: String, compression: String,
                stats: Stats, objects: [Object], warnings: [String], references: [String]? = nil) {
        self.id = id
        self.service = service
        self.kind = kind
        self.parent = parent
        self.tier = tier
        self.host = host
        self.started = started
        self.finished = finished
        self.sources = sources
        self.status = status
        self.compression = compression
        self.stats = stats
        self.objects = objects
        self.warnings = warnings
        self.references = references
    }

    /// The data archives, in the order they were written.
    public var dataObjects: [Object] { objects.filter { $0.name.hasPrefix("data-") } }
    public var manifestObject: Object? { objects.first { $0.name == ManifestFile.objectName } }

    public var startedDate: Date? { Timestamp.parse(started) }
    public var finishedDate: Date? { Timestamp.parse(finished) }
}
