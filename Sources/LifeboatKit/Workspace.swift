import Foundation
import Glibc
import LifeboatNative

/// A loaded configuration with its repository and catalog opened: the entry point the CLI uses for
/// every command. It ties the engines to the catalog (job runs, backup index) and never prints.
public struct Workspace: Sendable {
    public let config: LifeboatConfig
    public let repository: Repository
    public let catalog: Catalog

    /// Creates the repository and the catalog named by `config`; refuses an existing repository. With
    /// `encryptWith`, the repository is encrypted and that passphrase (or key file content) opens it.
    public static func initialize(config: LifeboatConfig, encryptWith passphrase: [UInt8]? = nil) throws -> Workspace {
        RepositoryPermissions.set(groupReadable: config.groupReadable)
        let store = try config.makeStore()
        let repository = try passphrase.map { try Repository.createEncrypted(in: store, compressionLevel: config.compressionLevel, passphrase: $0) }
            ?? Repository.create(in: store, compressionLevel: config.compressionLevel)
        let catalog = try Catalog(path: config.catalog)
        try catalog.setRepository(id: repository.info.id, location: repository.location, formatVersion: repository.info.version)
        return Workspace(config: config, repository: repository, catalog: catalog)
    }

    /// Opens the repository and catalog of `config`; an encrypted repository takes its passphrase from
    /// `passphrase` (see `PassphraseSource`).
    public init(config: LifeboatConfig, passphrase: PassphraseSource = PassphraseSource()) throws {
        RepositoryPermissions.set(groupReadable: config.groupReadable)
        self.config = config
        repository = try Repository.open(in: try config.makeStore(), passphrase: passphrase, configured: config.passphraseFile)
        catalog = try Catalog(path: config.catalog)
    }

    private init(config: LifeboatConfig, repository: Repository, catalog: Catalog) {
        self.config = config
        self.repository = repository
        self.catalog = catalog
    }

    /// The services named (in the order given), or all configured services.
    public func services(named names: [String], all: Bool) throws -> [Service] {
        if all {
            guard !config.services.isEmpty else {
                throw LifeboatError(.configuration, "\(config.filePath) defines no services; add one under `services:`")
            }
            return config.services
        }
        guard !names.isEmpty else { throw LifeboatError(.usage, "name at least one service, or use --all") }
        return try names.map { try config.service(named: $0) }
    }

    /// The engine request for a service. For `sqlite` and `command` sources the content comes from a
    /// snapshot or capture made by `prepareSource` and is read from `readFrom`.
    public func backupRequest(for service: Service, mode: BackupMode, checksum: Bool, readFrom: [String: String] = [:]) -> BackupRequest {
        var request = BackupRequest(service: service.name, tier: service.tier, paths: service.source.paths, excludes: excludes(of: service),
                                    mode: mode, checksum: checksum, compressionLevel: config.compressionLevel)
        request.readFrom = readFrom
        return request
    }

    /// The restore request for a service; `--exact` keeps what the service's backups never contain. A
    /// restored SQLite database must not meet an old `-wal`/`-shm` of the database it replaces: those
    /// are removed.
    public func restoreRequest(for service: Service, selector: BackupSelector, target: String, mode: RestoreMode) -> RestoreRequest {
        var request = RestoreRequest(service: service.name, selector: selector, target: target, mode: mode, keep: excludes(of: service))
        if case .sqlite(let path) = service.source {
            request.staleCompanions = ["-wal", "-shm", "-journal"].map { TreePath(absolute: path + $0) }
        }
        return request
    }

    /// The service's exclude patterns plus the repository and the catalog, which are always excluded:
    /// a source that contains them must not back up the backups, nor `--exact` remove them.
    func excludes(of service: Service) -> [String] {
        let own = [config.repository, config.catalog, config.catalog + "-wal", config.catalog + "-shm", config.catalog + "-journal"]
        if case .files(_, let exclude) = service.source { return exclude + own.map(Self.literalPattern) }
        return own.map(Self.literalPattern)
    }

