import CArchive
import Glibc

/// What storing one regular file produced.
public struct StoredContent: Sendable {
    /// `fstat` of the open file before reading it.
    public var status: FileStatus
    /// SHA-256 of the file's logical content (holes read as zeros), exactly as archived.
    public var sha256: SHA256Digest
    /// False when the file changed while it was read (size or times differ afterwards, or it ended
    /// early or grew): the archived bytes may mix old and new content.
    public var consistent: Bool
    public var xattrs: [Xattr]
    public var sparse: Bool
}

/// What storing the grown end of a file produced.
public struct StoredTail: Sendable {
    /// The whole file: status before reading, SHA-256 of all its bytes (prefix included), consistency.
    public var content: StoredContent
    /// Where the stored bytes start in the file (the prefix's size) and how many there are.
    public var offset: Int64
    public var size: Int64
    /// SHA-256 of the stored bytes alone.
    public var sha256: SHA256Digest
}

/// What storing a folder, symlink or hard link produced.
public struct StoredMetadata: Sendable {
    public var xattrs: [Xattr]
    public var symlinkTarget: [UInt8]?
}

/// Writes a pax tar archive, compressed with zstd by libarchive, into a `ByteSink`; reads each
/// regular file once, hashing it while it streams into the archive.
public final class TarWriter {
    private let archive: OpaquePointer
    private let disk: OpaquePointer
    private let output: WriteContext
    private let buffer: UnsafeMutableRawBufferPointer
    private var finished = false

    private final class WriteContext {
        let sink: any ByteSink
        var failure: (any Error)?
        init(sink: any ByteSink) { self.sink = sink }
    }

