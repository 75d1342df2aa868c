import Foundation
import Glibc
@testable import LifeboatKit
import LifeboatNative

/// A repository with one backup of service `app`, rewritten for each input, a restore target three
/// folders down (so that a path climbing out with up to four `..` still lands in the sandbox), and a
/// folder `outside` holding `canary.txt`, which no restore may change, link to or write next to.
final class RestoreSandbox {
    let root: String
    let repository: Repository
    let outside: String
    var target: String { "\(root)/t1/t2/t3/target" }
    static let backup = "20261125T074100.219Z-0ecb"
    static let archive = "data-0001.tar.zst"
    static let canary = Array("canary\n".utf8)
    /// An absolute path that hand-made members name; it must never appear.
    static let absoluteEscape = "/tmp/lifeboat-fuzz-escape"

    init() throws {
        root = "\(NSTemporaryDirectory())lifeboat-fuzz-restore-\(UUID().uuidString.prefix(8))"
        outside = "\(root)/outside"
        repository = try Repository.create(at: "\(root)/repo", compressionLevel: 3)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/t1/t2/t3", withIntermediateDirectories: true)
        try Data(Self.canary).write(to: URL(fileURLWithPath: "\(outside)/canary.txt"))
    }

    func remove() {
        try? removeTarget()
        try? removeTree(Array(root.utf8))
    }

    /// How many restores succeeded.
    var restored = 0

    /// Writes the backup the input describes, restores it in a mode that the input decides (so that a
    /// failure replays from the input alone), and says what went wrong (nil: nothing).
    func restore(_ input: [UInt8]) -> String? {
        let modes: [RestoreMode] = [.emptyTarget, .force, .exact]
        return restore(input, mode: modes[Int(input.reduce(UInt32(7)) { $0 &* 31 &+ UInt32($1) } % 3)])
    }

