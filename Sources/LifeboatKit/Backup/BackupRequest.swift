import Foundation

/// Whether a backup stores everything or only what changed since its parent.
public enum BackupMode: String, Sendable, CaseIterable {
    /// Incremental when a complete parent exists, else full.
    case auto
    case full
    /// Incremental; an error when there is no complete parent.
    case incremental
}

/// Everything the engine needs to back up one service, independent of how it was configured.
public struct BackupRequest: Sendable {
    public var service: String
    public var tier: String?
    /// Absolute source paths.
    public var paths: [String]
    public var excludes: [String]
    public var mode: BackupMode
    /// Re-read and re-hash every file instead of trusting size and times.
    public var checksum: Bool
    public var compressionLevel: Int
    /// A new data archive is started once the current one holds this many bytes.
    public var archiveSizeLimit: Int64
    /// Data archives written in parallel (one thread each): the number of cores, at most 4.
    public var lanes: Int
    /// Where to read a source path from when that is not the path itself: a database snapshot or a
    /// command's captured output is read from a temp file but recorded (and restored) at its path.
    public var readFrom: [String: String] = [:]
    /// When the data was taken, if before the backup began: a database snapshot, dump or base backup
    /// prepared first (`readFrom`). The recovery point is stamped with it (`started`), so that an RPO
    /// measured from it is never optimistic.
    public var dataAsOf: Date?
    /// Asked once the service lock is held, with the service's backups as they are then: a reason
    /// returned means the backup is no longer needed (another process made it meanwhile), and the run
    /// stops with `.superseded` before writing anything.
    public var superseded: (@Sendable (BackupListing) -> String?)?

    public init(service: String, tier: String?, paths: [String], excludes: [String], mode: BackupMode = .auto,
                checksum: Bool = false, compressionLevel: Int = 3, archiveSizeLimit: Int64 = 4 << 30,
                lanes: Int = ProcessorCount.workers()) {
        self.service = service
        self.tier = tier
        self.paths = paths
        self.excludes = excludes
        self.mode = mode
        self.checksum = checksum
        self.compressionLevel = compressionLevel
        self.archiveSizeLimit = archiveSizeLimit
        self.lanes = max(1, lanes)
    }
}

/// Where a running backup is, for progress displays.
public struct BackupProgress: Sendable {
    public var service: String
    public var entriesScanned: Int
    public var filesStored: Int
    public var bytesRead: Int64
    /// Bytes the parent backup's tree held: a guess at the total, for an ETA. Nil for a first backup.
    public var expectedBytes: Int64?
}

/// A committed backup, with how long it took and anything worth telling.
public struct BackupResult: Sendable {
    public var record: BackupRecord
    public var durationSeconds: Double
    /// Things the user should know (a damaged parent that forced a full backup, skipped files).
    public var notes: [String]
}
