import CArchive
import Glibc
import Synchronization

/// Asks the kernel to start writing `path`'s dirty pages now, without waiting (a hint: what matters is
/// checked by the `syncfs` at the end of the restore, so a failure here is ignored).
public func startWriteback(_ path: [UInt8]) {
    let fd = withCPath(path) { open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
    guard fd >= 0 else { return }
    _ = CArchive_start_writeback(fd)
    close(fd)
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

/// Every filesystem a restore wrote to, each with a `FileSystemFlush` opened the first time a folder on
/// it is noted: a restore in place (`--target /`) can cross mount points, and `syncfs` flushes one
/// filesystem only. Shared by the threads of a restore.
public final class FileSystemFlushes: Sendable {
    private let handles = Mutex<[UInt64: FileSystemFlush]>([:])

    public init() {}

    /// Makes sure the filesystem holding `folder` is flushed by `sync()`.
    public func note(folder: [UInt8]) throws {
        var status = stat()
        let path = folder.isEmpty ? "/" : String(decoding: folder, as: UTF8.self)
        guard stat(path, &status) == 0 else { throw NativeError.posix("restore", path: path) }
        let device = UInt64(status.st_dev)
        try handles.withLock { handles in
            if handles[device] == nil { handles[device] = try FileSystemFlush(folder: path) }
        }
    }

    /// Flushes every noted filesystem; throws at the first write-back error.
    public func sync() throws {
        // Outside the lock: the threads of a restore flush at once rather than in turn.
        for handle in handles.withLock({ Array($0.values) }) { try handle.sync() }
    }
}
