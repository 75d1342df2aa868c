import Foundation
import GRDB
import Glibc

/// A consistent copy of a live SQLite database, taken with SQLite's online backup API while other
/// processes keep reading and writing it. The copy gets the original's mode, owner and mtime, so the
/// backup records the database as it is on disk.
enum SQLiteSnapshot {
    /// Copies `database` to `destination` (which must not exist) and returns the copy's path.
    static func take(of database: String, to destination: String) throws -> String {
        var original = stat()
        guard stat(database, &original) == 0 else {
            throw LifeboatError(.io, "cannot read SQLite database \(database): \(String(cString: strerror(errno))); check `path:` of the sqlite source")
        }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(30)
            let source = try DatabaseQueue(path: database, configuration: configuration)
            let copy = try DatabaseQueue(path: destination)
            try source.backup(to: copy)
            try copy.close()
            try source.close()
        } catch {
            throw LifeboatError(.io, "cannot take a consistent copy of SQLite database \(database): \(error)", cause: error)
        }
        chmod(destination, original.st_mode & 0o7777)
        chown(destination, original.st_uid, original.st_gid)
        var times = [original.st_atim, original.st_mtim]
        utimensat(AT_FDCWD, destination, &times, 0)
        return destination
    }
}
