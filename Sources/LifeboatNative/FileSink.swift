import Glibc

/// A file opened for writing that hashes every byte written to it, so an object's SHA-256 and size are
/// known the moment it is complete. The caller decides the name (a temp name, renamed when durable).
public final class FileSink: ByteSink {
    public let path: String
    private var fd: Int32
    private let hasher = SHA256Hasher()
    public private(set) var bytesWritten: Int64 = 0

    /// Creates `path`, which must not exist yet (`O_EXCL`).
    public init(creating path: String, mode: mode_t = 0o644) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 { throw NativeError.posix("create", path: path) }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard var base = buffer.baseAddress else { return }
        var left = buffer.count
        hasher.update(buffer)
        while left > 0 {
            let n = Glibc.write(fd, base, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw NativeError.posix("write", path: path)
            }
            left -= n
            base += n
        }
        bytesWritten += Int64(buffer.count)
    }

    /// Flushes to stable storage (`fsync`), closes, and returns the SHA-256 of everything written.
    public func finish() throws -> SHA256Digest {
        if fsync(fd) != 0 { throw NativeError.posix("fsync", path: path) }
        let closed = Glibc.close(fd)
        fd = -1
        if closed != 0 { throw NativeError.posix("close", path: path) }
        return hasher.finalize()
    }
}

/// A file opened for reading that hashes every byte read, so a reader that consumes an object to its
/// end has verified it against the SHA-256 recorded in `backup.json` for free.
public final class FileSource: ByteSource {
    public let path: String
    private var fd: Int32
    private let hasher = SHA256Hasher()
    public private(set) var bytesRead: Int64 = 0
    public let size: Int64
    public var name: String { path }

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw NativeError.posix("open", path: path) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw NativeError.posix("stat", path: path) }
        size = Int64(st.st_size)
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw NativeError.posix("read", path: path)
            }
            if n > 0 {
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                bytesRead += Int64(n)
            }
            return n
        }
    }

    /// Reads (and hashes) whatever is left, then returns the SHA-256 of the whole file.
    public func drainAndDigest() throws -> SHA256Digest {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
        return hasher.finalize()
    }
}