    /// - Parameters:
    ///   - compressionLevel: zstd level (1...19).
    ///   - threads: zstd worker threads; 1 compresses on a worker while the caller reads and hashes,
    ///     which measured fastest on 2 cores. 0 compresses on the calling thread.
    public init(sink: any ByteSink, compressionLevel: Int, threads: Int = 1) throws {
        _ = libarchiveLocale
        archive = archive_write_new()
        disk = archive_read_disk_new()
        output = WriteContext(sink: sink)
        buffer = .allocate(byteCount: 1 << 20, alignment: 64)
        archive_read_disk_set_standard_lookup(disk)
        archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_FFLAGS)
        try check(archive_write_set_format_pax(archive), "set pax format")
        // Names are stored as the bytes found on disk (`hdrcharset=BINARY`): with UTF-8 headers,
        // libarchive's reader normalises decomposed (NFD) names to NFC, so they would read back as other
        // bytes than the manifest lists. GNU tar warns that it does not know the keyword and reads the
        // names as they are (`--warning=no-unknown-keyword` silences it).
        try check(archive_write_set_format_option(archive, "pax", "hdrcharset", "BINARY"), "set pax hdrcharset")
        try check(archive_write_add_filter_zstd(archive), "add zstd filter")
        try check(archive_write_set_filter_option(archive, "zstd", "compression-level", String(compressionLevel)), "set zstd level")
        try check(archive_write_set_filter_option(archive, "zstd", "threads", String(threads)), "set zstd threads")
        try check(archive_write_set_bytes_in_last_block(archive, 1), "set last block")
        let client = Unmanaged.passUnretained(output).toOpaque()
        try check(archive_write_open2(archive, client, nil, { _, client, data, length in
            let context = Unmanaged<WriteContext>.fromOpaque(client!).takeUnretainedValue()
            do {
                try context.sink.write(UnsafeRawBufferPointer(start: data, count: length))
                return length
            } catch {
                context.failure = error
                return -1
            }
        }, nil, nil), "open archive")
    }

    deinit {
        if !finished { archive_write_fail(archive) }
        archive_write_free(archive)
        archive_read_free(disk)
        buffer.deallocate()
    }

    /// Archives the regular file at `sourcePath` under `archivePath`.
    /// - Parameter progress: called with the number of bytes just read.
    public func appendRegularFile(sourcePath: [UInt8], archivePath: [UInt8], progress: (Int) -> Void = { _ in }) throws -> StoredContent {
        let display = String(decoding: sourcePath, as: UTF8.self)
        let (fd, before) = try SourceFile.open(sourcePath, display: display)
        defer { close(fd) }
        let entry = try entryFromOpenFile(fd, before, sourcePath: sourcePath, display: display)
        lseek(fd, 0, SEEK_SET)
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        entry.setPath(archivePath)
        try writeHeader(entry, display: display)
        let hasher = ArchivedContentHasher(dataRegions: entry.dataRegions)
        let (status, consistent) = try streamContent(fd, before, from: 0, hasher: hasher, display: display, progress: progress)
        return StoredContent(status: status, sha256: hasher.finalize(), consistent: consistent && !hasher.dataInHoles,
                             xattrs: entry.xattrs, sparse: entry.isSparse)
    }

    /// Archives under `archivePath` only what `file` holds after the prefix it was checked against: an
    /// entry of `size - prefixSize` bytes, stored without holes.
    public func appendTail(_ file: GrownFile, archivePath: [UInt8]) throws -> StoredTail {
        let entry = try entryFromOpenFile(file.fd, file.before, sourcePath: file.sourcePath, display: file.display)
        archive_entry_sparse_clear(entry.pointer)
        archive_entry_set_size(entry.pointer, Int64(file.before.st_size) - file.prefixSize)
        lseek(file.fd, off_t(file.prefixSize), SEEK_SET)
        entry.setPath(archivePath)
        try writeHeader(entry, display: file.display)
        let tail = ArchivedContentHasher(dataRegions: nil)
        let (status, consistent) = try streamContent(file.fd, file.before, from: file.prefixSize, hasher: tail, display: file.display,
                                                     alsoHash: file.hasher)
        let whole = StoredContent(status: status, sha256: file.hasher.finalize(), consistent: consistent, xattrs: entry.xattrs, sparse: false)
        return StoredTail(content: whole, offset: file.prefixSize, size: status.size - file.prefixSize, sha256: tail.finalize())
    }

    /// The header libarchive makes from an open file (owner names, xattrs, ACLs, holes).
    private func entryFromOpenFile(_ fd: Int32, _ before: stat, sourcePath: [UInt8], display: String) throws -> ArchiveEntry {
        let entry = ArchiveEntry()
        entry.setSourcePath(sourcePath)
        var status = before
        guard archive_read_disk_entry_from_file(disk, entry.pointer, fd, &status) >= ARCHIVE_WARN else {
            throw NativeError(.libarchive, "read metadata of \(display)", archiveMessage(disk)).source()
        }
        return entry
    }

    /// Streams the file from `start` (the fd's position) to the size it had when opened into the entry
    /// whose header is written, hashing as it goes; pads with zeros when the file shrank. Returns the
    /// status before reading and whether the file stayed unchanged while it was read.
    private func streamContent(_ fd: Int32, _ before: stat, from start: Int64, hasher: ArchivedContentHasher, display: String,
                               alsoHash: SHA256Hasher? = nil, progress: (Int) -> Void = { _ in }) throws -> (FileStatus, Bool) {
        let size = Int64(before.st_size)
        var done = start
        var consistent = true
        while done < size {
            let want = Int(min(Int64(buffer.count), size - done))
            let n = read(fd, buffer.baseAddress, want)
            if n < 0 {
                if errno == EINTR { continue }
                // The header is written: the archive cannot skip this entry any more.
                throw NativeError.posix("read", path: display)
            }
            if n == 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            alsoHash?.update(bytes)
            try writeData(bytes, at: done - start, hasher: hasher, display)
            done += Int64(n)
            progress(n)
        }
        if done < size {
            // The file shrank while we read it: the header promised `size` bytes, so pad with zeros.
            consistent = false
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            while done < size {
                let n = Int(min(Int64(buffer.count), size - done))
                let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                alsoHash?.update(bytes)
                try writeData(bytes, at: done - start, hasher: hasher, display)
                done += Int64(n)
            }
        } else if read(fd, buffer.baseAddress, 1) > 0 {
            consistent = false
        }
        var after = stat()
        if fstat(fd, &after) != 0 { throw NativeError.posix("stat", path: display) }
        let status = FileStatus(before)
        let statusAfter = FileStatus(after)
        if statusAfter.size != status.size || statusAfter.mtimeNs != status.mtimeNs || statusAfter.ctimeNs != status.ctimeNs {
            consistent = false
        }
        return (status, consistent)
    }

    /// Archives a folder or symlink (read from `sourcePath`) under `archivePath`.
    public func appendMetadata(sourcePath: [UInt8], archivePath: [UInt8]) throws -> StoredMetadata {
        let entry = try diskEntry(sourcePath: sourcePath, archivePath: archivePath)
        try writeHeader(entry, display: String(decoding: sourcePath, as: UTF8.self))
        return StoredMetadata(xattrs: entry.xattrs, symlinkTarget: entry.symlinkBytes)
    }

    /// Archives `archivePath` as a hard link to `linkTarget`, an earlier path of the same backup. Only
    /// `lstat` is needed: content, xattrs and ACLs belong to the inode, stored with the first name.
    public func appendHardlink(sourcePath: [UInt8], archivePath: [UInt8], linkTarget: [UInt8]) throws {
        let display = String(decoding: sourcePath, as: UTF8.self)
        var st = stat()
        if withCPath(sourcePath, { lstat($0, &st) }) != 0 { throw NativeError.posix("lstat", path: display).source() }
        let entry = ArchiveEntry()
        archive_entry_copy_stat(entry.pointer, &st)
        entry.setPath(archivePath)
        archive_entry_set_size(entry.pointer, 0)
        entry.setHardlink(linkTarget)
        try writeHeader(entry, display: display)
    }

    /// Writes the end-of-archive marker and flushes the compressor; the sink stays open.
    public func finish() throws {
        finished = true
        try check(archive_write_close(archive), "close archive")
    }

    private func writeHeader(_ entry: ArchiveEntry, display: String) throws {
        try check(archive_write_header(archive, entry.pointer), "write header for \(display)")
    }

    private func diskEntry(sourcePath: [UInt8], archivePath: [UInt8]) throws -> ArchiveEntry {
        let entry = ArchiveEntry()
        entry.setSourcePath(sourcePath)
        var st = stat()
        if withCPath(sourcePath, { lstat($0, &st) }) != 0 {
            throw NativeError.posix("lstat", path: String(decoding: sourcePath, as: UTF8.self)).source()
        }
        guard archive_read_disk_entry_from_file(disk, entry.pointer, -1, &st) >= ARCHIVE_WARN else {
            throw NativeError(.libarchive, "read metadata of \(String(decoding: sourcePath, as: UTF8.self))", archiveMessage(disk)).source()
        }
        entry.setPath(archivePath)
        return entry
    }

    private func writeData(_ bytes: UnsafeRawBufferPointer, at offset: Int64, hasher: ArchivedContentHasher, _ display: String) throws {
        hasher.update(bytes, at: offset)
        var offset = 0
        while offset < bytes.count {
            let n = archive_write_data(archive, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 { throw failure("write data of \(display)") }
            if n == 0 { break }  // libarchive has consumed everything the header declared
            offset += n
        }
    }

    private func check(_ rc: Int32, _ operation: String) throws {
        if rc < ARCHIVE_WARN { throw failure(operation) }
    }

    private func failure(_ operation: String) -> any Error {
        if let failure = output.failure { return failure }
        return NativeError(.libarchive, operation, archiveMessage(archive))
    }
}
