import CArchive
import Glibc

/// A regular file that only grew: opened, and its first `prefixSize` bytes read and found to hash to
/// an earlier version's SHA-256, so a backup can store just the bytes after them
/// (`TarWriter.appendTail`). The prefix is compared by content, never by times or sizes alone: a file
/// rewritten in place and then grown fails the check and is stored whole.
public final class GrownFile {
    let fd: Int32
    /// `fstat` before the prefix was read: the size and times a consistency check compares against.
    let before: stat
    let sourcePath: [UInt8]
    let display: String
    public let prefixSize: Int64
    /// SHA-256 state after the prefix: the tail's bytes continue it to the whole file's digest.
    let hasher: SHA256Hasher

    private init(fd: Int32, before: stat, sourcePath: [UInt8], display: String, prefixSize: Int64, hasher: SHA256Hasher) {
        self.fd = fd
        self.before = before
        self.sourcePath = sourcePath
        self.display = display
        self.prefixSize = prefixSize
        self.hasher = hasher
    }

    deinit { close(fd) }

    /// The file at `path` when it is a regular file longer than `prefixSize`, with no hole after the
    /// prefix, whose first `prefixSize` bytes hash to `prefixSHA256`; nil otherwise. Errors opening or
    /// reading it are source errors (the file is skipped with a warning, as any unreadable file).
    public static func open(_ path: [UInt8], prefixSize: Int64, prefixSHA256: SHA256Digest) throws -> GrownFile? {
        let display = String(decoding: path, as: UTF8.self)
        let (fd, before) = try SourceFile.open(path, display: display)
        var keep = false
        defer { if !keep { close(fd) } }
        let size = Int64(before.st_size)
        guard prefixSize > 0, size > prefixSize else { return nil }
        // A hole after the prefix: a tail is stored without holes, so the whole file is the better copy.
        let hole = lseek(fd, off_t(prefixSize), CArchive_SEEK_HOLE)
        if hole >= 0 && Int64(hole) < size { return nil }
        lseek(fd, 0, SEEK_SET)
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        let hasher = SHA256Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < prefixSize {
            let n = read(fd, buffer.baseAddress, Int(min(Int64(buffer.count), prefixSize - done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw NativeError.posix("read", path: display).source()
            }
            if n == 0 { return nil }  // shrank since the stat
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            done += Int64(n)
        }
        guard hasher.copy().finalize() == prefixSHA256 else { return nil }
        keep = true
        return GrownFile(fd: fd, before: before, sourcePath: path, display: display, prefixSize: prefixSize, hasher: hasher)
    }
}
