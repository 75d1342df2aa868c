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
    /// Folder the roots are relative to: empty for source paths (roots are then the absolute paths),
    /// a restore target when checking a restored tree.
    let base: [UInt8]
    let roots: [TreePath]
    let excludes: [String]
    /// Skip roots that do not exist instead of failing.
    let allowMissingRoots: Bool

    /// Scans absolute source paths.
    init(sources: [String], excludes: [String]) {
        base = []
        roots = sources.map { TreePath(absolute: $0) }
        self.excludes = excludes
        allowMissingRoots = false
    }

    /// Scans `roots` below `base` (a restore target), tolerating missing roots.
    init(base: [UInt8], roots: [TreePath]) {
        self.base = base
        self.roots = roots
        excludes = []
        allowMissingRoots = true
    }

    /// Calls `visit` for every entry (it returns whether to descend into a folder); `problem` for entries
    /// that could not be read (the walk goes on). Throws when a root itself is missing or unreadable.
    func walk(_ visit: (ScannedEntry) throws -> Bool, problem: (String) -> Void) throws {
        for root in roots.sorted() {
            let absolute = base + [UInt8(ascii: "/")] + root.bytes
            let status: FileStatus?
            do {
                status = try FileStatus.lstat(absolute)
            } catch {
                throw LifeboatError(.io, "cannot read source path /\(root): \(error)", cause: error)
            }
            guard let status else {
                if allowMissingRoots { continue }
                throw LifeboatError(.io, "source path /\(root) does not exist; create it or fix `paths:` in the config")
            }
            let entry = ScannedEntry(path: root, absolute: absolute, status: status)
            if try visit(entry), status.kind == .directory { try walkChildren(of: entry, visit, problem: problem) }
        }
    }

    private func walkChildren(of parent: ScannedEntry, _ visit: (ScannedEntry) throws -> Bool, problem: (String) -> Void) throws {
        guard let dir = withCPath(parent.absolute, { opendir($0) }) else {
            problem("cannot list \(parent.path): \(String(cString: strerror(errno)))")
            return
        }
        defer { closedir(dir) }
        var names = entryNames(dir)
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
            if try visit(entry), entry.status.kind == .directory { try walkChildren(of: entry, visit, problem: problem) }
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

/// The names in an open folder, without `.` and `..`, as raw bytes.
func entryNames(_ dir: OpaquePointer) -> [[UInt8]] {
    var names: [[UInt8]] = []
    while let item = readdir(dir) {
        let name = withUnsafeBytes(of: &item.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
        if name != [UInt8(ascii: ".")] && name != [UInt8(ascii: "."), UInt8(ascii: ".")] { names.append(name) }
    }
    return names
}
