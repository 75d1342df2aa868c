import Foundation
import Glibc
import LifeboatNative

/// Compares a restored tree with the manifest it was restored from, path by path.
struct TreeComparison {
    let plan: RestorePlan
    let layout: RestoreLayout
    let compareOwnership: Bool

    /// Every difference, as one line each (`path: what differs`).
    func differences(limit: Int = 100) throws -> (lines: [String], count: Int, filesHashed: Int, bytesHashed: Int64) {
        var lines: [String] = []
        var count = 0
        var filesHashed = 0
        var bytesHashed: Int64 = 0
        func report(_ line: String) {
            count += 1
            if lines.count < limit { lines.append(line) }
        }
        try ManifestTreeMerge(plan: plan, layout: layout).run({ entry, found in
            guard let entry else {
                report("\(found!.path): present after restore but not in the manifest")
                return false
            }
            guard let found else {
                report("\(entry.path): missing after restore")
                return false
            }
            guard entry.matchesKind(of: found.status) else {
                report("\(entry.path): restored as \(found.status.kind.rawValue), the manifest says \(entry.kind.rawValue)")
                return false
            }
            for problem in try compare(entry, found) { report("\(entry.path): \(problem)") }
            if entry.kind == .file {
                filesHashed += 1
                bytesHashed += found.status.size
            }
            return true
        }, problem: { report($0) })
        return (lines, count, filesHashed, bytesHashed)
    }

    private func compare(_ entry: ManifestEntry, _ found: ScannedEntry) throws -> [String] {
        var problems: [String] = []
        let status = found.status
        if entry.kind != .symlink && status.permissions != entry.permissions {
            problems.append("mode \(String(status.permissions, radix: 8)), expected \(String(entry.permissions, radix: 8))")
        }
        if status.mtimeNs != entry.mtimeNs { problems.append("mtime \(status.mtimeNs), expected \(entry.mtimeNs)") }
        if compareOwnership && (status.uid != entry.uid || status.gid != entry.gid) {
            problems.append("owner \(status.uid):\(status.gid), expected \(entry.uid):\(entry.gid)")
        }
        switch entry.kind {
        case .file:
            if status.size != entry.size { problems.append("size \(status.size), expected \(entry.size)") }
            let (digest, _) = try SHA256Hasher.digestFile(found.absolute)
            if digest.hex != entry.sha256 { problems.append("content SHA-256 \(digest.hex), expected \(entry.sha256 ?? "-")") }
            if entry.sparse && status.size > 0 && status.blocks * 512 >= status.size {
                problems.append("holes were not kept (\(status.blocks * 512) bytes allocated for \(status.size))")
            }
        case .hardlink:
            let primary = layout.disk(entry.hardlinkTarget ?? entry.path)
            if try FileStatus.lstat(primary)?.inode != status.inode {
                problems.append("not a hard link to \(entry.hardlinkTarget?.description ?? "-")")
            }
        case .symlink:
            let target = readLink(found.absolute)
            if target != entry.symlinkTarget {
                problems.append("link target \(String(decoding: target ?? [], as: UTF8.self)), expected \(String(decoding: entry.symlinkTarget ?? [], as: UTF8.self))")
            }
        case .directory:
            break
        }
        return problems
    }

    private func readLink(_ path: [UInt8]) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = withCPath(path) { p in buffer.withUnsafeMutableBytes { readlink(p, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) } }
        return n < 0 ? nil : Array(buffer[0..<n])
    }
}
