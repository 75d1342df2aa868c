import Foundation
import Glibc

/// One thing `lifeboat doctor` found, with the exact command that deals with it.
public struct DoctorFinding: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Leftovers of runs that never committed or removals that were interrupted: not backups.
        case debris
        /// A file the repository format does not know, inside the repository.
        case foreign
        /// A lock file whose lease names a holder that is gone.
        case staleLock = "stale lock"
        /// The catalog disagrees with the repository.
        case catalog
        /// A backup that cannot be read or restored whole.
        case damaged
        /// An S3 multipart upload a killed process never finished: invisible, but its parts are billed.
        case unfinishedUpload = "unfinished upload"
    }

    public var kind: Kind
    public var service: String?
    public var path: String
    public var problem: String
    /// The command that fixes it (or, for damage, deals with it).
    public var fix: String
    /// `lifeboat repair` fixes it (the others need a decision).
    public var repairable: Bool
    /// The upload id of an unfinished S3 upload.
    public var upload: String? = nil
}

/// Checks a repository, its locks and the catalog without changing anything: commit records that do
/// not read, chains whose archives are missing or short, debris, foreign files, stale lock leases, a
/// catalog out of step. Object contents are not hashed here (that is `verify --objects`).
struct RepositoryDoctor {
    let workspace: Workspace
    /// Unfinished uploads younger than this may belong to a backup running right now.
    var uploadAge: TimeInterval = 86_400
    var repository: Repository { workspace.repository }
    var store: any ObjectStore { workspace.repository.store }

    func findings() -> [DoctorFinding] {
        var found: [DoctorFinding] = []
        found += topLevel()
        for service in repository.serviceNames() { found += check(service: service) }
        found += locks()
        found += unfinishedUploads()
        found += catalog()
        return found
    }

    /// The names the format defines at the top of a repository.
    static let knownTopLevel: Set<String> = [RepositoryInfo.fileName, "services", "records", "locks", "keys", "quarantine"]

    private func topLevel() -> [DoctorFinding] {
        let names = ((try? store.list("")) ?? []).map(\.name)
        return names.filter { !Self.knownTopLevel.contains($0) && !$0.hasPrefix(".tmp-") }.sorted().map {
            foreign(service: nil, path: store.display($0))
        } + names.filter { $0.hasPrefix(".tmp-") }.map { debris(service: nil, path: store.display($0), what: "a temporary file of an unfinished write") }
    }

    private func check(service: String) -> [DoctorFinding] {
        var found: [DoctorFinding] = []
        let listing = repository.listing(service: service)
        for id in listing.incomplete {
            found.append(debris(service: service, path: store.display(repository.backupFolder(service: service, id: id)),
                                what: "a backup folder without backup.json (that backup never committed)"))
        }
        for name in repository.removalLeftovers(service: service) {
            found.append(debris(service: service, path: store.display(repository.backupFolder(service: service, id: name)),
                                what: "a backup folder whose removal by prune was interrupted"))
        }
        for broken in listing.damaged {
            found.append(.init(kind: .damaged, service: service, path: store.display("\(repository.backupFolder(service: service, id: broken.id))/backup.json"),
                               problem: "backup \(broken.id): backup.json cannot be read (\(broken.message)); this backup cannot be restored",
                               fix: "lifeboat verify --objects \(service) (to see what else it breaks), then lifeboat backup \(service) --full",
                               repairable: false))
        }
        for record in listing.records {
            found += check(record, in: listing)
        }
        return found
    }

