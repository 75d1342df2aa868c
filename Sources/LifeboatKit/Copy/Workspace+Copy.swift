import Foundation

extension Workspace {
    /// Opens a repository of `repositories:` (or the main one, "default") for copying into.
    public func openRepository(named name: String, passphrase: PassphraseSource) throws -> Repository {
        let spec = try config.repository(named: name)
        return try Repository.open(in: try spec.makeStore(), passphrase: passphrase, configured: spec.passphraseFile)
    }

    /// Copies the backups of `services` that repository `name` lacks; records each copy in this
    /// repository (`records/copies/`) and in the catalog's job runs (kind `copy`).
    public func copy(to name: String, services: [Service], passphrase: PassphraseSource) throws -> [CopyReport] {
        let target = try openRepository(named: name, passphrase: passphrase)
        guard target.info.id != repository.info.id else {
            throw LifeboatError(.usage, "repository \(name) (\(target.location)) is this repository itself (same id \(target.info.id)); copy to another one")
        }
        let copier = RepositoryCopier(source: repository, target: target, targetName: name)
        return try services.map { service in
            let started = Date()
            let job = try? catalog.recordJob(JobRun(kind: "copy", service: service.name, started: Timestamp.format(started), outcome: "running"))
            do {
                let report = try copier.copy(service: service.name)
                if let job {
                    try? catalog.finishJob(id: job, finished: Timestamp.format(Date()), outcome: report.failed.isEmpty ? "success" : "partial",
                                           bytes: report.copied.reduce(0) { $0 + $1.bytes }, error: report.failed.first)
                }
                return report
            } catch {
                if let job { try? catalog.finishJob(id: job, finished: Timestamp.format(Date()), outcome: "failed", bytes: nil, error: "\(error)") }
                throw error
            }
        }
    }
}

extension LifeboatConfig {
    /// Creates the repository `name` of `repositories:` (a copy target); refuses an existing one.
    public func initializeRepository(named name: String, encryptWith passphrase: [UInt8]?) throws -> Repository {
        RepositoryPermissions.set(groupReadable: groupReadable)
        let spec = try repository(named: name)
        let store = try spec.makeStore()
        return try passphrase.map { try Repository.createEncrypted(in: store, compressionLevel: compressionLevel, passphrase: $0) }
            ?? Repository.create(in: store, compressionLevel: compressionLevel)
    }
}