    /// An fnmatch pattern that matches exactly `path`.
    static func literalPattern(_ path: String) -> String {
        var out = ""
        for character in path {
            if "*?[\\".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    /// Backs up one service, records the job run and indexes the new backup in the catalog.
    /// `superseded` (see `BackupRequest.superseded`) lets a scheduled job stop, recorded as skipped,
    /// when another process made the backup while this one waited for the lock.
    public func backup(_ service: Service, mode: BackupMode, checksum: Bool,
                       progress: (BackupProgress) -> Void = { _ in },
                       superseded: (@Sendable (BackupListing) -> String?)? = nil) throws -> BackupResult {
        let job = try? catalog.recordJob(JobRun(kind: "backup", service: service.name, started: Timestamp.format(Date()), outcome: "running"))
        do {
            // A snapshot, dump or base backup holds the data as of when it began, not when it ended.
            let preparing = Date()
            let prepared = try PreparedSource(service.source)
            defer { prepared.remove() }
            var request = backupRequest(for: service, mode: mode, checksum: checksum, readFrom: prepared.readFrom)
            if !prepared.readFrom.isEmpty { request.dataAsOf = preparing }
            request.superseded = superseded
            let workspace = self
            var result = try BackupEngine(repository: repository, listing: { service in
                (try? workspace.recentBackups(service: service)) ?? workspace.repository.listing(service: service)
            }).run(request, progress: progress)
            // Committed: the backup exists whatever the catalog says. A catalog that cannot record it
            // (its disk is full) catches up from the repository the next time it is synced.
            do {
                try catalog.upsert(result.record)
                if let job {
                    try catalog.finishJob(id: job, finished: result.record.finished, outcome: result.record.status,
                                          bytes: result.record.stats.bytesStored, error: nil)
                    try catalog.attach(job: job, backupID: result.record.id)
                }
            } catch {
                result.notes.append("backup \(result.record.id) is committed in the repository, but the catalog could not record it "
                    + "(\(error)); the next command that reads the catalog picks it up from the repository")
            }
            return result
        } catch {
            let outcome = (error as? LifeboatError)?.code == .superseded ? "skipped" : "failed"
            if let job { try? catalog.finishJob(id: job, finished: Timestamp.format(Date()), outcome: outcome, bytes: nil, error: "\(error)") }
            if let error = error as? LifeboatError { throw error }
            throw LifeboatError(.io, "backup of \(service.name) failed: \(error); nothing was committed, the next backup cleans up", cause: error)
        }
    }

    /// Brings the catalog's backup index in line with the repository (backups made by other hosts or
    /// removed by hand), and returns the repository's backups of `service` (or all), oldest first.
    /// Backups whose `backup.json` cannot be read are left out and returned as `damaged`.
    @discardableResult
    public func syncCatalog(service: String? = nil) throws -> (records: [BackupRecord], damaged: [BackupListing.Damaged]) {
        let damaged = try syncBackupIndexes(service: service)
        return (try catalog.backups(service: service), damaged)
    }

    /// Brings the catalog's index of `service` (of every service in the repository, and none the
    /// repository lacks, when nil) in line with the repository (`syncBackupIndex`); returns the
    /// damaged backups found.
    public func syncBackupIndexes(service: String? = nil) throws -> [BackupListing.Damaged] {
        let names = service.map { [$0] } ?? repository.serviceNames()
        var damaged: [BackupListing.Damaged] = []
        for name in names { damaged += try syncBackupIndex(service: name).damaged }
        if service == nil {
            let present = try Set(names.flatMap { try catalog.backupIDs(service: $0) })
            if try !catalog.backupIDs().isSubset(of: present) { try catalog.removeBackups(notIn: present) }
        }
        return damaged
    }

    /// Recreates the catalog's backup index from the repository alone; job history is kept.
    /// `skippedRecords` names each record of `records/` that could not be read, and why.
    public func rebuildCatalog() throws -> (backups: Int, damaged: [BackupListing.Damaged], skippedRecords: [String]) {
        let listing = repository.allRecords()
        let count = try catalog.replaceAll(repositoryID: repository.info.id, location: repository.location,
                                           formatVersion: repository.info.version, backups: listing.records)
        let verifications = repository.readRecords(.verifications, as: VerificationRecord.self)
        let planRuns = repository.readRecords(.planRuns, as: PlanRunRecord.self)
        let drills = repository.readRecords(.drills, as: DrillRecord.self)
        try catalog.replaceVerifications(verifications.records)
        try catalog.replacePlanRunsAndDrills(planRuns: planRuns.records, drills: drills.records)
        return (count, listing.damaged, verifications.damaged + planRuns.damaged + drills.damaged)
    }
}

extension Workspace {
    /// Which backups of a service `verify --restore` checks: one by id, all, or the newest; and which
    /// damaged backups (unreadable `backup.json`) fall in the same selection, to be reported as failed.
    public func backupsToVerify(service: String, backup: String?, all: Bool) throws -> (records: [BackupRecord], damaged: [BackupListing.Damaged]) {
        let listing = repository.listing(service: service)
        if let backup {
            if let record = listing.records.first(where: { $0.id == backup }) { return ([record], []) }
            if let broken = listing.damaged.first(where: { $0.id == backup }) { return ([], [broken]) }
            try repository.throwIfPruned(service: service, id: backup)
            throw LifeboatError(.usage, "service \(service) has no complete backup \(backup); `lifeboat backups \(service)` lists them")
        }
        if all { return (listing.records, listing.damaged) }
        let newest = listing.records.last
        let newer = listing.damaged.filter { broken in newest.map { broken.id > $0.id } ?? true }
        return (newest.map { [$0] } ?? [], newer)
    }

    /// Re-hashes every object of the given services' backups.
    public func verifyObjects(services: [String], progress: (Int64) -> Void = { _ in }) -> ObjectVerification {
        let started = Timestamp.format(Date())
        let result = ObjectVerifier(repository: repository).verify(services: services, progress: progress)
        _ = try? catalog.recordJob(JobRun(kind: "verify-objects", started: started, finished: Timestamp.format(Date()),
                                          outcome: result.problems.isEmpty ? "success" : "failed", bytes: result.bytesChecked,
                                          error: result.problems.first.map { "\($0.service)/\($0.backup)/\($0.object): \($0.detail)" }))
        return result
    }
}
