import CArchive
import Glibc

/// Files restored in pieces: a base written by `writeFile`, then the bytes appended in later backups,
/// each written at its offset by `writePiece` (in any order), then `finishGrownFile` gives the file
/// its size, owner, permissions, xattrs and time from the manifest — the base's header carried the
/// metadata of an older version, and every piece written since moved the time.
extension DiskWriter {
    /// Writes the reader's current entry into the existing file at `path`, starting at `offset`;
    /// returns the SHA-256 of the bytes written (holes as zeros) and their count.
    public func writePiece(from reader: TarReader, to path: [UInt8], at offset: Int64) throws -> (sha256: SHA256Digest, size: Int64) {
        guard let entry = reader.current else { throw NativeError(.libarchive, "extract", "no current entry") }
        let fd = try openForPieces(path)
        var closed = false
        defer { if !closed { Glibc.close(fd) } }
        let size = archive_entry_size(entry)
        let digest = try reader.hashedBlocks(size: size) { block, blockOffset in
            var written = 0
            while written < block.count {
                let n = pwrite(fd, block.baseAddress! + written, block.count - written, off_t(offset + blockOffset) + off_t(written))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw NativeError.posix("restore", path: String(decoding: path, as: UTF8.self))
                }
                written += n
            }
        }
        // A hole at the piece's end needs nothing here: the next piece, or `finishGrownFile`'s final size,
        // extends the file over it with zeros. (Extending here could shrink the file under another thread
        // writing a later piece from another archive at the same time.)
        closed = true
        if Glibc.close(fd) != 0 { throw NativeError.posix("restore", path: String(decoding: path, as: UTF8.self)) }
        return (digest, size)
    }

    /// Gives a file restored in pieces its final size and the manifest's metadata; with `durable`, flushes
    /// it to stable storage (`fsync`) before this returns.
    public func finishGrownFile(at path: [UInt8], size: Int64, metadata: EntryMetadata, durable: Bool = false) throws {
        let display = String(decoding: path, as: UTF8.self)
        let fd = try openForPieces(path)
        var closed = false
        defer { if !closed { Glibc.close(fd) } }
        func check(_ rc: Int32) throws {
            if rc != 0 { throw NativeError.posix("restore", path: display) }
        }
        try check(ftruncate(fd, off_t(size)))
        if restoreOwnership {
            // By name where the name exists here, as for every other restored entry.
            let uid = archive_write_disk_uid(disk, metadata.user, Int64(metadata.uid))
            let gid = archive_write_disk_gid(disk, metadata.group, Int64(metadata.gid))
            try check(fchown(fd, uid_t(truncatingIfNeeded: uid), gid_t(truncatingIfNeeded: gid)))
        }
        // After the owner: changing it clears set-user-ID and set-group-ID bits.
        try check(fchmod(fd, mode_t(metadata.permissions)))
        // An xattr the target refuses (no support, a namespace only root may write) is passed over, as
        // libarchive does for every other restored file (it reports a warning, which restores ignore).
        for xattr in metadata.xattrs {
            _ = xattr.value.withUnsafeBytes { fsetxattr(fd, xattr.name, $0.baseAddress, $0.count, 0) }
        }
        // The base came with the xattrs of an older version: drop those the newest one no longer has.
        // ACLs (system.*) come from the base's header and security labels (security.*) are the
        // target system's own; both are left alone.
        let kept = Set(metadata.xattrs.map(\.name))
        for name in Self.xattrNames(fd) where !kept.contains(name) && !name.hasPrefix("system.") && !name.hasPrefix("security.") {
            _ = fremovexattr(fd, name)
        }
        // Floor division: a time before 1970 still has nanoseconds in 0..<1e9.
        let seconds = metadata.mtimeNs >= 0 ? metadata.mtimeNs / 1_000_000_000 : (metadata.mtimeNs - 999_999_999) / 1_000_000_000
        let time = timespec(tv_sec: Int(seconds), tv_nsec: Int(metadata.mtimeNs - seconds * 1_000_000_000))
        let times = [time, time]
        try check(futimens(fd, times))
        if durable { try check(fsync(fd)) }
        closed = true
        try check(Glibc.close(fd))
    }

    /// The names of the xattrs an open file has (none when the filesystem has none or cannot list them).
    private static func xattrNames(_ fd: Int32) -> [String] {
        let size = flistxattr(fd, nil, 0)
        guard size > 0 else { return [] }
        var buffer = [CChar](repeating: 0, count: size)
        let got = flistxattr(fd, &buffer, size)
        guard got > 0 else { return [] }
        return buffer[..<got].split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    /// Opens a restored file for writing without following a symlink; a read-only base (not root) is
    /// made writable for its owner, and gets its mode back from `finishGrownFile`.
    private func openForPieces(_ path: [UInt8]) throws -> Int32 {
        var fd = withCPath(path) { open($0, O_WRONLY | O_NOFOLLOW | O_CLOEXEC) }
        if fd < 0 && errno == EACCES {
            _ = withCPath(path) { chmod($0, S_IRUSR | S_IWUSR) }
            fd = withCPath(path) { open($0, O_WRONLY | O_NOFOLLOW | O_CLOEXEC) }
        }
        if fd < 0 { throw NativeError.posix("restore", path: String(decoding: path, as: UTF8.self)) }
        return fd
    }
}
