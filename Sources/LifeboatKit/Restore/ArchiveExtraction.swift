import Foundation
import Glibc
import LifeboatNative

/// Reads each data archive of a restore plan once, front to back, extracting the files whose `ref`
/// and `archive` point at it (archive and manifest are both in tree order, so this is a merge), and
/// checks every file's SHA-256 and every archive's SHA-256 on the way. In a target that had content,
/// each file is written under a temporary name beside its final one and renamed only once its SHA-256
/// matched, so damaged content never replaces a good file; a file that fails its check is removed.
final class ArchiveExtraction {
    private let repository: Repository
    private let plan: RestorePlan
    private let layout: RestoreLayout
    private let replaceSafely: Bool
    private let disk: DiskWriter
    private var records: [String: BackupRecord] = [:]
    private(set) var files = 0
    private(set) var bytes: Int64 = 0
    private(set) var warnings: [String] = []

    /// - Parameter replaceSafely: the target had content: write each file under a temporary name and
    ///   rename it into place once verified.
    init(repository: Repository, plan: RestorePlan, layout: RestoreLayout, disk: DiskWriter, replaceSafely: Bool) {
        self.replaceSafely = replaceSafely
        self.repository = repository
        self.plan = plan
        self.layout = layout
        self.disk = disk
    }

    func run(progress: (Int, Int64) -> Void) throws {
        for archive in plan.archives {
            try extract(archive.ref, fileCount: archive.files, example: archive.example, progress: progress)
        }
    }

    private func extract(_ ref: ArchiveRef, fileCount: Int, example: TreePath, progress: (Int, Int64) -> Void) throws {
        let service = plan.record.service
        let label = "object services/\(service)/\(ref.backup)/\(ref.archive)"
        let affected = "backup \(plan.record.id) needs it for \(fileCount) file\(fileCount == 1 ? "" : "s") (e.g. \(example))"
        let owner = try record(ref.backup, label: label, affected: affected)
        guard let object = owner.objects.first(where: { $0.name == ref.archive }) else {
            throw LifeboatError(.corrupt, "\(label) is not listed in backup \(ref.backup)'s backup.json; \(affected)")
        }
        let path = repository.objectPath(service: service, id: ref.backup, name: ref.archive)
        guard FileManager.default.fileExists(atPath: path) else {
            throw LifeboatError(.corrupt, "\(label) is missing; \(affected)")
        }
        let manifest = try ManifestReader(path: plan.manifestPath)
        func nextWanted() throws -> ManifestEntry? {
            while let entry = try manifest.next() {
                if entry.kind == .file && entry.ref == ref.backup && entry.archive == ref.archive { return entry }
            }
            return nil
        }
        var current: TreePath?
        do {
            let reader = try TarReader(source: try FileSource(path: path))
            while let wanted = try nextWanted() {
                current = wanted.path
                var header = try reader.next()
                while let found = header, TreePath(bytes: found.path) < wanted.path {
                    header = try reader.next()
                }
                guard let found = header, found.path == wanted.path.bytes, found.kind == .regular else {
                    throw LifeboatError(.corrupt, "\(label) does not contain \(wanted.path) (truncated or damaged); \(affected)")
                }
                let final = layout.disk(wanted.path)
                // Into a target that started empty there is no good copy to protect: write in place.
                let temporary = replaceSafely ? Self.temporaryName(beside: final) : final
                let written: (sha256: SHA256Digest, size: Int64)
                do {
                    written = try disk.writeFile(from: reader, to: temporary)
                } catch {
                    withCPath(temporary) { _ = unlink($0) }
                    throw error
                }
                guard written.sha256.hex == wanted.sha256, written.size == wanted.size else {
                    withCPath(temporary) { _ = unlink($0) }
                    throw LifeboatError(.corrupt, "\(label) is damaged: file \(wanted.path) does not match its SHA-256 in the manifest (the target's copy was left as it was); \(affected)")
                }
                let renamed = temporary == final ? 0 : withCPath(temporary) { from in withCPath(final) { rename(from, $0) } }
                if renamed != 0 {
                    let reason = String(cString: strerror(errno))
                    withCPath(temporary) { _ = unlink($0) }
                    throw LifeboatError(.io, "cannot put \(wanted.path) in place under the target: \(reason)")
                }
                files += 1
                bytes += written.size
                progress(files, bytes)
            }
            current = nil
            let digest = try reader.finish()
            if digest.hex != object.sha256 {
                warnings.append("\(label) does not match its SHA-256 in backup.json, though every file restored from it did; run `lifeboat verify --objects`")
            }
        } catch let error as LifeboatError {
            throw error
        } catch let error as NativeError where error.operation.hasPrefix("restore ") {
            throw LifeboatError(.io, "cannot write \(current.map(\.description) ?? "a file") under the target: \(error.message)", cause: error)
        } catch {
            let file = current.map { "file \($0) cannot be restored" } ?? "its end cannot be read"
            throw LifeboatError(.corrupt, "\(label) is damaged (\(error)): \(file); \(affected)", cause: error)
        }
    }

    /// A hidden name in the same folder as `path`, so that the rename stays on one filesystem.
    private static func temporaryName(beside path: [UInt8]) -> [UInt8] {
        let folder = path.lastIndex(of: UInt8(ascii: "/")).map { Array(path[..<$0]) } ?? []
        return folder + Array("/.lifeboat-restore-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))".utf8)
    }

    private func record(_ id: String, label: String, affected: String) throws -> BackupRecord {
        if let known = records[id] { return known }
        let found: BackupRecord
        do {
            found = try repository.record(service: plan.record.service, id: id)
        } catch {
            throw LifeboatError(.corrupt, "\(label) belongs to backup \(id), which is missing or damaged (\(error)); \(affected)")
        }
        records[id] = found
        return found
    }
}
