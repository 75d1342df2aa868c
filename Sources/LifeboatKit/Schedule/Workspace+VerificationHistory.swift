import Foundation

/// What the scheduler and prune know about past restore verifications. The repository's records
/// (`records/verifications`, written by every host) are the truth; the catalog is their cache.
extension Workspace {
    /// Brings the catalog's verifications in line with the repository's records: one listing of
    /// `records/verifications`, and one read for each record the catalog lacks (made by another host,
    /// or before the catalog was lost). Records that cannot be read are skipped.
    public func syncVerifications() throws {
        let known = try catalog.verificationIDs()
        for id in repository.verificationIDs() where !known.contains(id) {
            if let record = repository.verification(id: id) { try catalog.record(verification: record) }
        }
    }

    /// When the newest restore verification of a service that passed started (on any host), from the
    /// catalog's copy of the repository's records; nil when none passed.
    public func lastVerification(of service: String) -> Date? {
        (try? catalog.lastPassedVerification(service: service)) ?? nil
    }

    /// This host's verify jobs of `service` that did not pass since `lastPassed`, or nil when none.
    func verifyFailures(of service: String, since lastPassed: Date?) -> VerificationFailures? {
        let runs = (try? catalog.jobs(service: service, kind: "verify", since: lastPassed.map(Timestamp.format), limit: 64)) ?? []
        let failed = runs.prefix { $0.outcome != "success" }
        guard let newest = failed.first, let at = Timestamp.parse(newest.started) else { return nil }
        return VerificationFailures(count: failed.count, last: at,
                                    message: newest.outcome == "not-run" ? "could not run: \(newest.error ?? "no reason recorded")" : newest.error)
    }
}
