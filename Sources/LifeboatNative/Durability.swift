import CArchive
import Glibc

/// Making restored bytes durable, and learning when they could not be: `write` returning success only
/// means the page cache took the bytes; a disk that fails (or a thin volume that fills) says so at
/// `fsync`/`syncfs` time, and only to a caller who checks.
public enum Durability {
    /// Flushes the file at `path` (not following a symlink) to stable storage.
    public static func syncFile(_ path: [UInt8]) throws {
        let display = String(decoding: path, as: UTF8.self)
        let fd = withCPath(path) { open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        if fd < 0 { throw NativeError.posix("restore", path: display) }
        if fsync(fd) != 0 {
            let code = errno
            Glibc.close(fd)
            throw NativeError.posix("restore", path: display, errno: code)
        }
        if Glibc.close(fd) != 0 { throw NativeError.posix("restore", path: display) }
    }
}

/// A handle on a folder whose whole filesystem `sync()` flushes (`syncfs`). Opened before a restore
/// writes anything: the kernel then reports to it every write-back error on that filesystem since.
public final class FileSystemFlush {
    private var fd: Int32
    public let path: String

    public init(folder path: String) throws {
        self.path = path
        fd = open(path.isEmpty ? "/" : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw NativeError.posix("open", path: path) }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Writes every dirty page of the filesystem to stable storage; throws when any write-back failed.
    public func sync() throws {
        if CArchive_syncfs(fd) != 0 { throw NativeError.posix("restore", path: path) }
    }

    /// `fsync` of the folder itself: makes renames and new names inside it durable.
    public func syncFolder() throws {
        if fsync(fd) != 0 && errno != EINVAL { throw NativeError.posix("restore", path: path) }
    }
}
