import Foundation
import GRDB
import Synchronization
import Testing

@testable import LifeboatKit

@Suite("Catalog")
struct CatalogTests {
    @Test("Migrations apply on a fresh file, in a new folder, and reopening changes nothing")
    func freshAndReopen() throws {
        try withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("nested/state/lifeboat.sqlite").path
            let catalog = try Catalog(path: path)
            try catalog.upsert(record(id: "b1", service: "orders-db"))

            let tables = try inspect(path) { db in
                try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            #expect(tables.isSuperset(of: ["repository", "backups", "backup_objects", "job_runs", "verifications", "plan_runs", "plan_steps", "drills"]))
            #expect(try inspect(path) { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")

            let reopened = try Catalog(path: path)
            #expect(try reopened.backupIDs() == ["b1"])
            let migrations = try inspect(path) {
                try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations")
            }
            #expect(migrations == ["v1", "v2", "v3", "v4", "v5", "v6"])
        }
    }

    @Test("Several connections opening a new catalog at once all succeed, as concurrent processes would")
    func concurrentOpens() throws {
        try withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("lifeboat.sqlite").path
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                do {
                    _ = try Catalog(path: path)
                } catch {
                    let text = (error as? LifeboatError)?.detailedDescription ?? "\(error)"
                    failures.withLock { $0.append(text) }
                }
            }
            #expect(failures.withLock { $0 } == [])
        }
    }

    @Test("A saved backup lists back exactly as it was saved")
    func roundTrip() throws {
        try withCatalog { catalog in
            var incremental = record(id: "2026-11-25T07-30-12Z-b", service: "app-files", objects: 3)
            incremental.kind = .incremental
            incremental.parent = "2026-11-24T02-00-00Z-a"
            incremental.tier = nil
            incremental.sources = ["/srv/app", "/srv/é/ü \"quoted\""]
            incremental.warnings = ["skipped /srv/app/socket: not a file"]
            try catalog.upsert(incremental)
            #expect(try catalog.backups(service: nil) == [incremental])
        }
    }

    @Test("Listing filters by service and orders by service then id")
    func filterByService() throws {
        try withCatalog { catalog in
            let records = [
                record(id: "c", service: "orders-db"), record(id: "a", service: "orders-db"),
                record(id: "b", service: "app-files"),
            ]
            try catalog.upsert(records)
            #expect(try catalog.backups(service: "orders-db").map(\.id) == ["a", "c"])
            #expect(try catalog.backups(service: nil).map(\.id) == ["b", "a", "c"])
            #expect(try catalog.backups(service: "nope").isEmpty)
            #expect(try catalog.backupIDs() == ["a", "b", "c"])
        }
    }

    @Test("Saving a backup again replaces its fields and its objects")
    func upsertReplacesObjects() throws {
        try withCatalog { catalog in
            try catalog.upsert(record(id: "b1", service: "orders-db", objects: 3))
            var changed = record(id: "b1", service: "orders-db", objects: 1)
            changed.status = "partial"
            try catalog.upsert(changed)

            #expect(try catalog.backups(service: nil) == [changed])
            let names = try inspect(catalog.path) { db in
                try String.fetchAll(db, sql: "SELECT name FROM backup_objects WHERE backup_id = 'b1' ORDER BY name")
            }
            #expect(names == changed.objects.map(\.name).sorted())
        }
    }

    @Test("Removing backups the repository lost removes their objects too")
    func removeLost() throws {
        try withCatalog { catalog in
            try catalog.upsert([
                record(id: "a", service: "s"), record(id: "b", service: "s"), record(id: "c", service: "t"),
            ])
            #expect(try catalog.removeBackups(notIn: ["b", "zzz"]) == 2)
            #expect(try catalog.backupIDs() == ["b"])
            let owners = try inspect(catalog.path) {
                try String.fetchSet($0, sql: "SELECT backup_id FROM backup_objects")
            }
            #expect(owners == ["b"])
        }
    }

    @Test("replaceAll swaps repository and backups but keeps the job history")
    func replaceAllKeepsJobs() throws {
        try withCatalog { catalog in
            try catalog.setRepository(id: "repo-old", location: "/old", formatVersion: 1)
            try catalog.upsert([record(id: "old-1", service: "s"), record(id: "old-2", service: "s")])
            let jobID = try catalog.recordJob(
                JobRun(kind: "backup", service: "s", started: "2026-11-25T07:00:00.000Z", outcome: "running"))

            let fresh = [record(id: "new-1", service: "s", objects: 2), record(id: "new-2", service: "t")]
            let count = try catalog.replaceAll(
                repositoryID: "repo-new", location: "s3://bucket/lb", formatVersion: 1, backups: fresh)

            #expect(count == 2)
            #expect(try catalog.repositoryID() == "repo-new")
            #expect(try catalog.backups(service: nil) == fresh)
            #expect(try catalog.jobs(service: nil, limit: 10).map(\.id) == [jobID])
            let objects = try inspect(catalog.path) { try Int.fetchOne($0, sql: "SELECT count(*) FROM backup_objects") }
            #expect(objects == fresh.map(\.objects.count).reduce(0, +))
        }
    }

    @Test("The repository id is nil until recorded, then the last one recorded")
    func repositoryID() throws {
        try withCatalog { catalog in
            #expect(try catalog.repositoryID() == nil)
            try catalog.setRepository(id: "r1", location: "/a", formatVersion: 1)
            try catalog.setRepository(id: "r2", location: "/b", formatVersion: 1)
            #expect(try catalog.repositoryID() == "r2")
        }
    }

    @Test("Job runs are recorded, finished, linked to a backup, and listed newest first by service")
    func jobs() throws {
        try withCatalog { catalog in
            let first = try catalog.recordJob(JobRun(
                kind: "backup", service: "orders-db", started: "2026-11-25T02:00:00.000Z", outcome: "running",
                details: ["trigger": "schedule", "level": "full"]))
            let second = try catalog.recordJob(JobRun(
                kind: "verify", service: "app-files", started: "2026-11-25T03:00:00.000Z", outcome: "running"))
            let third = try catalog.recordJob(JobRun(
                id: 999, kind: "backup", service: "orders-db", started: "2026-11-25T04:00:00.000Z", outcome: "running"))
            #expect(third != 999)

            try catalog.finishJob(
                id: first, finished: "2026-11-25T02:10:00.000Z", outcome: "success", bytes: 4096, error: nil)
            try catalog.finishJob(
                id: second, finished: "2026-11-25T03:01:00.000Z", outcome: "failure", bytes: nil, error: "disk full")

            #expect(try catalog.jobs(service: nil, limit: 10).map(\.id) == [third, second, first])
            #expect(try catalog.jobs(service: nil, limit: 2).map(\.id) == [third, second])
            let orders = try catalog.jobs(service: "orders-db", limit: 10)
            #expect(orders.map(\.id) == [third, first])
            #expect(orders.last == JobRun(
                id: first, kind: "backup", service: "orders-db", started: "2026-11-25T02:00:00.000Z",
                finished: "2026-11-25T02:10:00.000Z", outcome: "success", bytes: 4096,
                details: ["trigger": "schedule", "level": "full"]))
            #expect(try catalog.jobs(service: "app-files", limit: 1).first?.error == "disk full")

            try catalog.attach(job: third, backupID: "2026-11-25T04-00-00Z-x")
            #expect(try catalog.jobs(service: "orders-db", limit: 1).first?.backupID == "2026-11-25T04-00-00Z-x")
            #expect(throws: LifeboatError.self) { try catalog.attach(job: 12345, backupID: "b") }

            let error = #expect(throws: LifeboatError.self) {
                try catalog.finishJob(
                    id: 12345, finished: "2026-11-25T05:00:00.000Z", outcome: "success", bytes: nil, error: nil)
            }
            #expect(error?.code == .catalog)
        }
    }

    @Test("A file that is not a database is refused with a message naming it")
    func notADatabase() throws {
        try withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("lifeboat.sqlite").path
            try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: LifeboatError.self) { try Catalog(path: path) }
            #expect(error?.code == .catalog)
            #expect(error?.message.contains(path) == true)
            #expect(error?.message.contains("not an SQLite database") == true)
        }
    }

    @Test("Another application's SQLite database is refused and left untouched")
    func foreignDatabase() throws {
        try withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("app.sqlite").path
            try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE orders (id INTEGER PRIMARY KEY)") }
            let error = #expect(throws: LifeboatError.self) { try Catalog(path: path) }
            #expect(error?.code == .catalog)
            #expect(error?.message.contains("not a Lifeboat catalog") == true)
            #expect(error?.message.contains(path) == true)
            let tables = try inspect(path) {
                try String.fetchSet($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            #expect(tables == ["orders"])
        }
    }

    @Test("A catalog migrated by a newer Lifeboat tells the user to upgrade")
    func schemaFromTheFuture() throws {
        try withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("lifeboat.sqlite").path
            _ = try Catalog(path: path)
            try DatabaseQueue(path: path).write {
                try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-from-the-future')")
            }
            let error = #expect(throws: LifeboatError.self) { try Catalog(path: path) }
            #expect(error?.code == .catalog)
            #expect(error?.message.contains(path) == true)
            #expect(error?.message.contains("newer version of Lifeboat") == true)
            #expect(error?.message.contains("Upgrade Lifeboat") == true)
            #expect(error?.details == ["unknown schema migrations: v2-from-the-future"])
        }
    }

    @Test("A folder where the file should be, or a file where the folder should be, is named in the error")
    func badPaths() throws {
        try withTemporaryFolder { folder in
            let isFolder = folder.appendingPathComponent("catalog.sqlite")
            try FileManager.default.createDirectory(at: isFolder, withIntermediateDirectories: true)
            let folderError = #expect(throws: LifeboatError.self) { try Catalog(path: isFolder.path) }
            #expect(folderError?.code == .catalog)
            #expect(folderError?.message.contains(isFolder.path) == true)

            let file = folder.appendingPathComponent("plain-file")
            try Data("x".utf8).write(to: file)
            let under = file.appendingPathComponent("lifeboat.sqlite").path
            let parentError = #expect(throws: LifeboatError.self) { try Catalog(path: under) }
            #expect(parentError?.code == .catalog)
            #expect(parentError?.message.contains(under) == true)
        }
    }
}

