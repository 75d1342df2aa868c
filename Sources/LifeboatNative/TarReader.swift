import CArchive
import Glibc

/// One entry header of a tar archive.
public struct TarHeader: Sendable {
    public var path: [UInt8]
    public var kind: FileStatus.Kind
    public var size: Int64
    /// Set for a hard-link entry: the earlier path it links to.
    public var hardlink: [UInt8]?
    public var symlink: [UInt8]?
}

/// Reads a pax tar archive (zstd-compressed or not) from a `ByteSource`, entry by entry.
/// The source hashes every byte it reads: `finish()` drains it and returns the object's SHA-256.
public final class TarReader {
    let archive: OpaquePointer
    private let input: ReadContext
    private(set) var current: OpaquePointer?
    private var reachedEnd = false

    private final class ReadContext {
        let source: any ByteSource
        let buffer: UnsafeMutableRawBufferPointer = .allocate(byteCount: 1 << 20, alignment: 64)
        var failure: (any Error)?
        init(source: any ByteSource) { self.source = source }
        deinit { buffer.deallocate() }
    }

    public init(source: any ByteSource) throws {
        _ = libarchiveLocale
        archive = archive_read_new()
        input = ReadContext(source: source)
        archive_read_support_format_tar(archive)
        archive_read_support_filter_zstd(archive)
        archive_read_support_filter_none(archive)
        let client = Unmanaged.passUnretained(input).toOpaque()
        let rc = archive_read_open(archive, client, nil, { _, client, out in
            let context = Unmanaged<ReadContext>.fromOpaque(client!).takeUnretainedValue()
            do {
                let n = try context.source.read(into: context.buffer)
                out?.pointee = UnsafeRawPointer(context.buffer.baseAddress)
                return n
            } catch {
                context.failure = error
                return -1
            }
        }, nil)
        if rc != ARCHIVE_OK { throw failure("open \(source.name)") }
    }

    deinit { archive_read_free(archive) }

    public var path: String { input.source.name }

    /// The next entry's header; nil at the end of the archive.
    public func next() throws -> TarHeader? {
        if reachedEnd { return nil }
        var entry: OpaquePointer?
        let rc = archive_read_next_header(archive, &entry)
        if rc == ARCHIVE_EOF {
            current = nil
            reachedEnd = true
            return nil
        }
        guard rc >= ARCHIVE_WARN, let entry else { throw failure("read next header") }
        current = entry
        func bytes(_ p: UnsafePointer<CChar>?) -> [UInt8]? {
            p.map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0))) }
        }
        let type = archive_entry_filetype(entry)
        let kind: FileStatus.Kind = switch type & CArchive_IFMT {
        case CArchive_IFREG: .regular
        case CArchive_IFDIR: .directory
        case CArchive_IFLNK: .symlink
        default: .unknown
        }
        return TarHeader(path: bytes(archive_entry_pathname(entry)) ?? [], kind: kind,
                         size: archive_entry_size(entry), hardlink: bytes(archive_entry_hardlink(entry)),
                         symlink: bytes(archive_entry_symlink(entry)))
    }

    /// Streams the current entry's logical content (holes as zeros are *not* materialised; `body` gets
    /// each data block with its offset).
    public func readBlocks(_ body: (UnsafeRawBufferPointer, Int64) throws -> Void) throws {
        var block: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        while true {
            let rc = archive_read_data_block(archive, &block, &size, &offset)
            if rc == ARCHIVE_EOF { return }
            if rc < ARCHIVE_WARN { throw failure("read data") }
            try body(UnsafeRawBufferPointer(start: block, count: size), offset)
        }
    }

    /// Streams the current entry's data blocks to `body` (each with its offset) and returns the SHA-256
    /// of its logical content: holes, and a hole at the end up to `size`, count as zeros.
    public func hashedBlocks(size: Int64, _ body: (UnsafeRawBufferPointer, Int64) throws -> Void) throws -> SHA256Digest {
        let hasher = SHA256Hasher()
        var position: Int64 = 0
        try readBlocks { block, offset in
            if offset > position { hasher.updateZeros(offset - position) }
            hasher.update(block)
            position = offset + Int64(block.count)
            try body(block, offset)
        }
        if size > position { hasher.updateZeros(size - position) }
        return hasher.finalize()
    }

    /// SHA-256 of the current entry's logical content, holes included as zeros.
    public func digestContent(size: Int64) throws -> SHA256Digest {
        try hashedBlocks(size: size) { _, _ in }
    }

    /// Reads the archive and the object to their very end; returns the SHA-256 of the whole object.
    public func finish() throws -> SHA256Digest {
        while try next() != nil {}
        return try input.source.drainAndDigest()
    }

    func failure(_ operation: String) -> any Error {
        if let failure = input.failure { return failure }
        return NativeError(.libarchive, "\(operation) in \(input.source.name)", archiveMessage(archive))
    }
}
