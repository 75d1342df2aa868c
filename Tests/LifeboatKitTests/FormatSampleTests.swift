import Foundation
import LifeboatKit
import Testing

/// Reads the committed format-v1 sample repository (see `Fixtures/README.md`).
@Suite("Repository format v1 sample")
struct FormatSampleTests {
    static let fixture: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        return url.appendingPathComponent("Fixtures/repository-v1").path
    }()
    static let full = "20261125T074100.219Z-0ecb"
    static let incremental = "20261125T074101.358Z-b774"
    static let source = "tmp/lifeboat-fixture-v1/srv/app"

    /// A writable copy, so tests never touch the committed files.
    private func copy() throws -> (repository: Repository, folder: String) {
        let folder = "\(NSTemporaryDirectory())lifeboat-sample-\(UUID().uuidString.prefix(8))"
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: folder)
        return (try Repository.open(at: folder), folder)
    }

    @Test("the sample opens, lists both backups, and every object matches backup.json")
    func objectsIntact() throws {
        let (repository, folder) = try copy()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(repository.info.version == 1)
        let listing = repository.listing(service: "app")
        #expect(listing.records.map(\.id) == [Self.full, Self.incremental])
        #expect(listing.records.last?.parent == Self.full)
        let result = ObjectVerifier(repository: repository).verify(services: ["app"])
        #expect(result.problems.isEmpty)
        #expect(result.objectsChecked == 4)
    }

    @Test("the incremental restores with content from both archives, the link and the odd name")
    func restoreIncremental() throws {
        let (repository, folder) = try copy()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = "\(folder)-restored"
        defer { try? FileManager.default.removeItem(atPath: target) }
        let result = try RestoreEngine(repository: repository).restore(RestoreRequest(service: "app", selector: .id(Self.incremental), target: target))
        #expect(result.archivesRead == 2)
        let app = "\(target)/\(Self.source)"
        #expect(try String(contentsOfFile: "\(app)/notes.txt", encoding: .utf8) == "first\nsecond\n")
        #expect(try String(contentsOfFile: "\(app)/added.txt", encoding: .utf8) == "new\n")
        #expect(try String(contentsOfFile: "\(app)/conf/app.yaml", encoding: .utf8) == "port: 8080\n")
        #expect(!FileManager.default.fileExists(atPath: "\(app)/current"))
        let notes = try FileManager.default.attributesOfItem(atPath: "\(app)/notes.txt")
        let twin = try FileManager.default.attributesOfItem(atPath: "\(app)/notes-link.txt")
        #expect(notes[.systemFileNumber] as? Int == twin[.systemFileNumber] as? Int)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: "\(app)/empty", isDirectory: &isDirectory) && isDirectory.boolValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: app)
        #expect(names.count == 6)
    }

    @Test("a committed tombstone (format v1) reads back, and restoring the backup it names says it was removed by prune")
    func tombstone() throws {
        let (repository, folder) = try copy()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let removed = "20261124T020000.000Z-7d1e"
        try FileManager.default.createDirectory(atPath: "\(folder)/records/pruned/app", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(Self.fixture)/../tombstone-v1.json", toPath: "\(folder)/records/pruned/app/\(removed).json")
        let tombstone = try #require(repository.tombstone(service: "app", id: removed))
        #expect(tombstone.version == 1 && tombstone.kind == "full" && tombstone.removed == "2026-11-25T03:10:07.004Z")
        let target = "\(folder)-restored"
        defer { try? FileManager.default.removeItem(atPath: target) }
        #expect {
            try RestoreEngine(repository: repository).restore(RestoreRequest(service: "app", selector: .id(removed), target: target))
        } throws: { error in
            let error = error as? LifeboatError
            return error?.code == .removed && error?.message.hasPrefix("backup \(removed) of service app was removed by prune at 2026-11-25T03:10:07.004Z (on backup-host-1") == true
        }
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(repository.listing(service: "app").records.count == 2)
    }

    @Test("the full backup restores its own point: old notes, the symlink, no added file")
    func restoreFull() throws {
        let (repository, folder) = try copy()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = "\(folder)-restored"
        defer { try? FileManager.default.removeItem(atPath: target) }
        _ = try RestoreEngine(repository: repository).restore(RestoreRequest(service: "app", selector: .id(Self.full), target: target))
        let app = "\(target)/\(Self.source)"
        #expect(try String(contentsOfFile: "\(app)/notes.txt", encoding: .utf8) == "first\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(app)/current") == "conf/app.yaml")
        #expect(!FileManager.default.fileExists(atPath: "\(app)/added.txt"))
    }

    @Test("a restore verification of each sample backup finds no difference")
    func verifyRestore() throws {
        let (repository, folder) = try copy()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for record in repository.listing(service: "app").records {
            let result = try RestoreVerifier(repository: repository).verify(record)
            #expect(result.ok, "\(record.id): \(result.problems)")
        }
    }
}