// MARK: - Helpers

@Suite("Catalog: reads that stay flat with the history")
struct CatalogHistoryTests {
    @Test("summaries equal the saved records but for sources, warnings and objects other than the manifest; a record with an odd reference is read whole")
    func summaries() throws {
        try withCatalog { catalog in
            var full = record(id: "b1", service: "app")
            full.references = ["b1/data-0001.tar.zst"]
            var incremental = record(id: "b2", service: "app", objects: 1)
            incremental.kind = .incremental
            incremental.parent = "b1"
            incremental.references = ["b1/data-0001.tar.zst", "b1/odd\u{1F}name", "b2/data-0001.tar.zst"]
            var old = record(id: "b3", service: "app")
            old.references = nil
            try catalog.upsert([full, incremental, old, record(id: "x1", service: "other")])
            let summaries = try catalog.backupSummaries(service: "app")
            // A reference holding the separator the summary query uses is read whole instead.
            let expected = [full, incremental, old].map { record in
                guard record.id != "b2" else { return record }
                var record = record
                record.sources = []
                record.warnings = []
                record.objects = record.objects.filter { $0.name == ManifestFile.objectName }
                return record
            }
            #expect(summaries == expected)
            #expect(summaries[1].references?.count == 3)
        }
    }

    @Test("the newest backups come oldest first with the newest full one even when it is older; ids and rows stream per service")
    func newest() throws {
        try withCatalog { catalog in
            var records = [record(id: "b01", service: "app")]
            for index in 2...30 {
                var next = record(id: String(format: "b%02d", index), service: "app")
                next.kind = .incremental
                records.append(next)
            }
            try catalog.upsert(records + [record(id: "c1", service: "other")])
            let newest = try catalog.newestBackups(service: "app", limit: 5)
            #expect(newest.map(\.id) == ["b01", "b26", "b27", "b28", "b29", "b30"])
            #expect(try catalog.backupIDs(service: "app").count == 30)
            var streamed: [String] = []
            try catalog.forEachBackup(service: "app") { record in
                streamed.append(record.id)
                return streamed.count < 3
            }
            #expect(streamed == ["b01", "b02", "b03"])
        }
    }
}

