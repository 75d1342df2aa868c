import Foundation
import Glibc
import GRDB

/// The SQLite catalog: a cache of the repository's backups plus the history of job runs.
///
/// The repository is the source of truth: everything but the job history can be recreated from it
/// with ``replaceAll(repositoryID:location:formatVersion:backups:)`` (`lifeboat catalog rebuild`).
/// The file is in WAL mode and may be shared by several lifeboat processes: a call waits up to
/// ``busyTimeout`` for another process's write to finish before it fails. Calls are synchronous,
/// serialized, and safe from any thread or task. Every error is a `LifeboatError` with code `.catalog`.
public final class Catalog: Sendable {
    /// How long a call waits for another process's write to finish before failing.
    public static let busyTimeout: TimeInterval = 5

    /// The catalog file, as given to ``init(path:)``.
    public let path: String
    let dbQueue: DatabaseQueue

    /// Opens the catalog at `path`, creating the file and its parent folder if needed, and brings its
    /// schema up to date.
    ///
    /// Throws when the folder cannot be created, the file cannot be opened, is not a Lifeboat catalog,
    /// or was written by a newer Lifeboat; the message names the file and says what to do.
    public init(path: String) throws {
        self.path = path
        try Self.createParentFolder(of: path)
        Self.restrictMode(of: path)
        dbQueue = try Self.open(path)
    }

    /// The catalog describes every backup (and holds plan output): created owner-only (or group-read,
    /// see `RepositoryPermissions`) before SQLite opens it — its `-wal` and `-shm` files take the same
    /// mode — and tightened when an existing one is more open than that.
    private static func restrictMode(of path: String) {
        let allowed = RepositoryPermissions.file
        let created = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, allowed)
        if created >= 0 { close(created); return }
        for file in [path, path + "-wal", path + "-shm"] {
            var status = stat()
            if stat(file, &status) == 0, status.st_uid == geteuid(), status.st_mode & 0o777 & ~allowed != 0 {
                chmod(file, status.st_mode & 0o777 & allowed)
            }
        }
    }

    /// Opens the file in WAL mode and migrates it, retrying for up to ``busyTimeout`` while another
    /// process does the same: SQLite does not wait by itself when two connections switch a new file
    /// to WAL, or when a write follows a read of a file that another connection just changed.
    private static func open(_ path: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(busyTimeout)
        config.label = "lifeboat.catalog"
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                let queue = try DatabaseQueue(path: path, configuration: config)
                try CatalogMigrations.apply(to: queue, path: path)
                return queue
            } catch let error as DatabaseError
                where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            } catch {
                throw CatalogError.wrap(error, action: "open the catalog", path: path)
            }
        }
    }

    private static func createParentFolder(of path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw LifeboatError(
                .catalog,
                "Could not create the folder \(folder.path) for the catalog \(path). "
                    + "Check that its parent folders exist as folders and that this user may write to them, "
                    + "or set `catalog:` in lifeboat.yaml to another path.",
                cause: error)
        }
    }

    /// Runs `body` in a write transaction (IMMEDIATE, so it waits for other writers), mapping any
    /// error to a `.catalog` `LifeboatError` that says it could not `action`.
    func write<T>(_ action: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try dbQueue.write(body)
        } catch {
            throw CatalogError.wrap(error, action: action, path: path)
        }
    }

    /// Runs `body` in a read transaction, mapping errors as ``write(_:_:)`` does.
    func read<T>(_ action: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try dbQueue.read(body)
        } catch {
            throw CatalogError.wrap(error, action: action, path: path)
        }
    }
}
