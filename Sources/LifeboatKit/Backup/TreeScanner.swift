import Glibc
import LifeboatNative

/// One path found by the scanner.
struct ScannedEntry: Sendable {
    var path: TreePath
    /// The absolute path on disk.
    var absolute: [UInt8]
    var status: FileStatus
}

/// Walks source paths depth first, siblings in bytewise order, which is `TreePath` order. Entries
/// matching an exclude pattern are skipped with everything below them. A pattern without `/` matches
/// a name anywhere (`*.tmp`); a pattern with `/` matches the whole absolute path (`/srv/app/cache/*`).
struct TreeScanner {
    /// Each root as a tree path and where it is on disk (the same path for sources; somewhere below a
    /// restore target when checking a restored tree).
    let roots: [(path: TreePath, absolute: [UInt8])]
    let excludes: [String]
    /// Skip roots that do not exist instead of failing.
    let allowMissingRoots: Bool

    /// Scans absolute source paths, each read from `readFrom[path]` when given.
    init(sources: [String], readFrom: [String: String] = [:], excludes: [String]) {
        roots = sources.map { (TreePath(absolute: $0), Array((readFrom[$0] ?? $0).utf8)) }
        self.excludes = excludes
        allowMissingRoots = false
    }

    /// Scans the roots of a restore layout, tolerating missing roots.
    init(layout: RestoreLayout, excludes: [String] = []) {
        roots = layout.placements.map { ($0.root, $0.disk) }
        self.excludes = excludes
        allowMissingRoots = true
    }

    /// Calls `visit` for every entry (it returns whether to descend into a folder); `problem` for entries
    /// that could not be read (the walk goes on). Throws when a root itself is missing or unreadable.
    func walk(_ visit: (ScannedEntry) throws -> Bool, problem: (String) -> Void) throws {
        for (root, absolute) in roots.sorted(by: { $0.path < $1.path }) {
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

    /// Lists and stats a folder's children, closes the folder, then visits them: one open folder at a
    /// time, however deep the tree.
    private func walkChildren(of parent: ScannedEntry, _ visit: (ScannedEntry) throws -> Bool, problem: (String) -> Void) throws {
        guard let dir = withCPath(parent.absolute, { opendir($0) }) else {
            problem("cannot list \(parent.path): \(String(cString: strerror(errno)))")
            return
        }
        var children: [ScannedEntry] = []
        let fd = dirfd(dir)
        for name in entryNames(dir).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let absolute = parent.absolute + [UInt8(ascii: "/")] + name
            let path = parent.path.appending(name)
            if isExcluded(name: name, path: path) { continue }
            var st = stat()
            if withCPath(name, { fstatat(fd, $0, &st, AT_SYMLINK_NOFOLLOW) }) != 0 {
                if errno != ENOENT { problem("cannot read \(path): \(String(cString: strerror(errno)))") }
                continue  // vanished since it was listed: nothing to back up
            }
            children.append(ScannedEntry(path: path, absolute: absolute, status: FileStatus(st)))
        }
        closedir(dir)
        for entry in children {
            if try visit(entry), entry.status.kind == .directory { try walkChildren(of: entry, visit, problem: problem) }
        }
    }

    /// Patterns with `/` match the source's absolute path (`/` + tree path), also when scanning a
    /// restore target, so the same excludes select the same paths there.
    private func isExcluded(name: [UInt8], path: TreePath) -> Bool {
        for pattern in excludes {
            let matched = pattern.utf8.contains(UInt8(ascii: "/"))
                ? withCPath([UInt8(ascii: "/")] + path.bytes) { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }
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
