import Glibc
import LifeboatNative

/// One path found by the scanner.
struct ScannedEntry {
    var path: TreePath
    /// The absolute path on disk.
    var absolute: [UInt8]
    var status: FileStatus
}

/// Walks source paths depth first, siblings in bytewise order, which is `TreePath` order. Entries
/// matching an exclude pattern are skipped with everything below them. A pattern without `/` matches
/// a name anywhere (`*.tmp`); a pattern with `/` matches the whole absolute path (`/srv/app/cache/*`).
struct TreeScanner {
    let roots: [String]
    let excludes: [String]

    /// Calls `visit` for every entry; `problem` for entries that could not be read (the walk goes on).
    /// Throws when a root itself is missing or unreadable.
    func walk(_ visit: (ScannedEntry) throws -> Void, problem: (String) -> Void) throws {
        for root in roots.sorted(by: { TreePath(absolute: $0) < TreePath(absolute: $1) }) {
            let absolute = Array(root.utf8)
            let status: FileStatus?
            do {
                status = try FileStatus.lstat(absolute)
            } catch {
                throw LifeboatError(.io, "cannot read source path \(root): \(error)", cause: error)
            }
            guard let status else {
                throw LifeboatError(.io, "source path \(root) does not exist; create it or fix `paths:` in the config")
            }
            let entry = ScannedEntry(path: TreePath(absolute: root), absolute: absolute, status: status)
            try visit(entry)
            if status.kind == .directory { try walkChildren(of: entry, visit, problem: problem) }
        }
    }

    private func walkChildren(of parent: ScannedEntry, _ visit: (ScannedEntry) throws -> Void, problem: (String) -> Void) throws {
        guard let dir = withCPath(parent.absolute, { opendir($0) }) else {
            problem("cannot list \(parent.path): \(String(cString: strerror(errno)))")
            return
        }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let item = readdir(dir) {
            let name = withUnsafePointer(to: &item.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: UInt8.self, capacity: 256) { Array(UnsafeBufferPointer(start: $0, count: strlen(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)))) }
            }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        names.sort { $0.lexicographicallyPrecedes($1) }
        let fd = dirfd(dir)
        for name in names {
            let absolute = parent.absolute + [UInt8(ascii: "/")] + name
            if isExcluded(name: name, absolute: absolute) { continue }
            var st = stat()
            let rc = withCPath(name) { fstatat(fd, $0, &st, AT_SYMLINK_NOFOLLOW) }
            if rc != 0 {
                if errno != ENOENT { problem("cannot read \(parent.path.appending(name)): \(String(cString: strerror(errno)))") }
                continue  // vanished since it was listed: nothing to back up
            }
            let entry = ScannedEntry(path: parent.path.appending(name), absolute: absolute, status: FileStatus(st))
            try visit(entry)
            if entry.status.kind == .directory { try walkChildren(of: entry, visit, problem: problem) }
        }
    }

    private func isExcluded(name: [UInt8], absolute: [UInt8]) -> Bool {
        for pattern in excludes {
            let matched = pattern.contains("/")
                ? withCPath(absolute) { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }
                : withCPath(name) { fnmatch(pattern, $0, 0) == 0 }
            if matched { return true }
        }
        return false
    }
}
