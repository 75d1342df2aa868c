import CArchive
import Glibc

/// Opening a file a backup reads.
enum SourceFile {
    /// Opens a regular file for reading without following a symlink or touching its atime where the
    /// owner allows; returns the descriptor and its status. Errors are source errors.
    static func open(_ path: [UInt8], display: String) throws -> (Int32, stat) {
        var fd = withCPath(path) { Glibc.open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | CArchive_O_NOATIME) }
        if fd < 0 && errno == EPERM { fd = withCPath(path) { Glibc.open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) } }
        if fd < 0 { throw NativeError.posix("open", path: display).source() }
        var before = stat()
        if fstat(fd, &before) != 0 {
            let error = NativeError.posix("stat", path: display).source()
            close(fd)
            throw error
        }
        guard before.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw NativeError(.posix, "open \(display)", "is no longer a regular file").source()
        }
        return (fd, before)
    }
}
