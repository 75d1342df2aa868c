import CArchive
import Glibc
import Synchronization

private let diskWriterCreation = Mutex<Void>(())

/// Ownership, permissions, time and xattrs to give a restored folder or symlink.
public struct EntryMetadata: Sendable {
    public var permissions: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var user: String?
    public var group: String?
    public var mtimeNs: Int64
    public var xattrs: [Xattr]

    public init(permissions: UInt32, uid: UInt32, gid: UInt32, user: String?, group: String?, mtimeNs: Int64, xattrs: [Xattr]) {
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.user = user
        self.group = group
        self.mtimeNs = mtimeNs
        self.xattrs = xattrs
    }
}

/// Writes restored entries to disk through `archive_write_disk`, refusing `..` and (in a target that had
/// content) writes through symlinks. Paths given here are absolute: the caller has already confined
/// them under the target (and resolved the target itself, so it contains no symlink). Folder permissions and times are
/// applied by `close()`, after everything inside them has been written.
public final class DiskWriter {
    let disk: OpaquePointer
    let restoreOwnership: Bool
    private var closed = false

    /// - Parameters:
    ///   - restoreOwnership: set uid/gid (by name where the name exists here); root only.
    ///   - targetHadContent: the target held files before the restore. Then every path is checked for
    ///     symlinks component by component (libarchive's secure-symlink walk, about ten `open`s per file)
    ///     and existing files are unlinked first. Into a target that started empty, nothing but this
    ///     restore has written, and the caller has refused any manifest that puts a path below one of
    ///     its own symlinks, so the walk is skipped: it cost most of a large restore's time.
    ///
    /// Holes come back from the archive's sparse map (data blocks at their offsets, the file truncated
    /// to its size); zero blocks are not turned into new holes, which would write in 4 KiB pieces.
    public init(restoreOwnership: Bool, targetHadContent: Bool) {
        _ = libarchiveLocale
        // archive_write_disk_new reads the umask by setting it to 0 and back: two at once can leave
        // the process with umask 0, so they take turns.
        disk = diskWriterCreation.withLock { _ in archive_write_disk_new()! }
        self.restoreOwnership = restoreOwnership
        var flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL
            | ARCHIVE_EXTRACT_SECURE_NODOTDOT
        if targetHadContent { flags |= ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_UNLINK }
        if restoreOwnership { flags |= ARCHIVE_EXTRACT_OWNER }
        archive_write_disk_set_options(disk, flags)
        archive_write_disk_set_standard_lookup(disk)
    }

    deinit {
        if !closed { archive_write_close(disk) }
        archive_write_free(disk)
    }

    /// Writes the reader's current regular-file entry at `path`; returns the SHA-256 of the logical
    /// content written (holes as zeros) and its size. Every block's write is checked: libarchive reports
    /// a failed `write` (a full disk) as a mere warning, which would leave a file of zeros behind a
    /// success. Durability is the caller's: `FileSystemFlushes` flushes many files at once.
    public func writeFile(from reader: TarReader, to path: [UInt8]) throws -> (sha256: SHA256Digest, size: Int64) {
        guard let entry = reader.current else { throw NativeError(.libarchive, "extract", "no current entry") }
        withCPath(path) { archive_entry_copy_pathname(entry, $0) }
        archive_entry_set_hardlink(entry, nil)
        try check(archive_write_header(disk, entry), path)
        let size = archive_entry_size(entry)
        var end: Int64 = 0
        let digest = try reader.hashedBlocks(size: size) { block, offset in
            if archive_write_data_block(disk, block.baseAddress, block.count, offset) < ARCHIVE_OK {
                throw failure(path)
            }
            end = offset + Int64(block.count)
        }
        try check(archive_write_finish_entry(disk), path)
        if end < size {
            // A hole at the end: libarchive extends the file without telling whether that worked.
            guard let status = try FileStatus.lstat(path), status.size == size else {
                throw NativeError(.posix, "restore \(String(decoding: path, as: UTF8.self))", "the file could not be extended to its size \(size)")
            }
        }
        return (digest, size)
    }

    public func writeDirectory(at path: [UInt8], metadata: EntryMetadata) throws {
        let entry = entry(path, type: CArchive_IFDIR, metadata)
        try check(archive_write_header(disk, entry.pointer), path)
        try check(archive_write_finish_entry(disk), path)
    }

    public func writeSymlink(at path: [UInt8], target: [UInt8], metadata: EntryMetadata) throws {
        let entry = entry(path, type: CArchive_IFLNK, metadata)
        entry.setSymlink(target)
        try check(archive_write_header(disk, entry.pointer), path)
        try check(archive_write_finish_entry(disk), path)
    }

    /// Makes `path` a hard link to the already restored `existing`.
    public func writeHardlink(at path: [UInt8], to existing: [UInt8]) throws {
        let entry = ArchiveEntry()
        entry.setPath(path)
        entry.setHardlink(existing)
        archive_entry_set_size(entry.pointer, 0)
        try check(archive_write_header(disk, entry.pointer), path)
        try check(archive_write_finish_entry(disk), path)
    }

    /// Applies the deferred folder permissions and times.
    public func close() throws {
        closed = true
        if archive_write_close(disk) < ARCHIVE_WARN {
            throw NativeError(.libarchive, "finish restore", archiveMessage(disk))
        }
    }

    private func entry(_ path: [UInt8], type: UInt32, _ metadata: EntryMetadata) -> ArchiveEntry {
        let entry = ArchiveEntry()
        entry.setPath(path)
        archive_entry_set_filetype(entry.pointer, type)
        archive_entry_set_perm(entry.pointer, metadata.permissions)
        archive_entry_set_uid(entry.pointer, Int64(metadata.uid))
        archive_entry_set_gid(entry.pointer, Int64(metadata.gid))
        if let user = metadata.user { archive_entry_copy_uname(entry.pointer, user) }
        if let group = metadata.group { archive_entry_copy_gname(entry.pointer, group) }
        archive_entry_set_mtime(entry.pointer, Int(metadata.mtimeNs / 1_000_000_000), Int(metadata.mtimeNs % 1_000_000_000))
        entry.addXattrs(metadata.xattrs)
        return entry
    }

    private func check(_ rc: Int32, _ path: [UInt8]) throws {
        if rc < ARCHIVE_WARN { throw failure(path) }
    }

    /// libarchive's message, with the `errno` behind it (so a full disk can be told from other failures).
    private func failure(_ path: [UInt8]) -> NativeError {
        let code = archive_errno(disk)
        let message = code > 0 ? "\(archiveMessage(disk)): \(String(cString: strerror(code)))" : archiveMessage(disk)
        return NativeError(.libarchive, "restore \(String(decoding: path, as: UTF8.self))", message, errno: code > 0 ? code : nil)
    }
}
