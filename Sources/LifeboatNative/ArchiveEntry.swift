import CArchive
import Glibc

/// libarchive reads the locale to decide how to encode names: with UTF-8 set, valid UTF-8 names are
/// written as UTF-8 pax records and other byte strings as `hdrcharset=BINARY`.
let libarchiveLocale: Void = {
    setlocale(LC_CTYPE, "C.UTF-8")
}()

/// Owns one `struct archive_entry`.
final class ArchiveEntry {
    let pointer: OpaquePointer

    init() {
        _ = libarchiveLocale
        pointer = archive_entry_new()
    }

    deinit { archive_entry_free(pointer) }

    var pathBytes: [UInt8] {
        guard let p = archive_entry_pathname(pointer) else { return [] }
        return Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
    }

    func setPath(_ bytes: [UInt8]) { withCPath(bytes) { archive_entry_copy_pathname(pointer, $0) } }
    func setSourcePath(_ bytes: [UInt8]) { withCPath(bytes) { archive_entry_copy_sourcepath(pointer, $0) } }
    func setHardlink(_ bytes: [UInt8]) { withCPath(bytes) { archive_entry_copy_hardlink(pointer, $0) } }
    func setSymlink(_ bytes: [UInt8]) { withCPath(bytes) { archive_entry_copy_symlink(pointer, $0) } }

    var symlinkBytes: [UInt8]? {
        guard let p = archive_entry_symlink(pointer) else { return nil }
        return Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
    }

    var xattrs: [Xattr] {
        var out: [Xattr] = []
        guard archive_entry_xattr_reset(pointer) > 0 else { return out }
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while archive_entry_xattr_next(pointer, &name, &value, &size) == ARCHIVE_OK {
            guard let name else { continue }
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
            out.append(Xattr(name: String(cString: name), value: bytes))
        }
        return out
    }

    func addXattrs(_ xattrs: [Xattr]) {
        for xattr in xattrs {
            xattr.value.withUnsafeBytes { archive_entry_xattr_add_entry(pointer, xattr.name, $0.baseAddress, $0.count) }
        }
    }

    var isSparse: Bool { archive_entry_sparse_count(pointer) > 0 }

    /// The data regions (offset, length) of a sparse entry; nil when the entry has no holes.
    var dataRegions: [(offset: Int64, length: Int64)]? {
        guard archive_entry_sparse_reset(pointer) > 0 else { return nil }
        var regions: [(offset: Int64, length: Int64)] = []
        var offset: la_int64_t = 0
        var length: la_int64_t = 0
        while archive_entry_sparse_next(pointer, &offset, &length) == ARCHIVE_OK {
            regions.append((offset, length))
        }
        return regions.sorted { $0.offset < $1.offset }
    }
}

/// The message libarchive left on a handle.
func archiveMessage(_ archive: OpaquePointer) -> String {
    archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
}