    /// Every object listed is present with its size; no unknown file sits beside them; every archive
    /// the backup refers to (its parents') is present; the parent exists.
    private func check(_ record: BackupRecord, in listing: BackupListing) -> [DoctorFinding] {
        var found: [DoctorFinding] = []
        let folderKey = repository.backupFolder(service: record.service, id: record.id)
        let folder = store.display(folderKey)
        let full = "lifeboat verify --objects \(record.service), then lifeboat backup \(record.service) --full"
        func damaged(_ path: String, _ problem: String) {
            found.append(.init(kind: .damaged, service: record.service, path: path, problem: "backup \(record.id): \(problem)",
                               fix: full, repairable: false))
        }
        let stored = Dictionary(((try? store.list(folderKey)) ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for object in record.objects {
            let path = "\(folder)/\(object.name)"
            if let entry = stored[object.name], !entry.isFolder {
                if entry.size != object.size { damaged(path, "object \(object.name) is \(entry.size) bytes, backup.json says \(object.size)") }
            } else {
                damaged(path, "object \(object.name) is missing")
            }
        }
        let gone = listing.goneDependencies(of: record)
        for id in gone {
            damaged(folder, id == record.parent ? "its parent backup \(id) is missing, so its unchanged files cannot be restored"
                                                : "it needs archives of backup \(id), which is missing")
        }
        let readable = Set(listing.records.map(\.id))
        let refs = (record.references ?? []).compactMap { reference -> ArchiveRef? in
            let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
            // Gone backups are reported above, unreadable ones on their own.
            guard parts.count == 2, parts[0] != record.id, readable.contains(parts[0]) else { return nil }
            return ArchiveRef(backup: parts[0], archive: parts[1])
        }
        if let unavailable = repository.unavailableArchive(service: record.service, refs: refs) {
            damaged(folder, "it needs \(unavailable.ref.backup)/\(unavailable.ref.archive) of an earlier backup: \(unavailable.problem)")
        }
        let known = Set(record.objects.map(\.name) + ["backup.json"])
        for name in stored.keys.sorted() where !known.contains(name) {
            if name.hasPrefix(".tmp-") {
                found.append(debris(service: record.service, path: "\(folder)/\(name)", what: "a temporary file of an unfinished write"))
            } else {
                found.append(foreign(service: record.service, path: "\(folder)/\(name)"))
            }
        }
        return found
    }

    private func locks() -> [DoctorFinding] {
        ((try? store.locks()) ?? []).filter { !$0.staleLease.isEmpty }.map { lock in
            .init(kind: .staleLock, service: lock.service, path: store.display("locks/\(lock.service).lock"),
                  problem: "the lock of \(lock.service) names a holder that is gone (\(lock.staleLease)); it is free, the next run takes it over",
                  fix: "lifeboat repair", repairable: true)
        }
    }

    private func catalog() -> [DoctorFinding] {
        let inRepository = Set(repository.allRecords().records.map(\.id))
        guard let inCatalog = try? workspace.catalog.backupIDs() else {
            return [.init(kind: .catalog, service: nil, path: workspace.config.catalog, problem: "the catalog cannot be read",
                          fix: "lifeboat catalog rebuild", repairable: true)]
        }
        let missing = inRepository.subtracting(inCatalog).count, extra = inCatalog.subtracting(inRepository).count
        guard missing + extra > 0 else { return [] }
        return [.init(kind: .catalog, service: nil, path: workspace.config.catalog,
                      problem: "the catalog lacks \(missing) backup(s) of the repository and lists \(extra) that are gone",
                      fix: "lifeboat catalog rebuild", repairable: true)]
    }

    private func debris(service: String?, path: String, what: String) -> DoctorFinding {
        .init(kind: .debris, service: service, path: path, problem: "\(what): \(path)", fix: "lifeboat repair", repairable: true)
    }

    private func foreign(service: String?, path: String) -> DoctorFinding {
        .init(kind: .foreign, service: service, path: path,
              problem: "\(path) is not part of the repository format (put there by hand or by another program)",
              fix: "lifeboat repair (moves it to \(store.display("quarantine"))/, nothing is deleted)", repairable: true)
    }
}

extension Workspace {
    /// What is wrong with the repository, its locks and the catalog (nothing is changed).
    /// Unfinished S3 uploads count once older than `uploadAge` (a day by default).
    public func doctor(uploadAge: TimeInterval = 86_400) -> [DoctorFinding] {
        RepositoryDoctor(workspace: self, uploadAge: uploadAge).findings()
    }

    /// Fixes what can be fixed without a decision: removes debris (never-committed folders, interrupted
    /// removals, temporary files), clears stale lock leases, moves foreign files to `quarantine/`
    /// (never deletes them), and rebuilds the catalog. Damaged backups are left in place (their intact
    /// files may still be restorable) and returned unchanged. Each service is repaired under its lock.
    /// With `dryRun`, returns what would be done.
    public func repair(dryRun: Bool, uploadAge: TimeInterval = 86_400) throws -> (done: [DoctorFinding], left: [DoctorFinding]) {
        let findings = doctor(uploadAge: uploadAge)
        let done = findings.filter(\.repairable), left = findings.filter { !$0.repairable }
        guard !dryRun else { return (done, left) }
        var locks: [String: any StoreLock] = [:]
        defer { withExtendedLifetime(locks) {} }
        let stamp = BackupID.make()
        for finding in done {
            if let service = finding.service, locks[service] == nil, finding.kind != .staleLock {
                locks[service] = try repository.store.lock(service: service, purpose: "repair")
            }
            switch finding.kind {
            case .debris:
                let key = repository.key(displayed: finding.path)
                if repository.store.exists(key) { try repository.store.delete(key) } else { try repository.store.deleteFolder(key) }
            case .foreign:
                let key = repository.key(displayed: finding.path)
                try repository.store.move(key, to: "quarantine/\(stamp)/\(key)")
            case .staleLock:
                // Taking the lock and releasing it leaves a free lock file with an empty lease (when this
                // repair already holds it, its own lease replaced the stale one).
                if let service = finding.service, locks[service] == nil {
                    try repository.store.clearStaleLock(service: service)
                }
            case .catalog:
                _ = try rebuildCatalog()
            case .unfinishedUpload:
                if let upload = finding.upload { try RepositoryDoctor.abort(upload, shownAs: finding.path, in: repository.store) }
            case .damaged:
                break
            }
        }
        return (done, left)
    }
}

extension RepositoryDoctor {
    /// Multipart uploads under the repository's prefix that were started more than `uploadAge` ago and
    /// never completed or aborted (S3 only; other stores have none).
    func unfinishedUploads(now: Date = Date()) -> [DoctorFinding] {
        guard let s3 = store.unwrapped as? S3Store,
              let uploads = try? s3.client.listMultipartUploads(prefix: s3.folderPrefix("")) else { return [] }
        return uploads.filter { (S3Timestamp.parse($0.initiated) ?? now) <= now.addingTimeInterval(-uploadAge) }.map { upload in
            DoctorFinding(kind: .unfinishedUpload, service: nil, path: s3.client.url(of: upload.key),
                          problem: "an upload of \(s3.client.url(of: upload.key)) started \(upload.initiated) never finished (its process was killed); S3 keeps and bills its parts",
                          fix: "lifeboat repair (aborts it)", repairable: true, upload: upload.uploadID)
        }
    }

    static func abort(_ upload: String, shownAs url: String, in store: any ObjectStore) throws {
        guard let s3 = store.unwrapped as? S3Store else { return }
        let key = String(url.dropFirst("s3://\(s3.client.bucket)/".count))
        try s3.client.abortMultipartUpload(key: key, uploadID: upload)
    }
}