    func restore(_ input: [UInt8], mode: RestoreMode) -> String? {
        let spec = ArchiveSpec(input, outside: Array(outside.utf8))
        do {
            try write(spec)
            if mode != .emptyTarget { try plantLink() }
        } catch {
            return "cannot prepare the backup: \(error)"
        }
        var problems: [String] = []
        do {
            _ = try RestoreEngine(repository: repository).restore(
                RestoreRequest(service: "app", target: target, mode: mode, restoreOwnership: false))
            restored += 1
        } catch is LifeboatError {
        } catch {
            problems.append("restore --\(mode) threw \(type(of: error)): \(error)")
        }
        problems += escapes()
        do {
            try removeTarget()
            if !problems.isEmpty { try clearEscapes() }
        } catch {
            problems.append("cannot clean the sandbox: \(error)")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// Removes the target; with `rm -rf` when it holds paths too long for `lstat` (a restore writes
    /// them through libarchive, which goes folder by folder).
    private func removeTarget() throws {
        do {
            try removeTree(Array(target.utf8))
        } catch {
            let rm = try Process.run(URL(fileURLWithPath: "/bin/rm"), arguments: ["-rf", target])
            rm.waitUntilExit()
            guard rm.terminationStatus == 0 else { throw error }
        }
    }

    /// Puts back the sandbox an escaping restore changed, so that the next input starts clean.
    private func clearEscapes() throws {
        let expected = [root: ["outside", "repo", "t1"], "\(root)/t1": ["t2"], "\(root)/t1/t2": ["t3"], "\(root)/t1/t2/t3": [], outside: []]
        for (folder, keep) in expected {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !keep.contains(name) {
                try removeTree(Array("\(folder)/\(name)".utf8))
            }
        }
        try Data(Self.canary).write(to: URL(fileURLWithPath: "\(outside)/canary.txt"))
        try removeTree(Array(Self.absoluteEscape.utf8))
    }

    private func write(_ spec: ArchiveSpec) throws {
        let folder = repository.backupPath(service: "app", id: Self.backup)
        try removeTree(Array(folder.utf8))
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let tar = spec.tar()
        try Data(tar).write(to: URL(fileURLWithPath: "\(folder)/\(Self.archive)"))

        let sink = try FileSink(creating: "\(folder)/\(ManifestFile.objectName)")
        let zstd = try ZstdStreamWriter(sink: sink, level: 1)
        let header = ManifestHeader(backup: Self.backup, service: "app", roots: spec.roots.map { String(decoding: $0, as: UTF8.self) })
        var lines = Array(try JSONEncoder().encode(header)) + [UInt8(ascii: "\n")]
        for entry in spec.manifestEntries(backup: Self.backup, archive: Self.archive) { lines += entry.jsonLine() + [UInt8(ascii: "\n")] }
        try zstd.write(lines)
        try zstd.finish()
        let manifestDigest = try sink.finish()

        let record = BackupRecord(
            id: Self.backup, service: "app", kind: .full, parent: nil, tier: nil, host: "fuzz", started: "2026-11-25T07:41:00.219Z",
            finished: "2026-11-25T07:41:00.224Z", sources: ["/srv/app"], status: "complete", compression: "zstd-1", stats: .init(),
            objects: [.init(name: Self.archive, size: Int64(tar.count), sha256: SHA256Hasher.digest(tar).hex),
                      .init(name: ManifestFile.objectName, size: sink.bytesWritten, sha256: manifestDigest.hex)],
            warnings: [])
        try Data(try jsonBytes(record)).write(to: URL(fileURLWithPath: "\(folder)/backup.json"))
    }

    /// A target that has content: `srv/app/planted` is a symlink to the outside folder.
    private func plantLink() throws {
        try FileManager.default.createDirectory(atPath: "\(target)/srv/app", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(target)/srv/app/planted", withDestinationPath: outside)
    }

    /// What the restore changed outside the target, and links from inside it to files outside it.
    private func escapes() -> [String] {
        var problems: [String] = []
        let fm = FileManager.default
        func expectListing(_ folder: String, _ expected: Set<String>, optional: Set<String> = []) {
            let names = Set((try? fm.contentsOfDirectory(atPath: folder)) ?? [])
            if names.subtracting(optional) != expected {
                problems.append("\(folder) holds \(names.sorted()), expected \(expected.sorted())")
            }
        }
        expectListing(root, ["outside", "repo", "t1"])
        expectListing("\(root)/t1", ["t2"])
        expectListing("\(root)/t1/t2", ["t3"])
        expectListing("\(root)/t1/t2/t3", [], optional: ["target"])
        expectListing(outside, ["canary.txt"])
        expectListing(repository.root, ["lifeboat-repository.json", "locks", "records", "services"])
        expectListing(repository.backupPath(service: "app", id: Self.backup), [Self.archive, ManifestFile.objectName, "backup.json"])
        var status = stat()
        if lstat("\(outside)/canary.txt", &status) != 0 || status.st_nlink != 1 || (status.st_mode & S_IFMT) != S_IFREG
            || fm.contents(atPath: "\(outside)/canary.txt") != Data(Self.canary) {
            problems.append("outside/canary.txt was changed or linked (links: \(status.st_nlink))")
        }
        if lstat(Self.absoluteEscape, &status) == 0 { problems.append("\(Self.absoluteEscape) was created") }
        // No file outside the target gained a hard link (the canary is checked above).
        walk(Array(repository.root.utf8)) { path, status in
            if (status.st_mode & S_IFMT) == S_IFREG && status.st_nlink != 1 {
                problems.append("\(FuzzDriver.preview(path)) in the repository has \(status.st_nlink) links")
            }
        }
        // Inside the target: only folders, files and symlinks (paths longer than PATH_MAX are not walked).
        walk(Array(target.utf8)) { path, status in
            switch status.st_mode & S_IFMT {
            case S_IFDIR, S_IFLNK, S_IFREG: break
            default: problems.append("the restore created a device, FIFO or socket: \(FuzzDriver.preview(path))")
            }
        }
        return problems
    }

    /// Calls `visit` for everything below `path`, without following symlinks.
    private func walk(_ path: [UInt8], _ visit: ([UInt8], stat) -> Void) {
        guard let dir = withCPath(path, { opendir($0) }) else { return }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [UInt8(ascii: ".")] && name != [UInt8(ascii: "."), UInt8(ascii: ".")] { names.append(name) }
        }
        closedir(dir)
        for name in names {
            let child = path + [UInt8(ascii: "/")] + name
            var status = stat()
            guard withCPath(child, { lstat($0, &status) }) == 0 else { continue }
            visit(child, status)
            if status.st_mode & S_IFMT == S_IFDIR { walk(child, visit) }
        }
    }
}
