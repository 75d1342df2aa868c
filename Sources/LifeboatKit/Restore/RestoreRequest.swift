import Foundation

/// Which backup of a service to restore.
public enum BackupSelector: Sendable, Equatable {
    /// The newest complete backup.
    case latest
    case id(String)
    /// The newest complete backup that finished at or before this time.
    case at(Date)
}

/// What to do when the target folder already has content.
public enum RestoreMode: String, Sendable {
    /// Refuse a non-empty target.
    case emptyTarget
    /// Write over whatever is there; extras are left alone.
    case force
    /// Make the restored paths equal the backup: extras below the backed-up paths are removed.
    case exact
}

public struct RestoreRequest: Sendable {
    public var service: String
    public var selector: BackupSelector
    public var target: String
    public var mode: RestoreMode
    /// Restore uid/gid (by name where it exists here). Only root may; defaults to "when root".
    public var restoreOwnership: Bool
    /// Exclude patterns (as in a files source) whose matches `--exact` never removes: the service's
    /// excludes, the repository and the catalog.
    public var keep: [String]
    /// Paths removed from the target after the restore when present (a database's old `-wal` file).
    public var staleCompanions: [TreePath] = []
    /// Flush everything restored to stable storage before reporting success (`syncfs` of the target's
    /// filesystem). Scratch copies that are compared and removed at once (verification, export) skip it:
    /// it would write their whole content to disk for nothing, and flush the host's other dirty data too.
    public var durable = true
    /// Restore only these paths (and the folders on the way to them); nil restores the whole backup.
    public var selection: PathSelection?

    public init(service: String, selector: BackupSelector = .latest, target: String, mode: RestoreMode = .emptyTarget,
                restoreOwnership: Bool = geteuid() == 0, keep: [String] = []) {
        self.service = service
        self.selector = selector
        self.target = target
        self.mode = mode
        self.restoreOwnership = restoreOwnership
        self.keep = keep
    }
}

public struct RestoreProgress: Sendable {
    public var filesRestored: Int
    public var bytesRestored: Int64
    public var totalFiles: Int
    public var totalBytes: Int64
}

public struct RestoreResult: Sendable {
    public var record: BackupRecord
    /// The resolved target folder (symlinks in its own path resolved).
    public var target: String
    public var files: Int
    public var directories: Int
    public var symlinks: Int
    public var hardlinks: Int
    public var bytes: Int64
    /// Archives read (one pass each).
    public var archivesRead: Int
    /// Entries removed from the target by `--exact`.
    public var removed: Int
    public var durationSeconds: Double
    /// Damage noticed that did not affect the restored data (e.g. an object's unused bytes).
    public var warnings: [String]
}
