import Foundation
import Glibc
import LifeboatNative

/// Everything a restore must reproduce about a tree, taken with raw system calls (names are bytes):
/// type, permissions, mtime (ns), size, content SHA-256, symlink target, which paths share an inode,
/// and whether a sparse file still has holes. Two snapshots compare equal when the trees match.
struct TreeSnapshot: Equatable, CustomStringConvertible {
    struct Entry: Equatable {
        var type: String
        var mode: UInt32
        var mtimeNs: Int64
        var size: Int64
        var content: String?
        var linkTarget: [UInt8]?
        /// Index of the first path (in sorted order) sharing this inode, for files with several links.
        var hardlinkGroup: String?
        var sparse: Bool
    }

    var entries: [[UInt8]: Entry] = [:]

    /// Snapshot of the tree under `root` (paths relative to it). Folder mtimes are included.
    init(_ root: String) throws {
        var inodes: [UInt64: String] = [:]
        try walk(Array(root.utf8), relative: [], inodes: &inodes)
    }

    private mutating func walk(_ path: [UInt8], relative: [UInt8], inodes: inout [UInt64: String]) throws {
        guard let dir = path.withCString({ opendir($0) }) else { return }
        var names: [[UInt8]] = []
        while let item = readdir(dir) {
            let name = withUnsafeBytes(of: &item.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            if name == [46] || name == [46, 46] { continue }
            names.append(name)
        }
        closedir(dir)
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let full = path + [47] + name
            let rel = relative.isEmpty ? name : relative + [47] + name
            var st = stat()
            guard full.withCString({ lstat($0, &st) }) == 0 else { continue }
            let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
            var entry = Entry(type: "", mode: st.st_mode & 0o7777, mtimeNs: mtime, size: 0, content: nil, linkTarget: nil, hardlinkGroup: nil, sparse: false)
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                entry.type = "dir"
                entries[rel] = entry
                try walk(full, relative: rel, inodes: &inodes)
                continue
            case S_IFLNK:
                entry.type = "symlink"
                entry.mode = 0
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = full.withCString { p in buffer.withUnsafeMutableBytes { readlink(p, $0.baseAddress!.assumingMemoryBound(to: CChar.self), 4096) } }
                entry.linkTarget = Array(buffer.prefix(max(n, 0)))
            case S_IFREG:
                entry.type = "file"
                entry.size = Int64(st.st_size)
                entry.content = try sha256(full)
                entry.sparse = st.st_size > 65536 && Int64(st.st_blocks) * 512 < Int64(st.st_size) / 2
                if st.st_nlink > 1 {
                    let key = UInt64(st.st_ino)
                    if inodes[key] == nil { inodes[key] = String(decoding: rel, as: UTF8.self) }
                    entry.hardlinkGroup = inodes[key]
                }
            default:
                entry.type = "other"
            }
            entries[rel] = entry
        }
    }

    private func sha256(_ path: [UInt8]) throws -> String {
        try SHA256Hasher.digestFile(path).digest.hex
    }

    /// The differences, one line per path, for a readable failure message.
    func differences(from other: TreeSnapshot) -> [String] {
        var lines: [String] = []
        for key in Set(entries.keys).union(other.entries.keys).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let name = String(decoding: key, as: UTF8.self)
            switch (entries[key], other.entries[key]) {
            case (let a?, nil): lines.append("\(name): only in first (\(a.type))")
            case (nil, let b?): lines.append("\(name): only in second (\(b.type))")
            case (let a?, let b?) where a != b: lines.append("\(name): \(a) != \(b)")
            default: break
            }
        }
        return lines
    }

    var description: String { "\(entries.count) entries" }
}

private extension Array where Element == UInt8 {
    func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try (self + [0]).withUnsafeBufferPointer { try $0.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) } }
    }
}
