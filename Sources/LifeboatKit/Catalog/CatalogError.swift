import Foundation
import GRDB

/// Turns SQLite and encoding failures into `.catalog` `LifeboatError`s whose message names the
/// catalog file and says what to do. SQL arguments never reach a message: only SQLite's own message
/// (which holds none) and the statement text (in `cause`, for `--verbose`) are kept.
enum CatalogError {
    /// `action` completes "Could not …", e.g. "open the catalog" or "save backup X in the catalog".
    static func wrap(_ error: any Error, action: String, path: String) -> LifeboatError {
        if let error = error as? LifeboatError { return error }
        guard let error = error as? DatabaseError else {
            // Not SQLite's: its description may quote values, so it stays in `cause` (`--verbose`).
            return LifeboatError(
                .catalog,
                "Could not \(action) at \(path) (unexpected content). If this persists, move the file aside "
                    + "and run `lifeboat catalog rebuild`.",
                cause: error)
        }
        let sqlite = "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "no message")"
        return LifeboatError(
            .catalog, "Could not \(action) at \(path): \(reason(error, path: path))",
            details: [sqlite], cause: error)
    }

    /// The catalog holds tables but not Lifeboat's (another application's SQLite database).
    static func notACatalog(path: String) -> LifeboatError {
        LifeboatError(
            .catalog,
            "\(path) is an SQLite database, but not a Lifeboat catalog. Set `catalog:` in lifeboat.yaml "
                + "to another file (Lifeboat creates it) and run `lifeboat catalog rebuild`.")
    }

    /// The catalog was migrated by a Lifeboat that knows migrations this one does not.
    static func newerSchema(path: String, unknown: Set<String>) -> LifeboatError {
        LifeboatError(
            .catalog,
            "The catalog \(path) was written by a newer version of Lifeboat. Upgrade Lifeboat to use it, "
                + "or set `catalog:` in lifeboat.yaml to a new file and run `lifeboat catalog rebuild` "
                + "(the history of job runs stays in the old file).",
            details: ["unknown schema migrations: " + unknown.sorted().joined(separator: ", ")])
    }

    private static func reason(_ error: DatabaseError, path: String) -> String {
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return "the file is not an SQLite database. Move it aside, or set `catalog:` in lifeboat.yaml "
                + "to another file, then run `lifeboat catalog rebuild` to recreate the catalog from the repository."
        case .SQLITE_CORRUPT:
            return "the database is damaged. Move the file aside and run `lifeboat catalog rebuild` to "
                + "recreate it from the repository (the history of job runs is not in the repository)."
        case .SQLITE_CANTOPEN:
            return cannotOpen(path)
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return "the file or its folder is read-only for this user. Give this user write access to both "
                + "(SQLite writes -wal and -shm files beside the catalog)."
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return "another lifeboat process kept it locked for more than \(Int(Catalog.busyTimeout)) seconds. "
                + "Try again when that process has finished."
        case .SQLITE_FULL:
            return "the disk is full. Free some space and try again."
        case .SQLITE_IOERR:
            return "the disk reported an error. Check the disk and its file system, then try again."
        default:
            return (error.message ?? "SQLite error \(error.resultCode.rawValue)") + "."
        }
    }

    private static func cannotOpen(_ path: String) -> String {
        var isFolder: ObjCBool = false
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            return "the path is a folder. Set `catalog:` in lifeboat.yaml to a file path."
        }
        if fileManager.fileExists(atPath: path),
           !fileManager.isReadableFile(atPath: path) || !fileManager.isWritableFile(atPath: path) {
            return "permission denied. Give this user read and write access to the file and its folder."
        }
        return "SQLite cannot open the file. Check that this user may read and write it and its folder."
    }
}
