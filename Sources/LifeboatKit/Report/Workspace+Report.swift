import Foundation
import LifeboatNative

extension Workspace {
    /// The compliance report of every configured service over `window` seconds ending at `at`, from
    /// the catalog (brought in line with the repository first) and the repository's record files.
    public func complianceReport(at: Date, window: Double) throws -> ComplianceReport {
        try syncBackupIndexes()
        try syncVerifications()
        let drills = try catalog.drills(name: nil, limit: Int.max)
        let copies = Dictionary(grouping: repository.copies(), by: \.service)
        let services = try config.services.map { service in
            ComplianceCalculator.ServiceInput(
                name: service.name, tier: try config.tier(for: service),
                backups: try catalog.backupSummaries(service: service.name),
                verifications: try catalog.verifications(service: service.name, limit: Int.max),
                drills: drills.filter { $0.services.contains(service.name) },
                copies: copies[service.name] ?? [])
        }
        let repository = self.repository
        let calculator = ComplianceCalculator(
            at: at, windowStart: at.addingTimeInterval(-window), repository: repository.location, services: services,
            jobs: try catalog.jobs(outcomes: ComplianceCalculator.failureOutcomes, since: Timestamp.format(at.addingTimeInterval(-window))),
            recordChecksum: { kind, id in
                ((try? repository.store.open(repository.recordKey(kind, id: id))) ?? nil).flatMap { try? $0.drainAndDigest().hex }
            })
        return calculator.report()
    }
}
