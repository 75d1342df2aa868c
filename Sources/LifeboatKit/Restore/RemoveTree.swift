import Glibc
import LifeboatNative

/// Removes `path` and, for a folder, everything below it, never following symlinks. Paths are bytes,
/// so names that are not UTF-8 are removed exactly.
func removeTree(_ path: [UInt8]) throws {
    guard let status = try FileStatus.lstat(path) else { return }
    if status.kind == .directory {
        // A read-only folder (restored 0555, say) cannot be emptied until its owner may write it.
        if status.permissions & 0o700 != 0o700 { _ = withCPath(path) { chmod($0, mode_t(status.permissions | 0o700)) } }
        guard let dir = withCPath(path, { opendir($0) }) else {
            throw LifeboatError(.io, "cannot list \(String(decoding: path, as: UTF8.self)) to remove it: \(String(cString: strerror(errno)))")
        }
        let names = entryNames(dir)
        closedir(dir)
        for name in names { try removeTree(path + [UInt8(ascii: "/")] + name) }
        if withCPath(path, { rmdir($0) }) != 0 {
            throw LifeboatError(.io, "cannot remove folder \(String(decoding: path, as: UTF8.self)): \(String(cString: strerror(errno)))")
        }
    } else if withCPath(path, { unlink($0) }) != 0 {
        throw LifeboatError(.io, "cannot remove \(String(decoding: path, as: UTF8.self)): \(String(cString: strerror(errno)))")
    }
}
