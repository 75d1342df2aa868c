import Foundation

extension BackupRecord {
    /// Wall time from start to finish, when both times read.
    public var durationSeconds: Double? {
        guard let start = startedDate, let end = finishedDate else { return nil }
        return end.timeIntervalSince(start)
    }
}

extension Sequence where Element == BackupRecord {
    /// The median duration of the last `count` backups (oldest first order assumed); nil without any.
    public func medianDuration(ofLast count: Int = 5) -> Double? {
        let durations = Array(self).suffix(count).compactMap(\.durationSeconds).sorted()
        return durations.isEmpty ? nil : durations[durations.count / 2]
    }
}

extension LifeboatConfig {
    /// The median duration of each service's recent backups (rounded up to a second), read from the
    /// repository when it exists; empty otherwise. Feeds `policyWarnings`.
    public func measuredBackupDurations() -> [String: LifeboatDuration] {
        guard let repository = try? Repository.open(in: makeStore(), passphrase: PassphraseSource(), configured: passphraseFile) else { return [:] }
        var result: [String: LifeboatDuration] = [:]
        for service in services {
            if let median = repository.listing(service: service.name).records.medianDuration() {
                result[service.name] = LifeboatDuration(seconds: Int64(median.rounded(.up)))
            }
        }
        return result
    }
}
