import Foundation
import Glibc
import LifeboatNative

/// The outcome of restoring one backup into a scratch folder and comparing it with its manifest.
public struct RestoreVerification: Sendable, Codable {
    public var service: String
    public var backup: String
    public var ok: Bool
    public var files: Int
    public var bytes: Int64
    public var restoreSeconds: Double
    public var compareSeconds: Double
    /// Up to 100 differences or the restore error.
    public var problems: [String]
    public var problemCount: Int
    /// Application checks run against the restored copy (only when it matched its manifest).
    public var checks: [VerificationRecord.Check] = []
    public var checkSeconds: Double = 0
    /// Why the verification could not run (the scratch filesystem is full): it says nothing about the
    /// backup, which is neither proven nor found damaged. `ok` is false.
    public var notRun: String?
    /// Set when a prune removed the backup after it was chosen: what its tombstone says. Not damage.
    public var removedByPrune: String?

    /// The result for a backup that a prune removed after it was chosen for verification.
    public static func removed(_ record: BackupRecord, message: String) -> RestoreVerification {
        RestoreVerification(service: record.service, backup: record.id, ok: false, files: 0, bytes: 0, restoreSeconds: 0,
                            compareSeconds: 0, problems: [], problemCount: 0, removedByPrune: message)
    }

    /// The result for a backup whose `backup.json` cannot be read: it cannot be restored at all.
    public static func damagedRecord(_ damaged: BackupListing.Damaged) -> RestoreVerification {
        RestoreVerification(service: damaged.service, backup: damaged.id, ok: false, files: 0, bytes: 0, restoreSeconds: 0,
                            compareSeconds: 0, problems: ["backup.json of services/\(damaged.service)/\(damaged.id) is damaged: \(damaged.message)"],
                            problemCount: 1)
    }
}

/// `verify --restore`: restore into a fresh scratch folder, compare every path, remove the folder.
public struct RestoreVerifier: Sendable {
    public let repository: Repository
    /// Where scratch folders are made (default: `$TMPDIR` or `/tmp`).
    public let scratchParent: String

    public init(repository: Repository, scratchParent: String? = nil) {
        self.repository = repository
        self.scratchParent = scratchParent ?? ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    }

    /// Restores `record` into a fresh scratch folder, compares it, then runs `checks` on the restored
    /// folder (when it matched), and removes the folder — also when anything fails. All of it under a
    /// reader lease of the service; a backup prune removed meanwhile throws `.removed`.
    public func verify(_ record: BackupRecord, progress: (RestoreProgress) -> Void = { _ in },
                       checks: (String) -> [VerificationRecord.Check] = { _ in [] }) throws -> RestoreVerification {
        try repository.reading(service: record.service, purpose: "verify") {
            try verifyReading(record, progress: progress, checks: checks)
        }
    }

    private func verifyReading(_ record: BackupRecord, progress: (RestoreProgress) -> Void,
                               checks: (String) -> [VerificationRecord.Check]) throws -> RestoreVerification {
        var verification = RestoreVerification(service: record.service, backup: record.id, ok: false, files: 0, bytes: 0,
                                               restoreSeconds: 0, compareSeconds: 0, problems: [], problemCount: 0)
        let scratch: String
        do {
            scratch = try makeScratchFolder(prefix: "lifeboat-verify", in: scratchParent)
        } catch where SpaceShortage.isOutOfSpace(error) {
            return verification.notRun(because: "cannot make a scratch folder in \(scratchParent): "
                + SpaceShortage.describe(scratchParent, needed: nil) + "; free space there or choose another scratch folder (--scratch)")
        }
        defer { removeScratchFolder(scratch) }
        let engine = RestoreEngine(repository: repository)
        let restored: RestoreResult
        do {
            var request = RestoreRequest(service: record.service, selector: .id(record.id), target: scratch)
            request.durable = false
            restored = try engine.restore(request, progress: progress)
        } catch let error as LifeboatError where error.code == .noSpace {
            return verification.notRun(because: "the scratch filesystem filled up while backup \(record.id) was restored into it: "
                + SpaceShortage.describe(scratchParent, needed: nil) + "; free space there or choose another scratch folder (--scratch)")
        } catch let error as LifeboatError where error.code == .corrupt || error.code == .io {
            verification.problems = [error.message]
            verification.problemCount = 1
            return verification
        }
        verification.restoreSeconds = restored.durationSeconds
        verification.files = restored.files
        verification.bytes = restored.bytes
        let clock = ContinuousClock.now
        let plan = try RestorePlan.make(record: record, repository: repository)
        let comparison = TreeComparison(plan: plan,
                                        layout: RestoreLayout(target: Array(restored.target.utf8), roots: plan.roots),
                                        compareOwnership: geteuid() == 0)
        let differences = try comparison.differences()
        let elapsed = ContinuousClock.now - clock
        verification.compareSeconds = elapsed.inSeconds
        verification.problems = restored.warnings + differences.lines
        verification.problemCount = restored.warnings.count + differences.count
        if verification.problemCount == 0 {
            let checkClock = ContinuousClock.now
            let spaceBefore = DiskSpace.of(restored.target)
            verification.checks = checks(restored.target)
            verification.checkSeconds = (ContinuousClock.now - checkClock).inSeconds
            // A check that failed on a full scratch disk (a throwaway server's WAL, a copy the check makes)
            // says nothing about the backup either.
            // Only when the checks themselves used up the room: a disk the restored copy had already
            // filled must not hide a check that failed for real.
            if verification.checks.contains(where: { !$0.passed }), !SpaceShortage.isFull(spaceBefore),
               SpaceShortage.isFull(DiskSpace.of(restored.target)) {
                let failed = verification.checks.filter { !$0.passed }.map(\.name).joined(separator: ", ")
                return verification.notRun(because: "the scratch filesystem was full when check \(failed) failed: "
                    + SpaceShortage.describe(restored.target, needed: nil) + "; free space there or choose another scratch folder (--scratch)")
            }
            for check in verification.checks where !check.passed {
                verification.problems.append("check \(check.name) failed: \(check.output.suffix(500))")
                verification.problemCount += 1
            }
        }
        verification.ok = verification.problemCount == 0
        return verification
    }
}

extension RestoreVerification {
    /// This verification, marked as not run for `reason`.
    fileprivate func notRun(because reason: String) -> RestoreVerification {
        var copy = self
        copy.notRun = reason
        copy.problems = []
        copy.problemCount = 0
        copy.ok = false
        return copy
    }
}