private func record(id: String, service: String, objects: Int = 2) -> BackupRecord {
    var stats = BackupRecord.Stats()
    stats.files = 12
    stats.directories = 3
    stats.symlinks = 1
    stats.hardlinks = 2
    stats.totalBytes = 5_000_000_000
    stats.filesStored = 7
    stats.bytesRead = 4_000_000
    stats.bytesStored = 1_234_567
    stats.inconsistentFiles = 1
    stats.skipped = 1
    var list = [BackupRecord.Object(name: "manifest.json.zst", size: 321, sha256: String(repeating: "a", count: 64))]
    for index in 1..<max(objects, 1) {
        let name = "data-" + String(format: "%04d", index) + ".tar.zst"
        let sha256 = String(repeating: "b", count: 64)
        list.append(BackupRecord.Object(name: name, size: Int64(index) * 1000, sha256: sha256))
    }
    return BackupRecord(
        id: id, service: service, kind: .full, parent: nil, tier: "tier-1-critical", host: "db1.example",
        started: "2026-11-25T02:00:00.123Z", finished: "2026-11-25T02:04:10.456Z", sources: ["/var/lib/orders"],
        status: "complete", compression: "zstd", stats: stats, objects: list, warnings: [])
}

private func withTemporaryFolder(_ body: (URL) throws -> Void) throws {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("lifeboat-catalog-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try body(folder)
}

private func withCatalog(_ body: (Catalog) throws -> Void) throws {
    try withTemporaryFolder { folder in
        try body(Catalog(path: folder.appendingPathComponent("lifeboat.sqlite").path))
    }
}

/// Reads the catalog file through a second connection, as another process would.
private func inspect<T>(_ path: String, _ body: (Database) throws -> T) throws -> T {
    try DatabaseQueue(path: path).read(body)
}
