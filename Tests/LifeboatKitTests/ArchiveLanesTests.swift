import Foundation
import LifeboatKit
import LifeboatTestSupport
import Testing

/// Backups split over several archives: lanes and the size limit, through the engine itself.
@Suite("Archive lanes and rollover")
struct ArchiveLanesTests {
    private func shell(_ command: String, in folder: String) throws -> String {
        let (status, output) = try LifeboatTestSupport.shell("set -euo pipefail; " + command, in: folder)
        #expect(status == 0, "\(command): \(output)")
        return output
    }

    @Test("with a tiny size limit, every archive holds the folders it writes into and hard links stay restorable", arguments: [1, 2])
    func rollover(lanes: Int) throws {
        let root = "\(NSTemporaryDirectory())lifeboat-lanes-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let source = "\(root)/src"
        _ = try shell("""
        mkdir -p src/a src/b/c repo && for i in $(seq 1 12); do head -c 60000 /dev/urandom > src/a/f$i; done && \
        ln src/a/f1 src/b/c/link-to-f1 && for i in $(seq 1 6); do head -c 60000 /dev/urandom > src/b/c/g$i; done && \
        touch -d 2024-01-01 src/a src/b/c src/b src
        """, in: root)
        let repository = try Repository.create(at: "\(root)/repo", compressionLevel: 3)
        let request = BackupRequest(service: "svc", tier: nil, paths: [source], excludes: [], mode: .full,
                                    archiveSizeLimit: 150_000, lanes: lanes)
        let result = try BackupEngine(repository: repository).run(request)
        #expect(result.record.dataObjects.count > lanes, "expected rollovers: \(result.record.dataObjects.map(\.name))")

        // Our restore equals the source, hard link included.
        let target = "\(root)/restored"
        _ = try RestoreEngine(repository: repository).restore(RestoreRequest(service: "svc", target: target))
        let restored = "\(target)\(source)"
        let a = try FileManager.default.attributesOfItem(atPath: "\(restored)/a/f1")
        let b = try FileManager.default.attributesOfItem(atPath: "\(restored)/b/c/link-to-f1")
        #expect(a[.systemFileNumber] as? Int == b[.systemFileNumber] as? Int)
        let verification = try RestoreVerifier(repository: repository).verify(result.record)
        #expect(verification.ok, "\(verification.problems)")

        // Plain tar, archives in name order: every member extracts (no link to a member of another
        // archive) and the folders end with their backed-up times.
        let folder = repository.backupPath(service: "svc", id: result.record.id)
        _ = try shell("mkdir x && for a in '\(folder)'/data-*.tar.zst; do zstd -dc \"$a\" | tar -x -C x --warning=no-unknown-keyword; done", in: root)
        let plain = "\(root)/x\(source)"
        _ = try shell("cmp '\(source)/a/f1' '\(plain)/b/c/link-to-f1' && diff -r '\(source)' '\(plain)'", in: root)
        for sub in ["", "/a", "/b", "/b/c"] {
            let original = try FileManager.default.attributesOfItem(atPath: source + sub)[.modificationDate] as? Date
            let extracted = try FileManager.default.attributesOfItem(atPath: plain + sub)[.modificationDate] as? Date
            #expect(original == extracted, "folder time of src\(sub)")
        }
    }
}
