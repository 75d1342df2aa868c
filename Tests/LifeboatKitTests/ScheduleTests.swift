import Foundation
import LifeboatKit
import Testing

/// Due-job computation with a fixed clock: the scheduler's decisions, without running anything.
@Suite("Due jobs")
struct ScheduleTests {
    private let utc = TimeZone(identifier: "UTC")!

    private func date(_ text: String) -> Date { Timestamp.parse(text)! }

    private func tier(full: String = "0 2 * * *", incremental: String = "*/5 * * * *", verify: String? = "0 3 * * 1",
                      rpo: LifeboatDuration = .minutes(15)) throws -> Tier {
        Tier(name: "t", rto: .hours(1), rpo: rpo, full: try CronExpression(parsing: full),
             incremental: try CronExpression(parsing: incremental), keep: .thirtyDays,
             verify: try verify.map(CronExpression.init(parsing:)), drill: try CronExpression(parsing: "quarterly"))
    }

    private func backup(_ kind: BackupRecord.Kind, started: String, seconds: Double = 30) -> BackupRecord {
        let start = date(started)
        return BackupRecord(id: BackupID.make(at: start), service: "app", kind: kind, parent: nil, tier: "t", host: "h",
                            started: Timestamp.format(start), finished: Timestamp.format(start.addingTimeInterval(seconds)),
                            sources: ["/srv"], status: "complete", compression: "zstd-3", stats: .init(), objects: [], warnings: [])
    }

    @Test("previous(atOrBefore:) finds the latest firing for frequent, daily and quarterly expressions")
    func previousFiring() throws {
        let now = date("2026-11-25T10:07:30Z")
        #expect(try CronExpression(parsing: "*/5 * * * *").previous(atOrBefore: now, in: utc) == date("2026-11-25T10:05:00Z"))
        #expect(try CronExpression(parsing: "0 2 * * *").previous(atOrBefore: now, in: utc) == date("2026-11-25T02:00:00Z"))
        #expect(try CronExpression(parsing: "quarterly").previous(atOrBefore: now, in: utc) == date("2026-10-01T00:00:00Z"))
        #expect(try CronExpression(parsing: "*/5 * * * *").previous(atOrBefore: date("2026-11-25T10:05:00Z"), in: utc) == date("2026-11-25T10:05:00Z"))
    }

    @Test("with no backup a full backup is due, and verification is not (nothing to verify)")
    func firstBackup() throws {
        let status = DueJobs.status(service: "app", tier: try tier(), timeZone: utc, backups: [], lastVerification: nil,
                                    now: date("2026-11-25T10:07:30Z"))
        #expect(status.due == [.full])
        #expect(status.lastBackup == nil && status.rpoHeadroomSeconds == nil)
    }

    @Test("a job that ran since its slot is not due; the next slot makes an incremental due")
    func idempotent() throws {
        let backups = [backup(.full, started: "2026-11-25T02:00:04Z"), backup(.incremental, started: "2026-11-25T10:05:02Z")]
        let verified = date("2026-11-23T03:00:10Z")
        let quiet = DueJobs.status(service: "app", tier: try tier(), timeZone: utc, backups: backups, lastVerification: verified,
                                   now: date("2026-11-25T10:09:59Z"))
        #expect(quiet.due == [])
        let next = DueJobs.status(service: "app", tier: try tier(), timeZone: utc, backups: backups, lastVerification: verified,
                                  now: date("2026-11-25T10:10:00Z"))
        #expect(next.due == [.incremental])
        #expect(next.nextIncremental == "2026-11-25T10:15:00.000Z")
    }

    @Test("under the lock, a job is done when a backup that does it was committed since it was found due: a full for a full, any for an incremental")
    func doneSince() throws {
        let old = backup(.full, started: "2026-11-24T02:00:04Z")
        let seen: Set<String> = [old.id]
        let incremental = backup(.incremental, started: "2026-11-25T10:05:02Z")
        let full = backup(.full, started: "2026-11-25T10:05:03Z")
        var failed = backup(.full, started: "2026-11-25T10:05:04Z")
        failed.status = "failed"
        #expect(DueJobs.doneSince(.full, seen: seen, backups: [old]) == nil)
        #expect(DueJobs.doneSince(.full, seen: seen, backups: [old, incremental]) == nil)
        #expect(DueJobs.doneSince(.full, seen: seen, backups: [old, failed]) == nil)
        #expect(DueJobs.doneSince(.full, seen: seen, backups: [old, incremental, full])?.id == full.id)
        #expect(DueJobs.doneSince(.incremental, seen: seen, backups: [old]) == nil)
        #expect(DueJobs.doneSince(.incremental, seen: seen, backups: [old, incremental])?.id == incremental.id)
    }

    @Test("after the host was down over many slots, one full backup is due, not one per missed slot")
    func missedSlots() throws {
        let backups = [backup(.full, started: "2026-11-23T02:00:03Z"), backup(.incremental, started: "2026-11-23T09:00:00Z")]
        let status = DueJobs.status(service: "app", tier: try tier(), timeZone: utc, backups: backups,
                                    lastVerification: date("2026-11-23T03:00:00Z"), now: date("2026-11-25T10:07:30Z"))
        #expect(status.due == [.full])
        let after = backups + [backup(.full, started: "2026-11-25T10:07:31Z")]
        let then = DueJobs.status(service: "app", tier: try tier(), timeZone: utc, backups: after,
                                  lastVerification: date("2026-11-23T03:00:00Z"), now: date("2026-11-25T10:08:30Z"))
        #expect(then.due == [])
    }

    @Test("verification is due when its slot passed since the last successful one")
    func verifyDue() throws {
        let backups = [backup(.full, started: "2026-11-25T02:00:04Z")]
        let status = DueJobs.status(service: "app", tier: try tier(incremental: "0 * * * *"), timeZone: utc, backups: backups,
                                    lastVerification: date("2026-11-16T03:00:10Z"), now: date("2026-11-25T02:30:00Z"))
        #expect(status.due == [.verify])
    }

    @Test("RPO headroom is the RPO minus the newest backup's age; the cadence check adds the measured duration")
    func headroom() throws {
        let backups = [backup(.full, started: "2026-11-25T02:00:00Z", seconds: 120)]
        let status = DueJobs.status(service: "app", tier: try tier(rpo: .minutes(15)), timeZone: utc, backups: backups,
                                    lastVerification: nil, now: date("2026-11-25T02:12:00Z"))
        #expect(abs((status.rpoHeadroomSeconds ?? 0) - 300) < 0.01)
        #expect(status.measuredBackupSeconds == 120)
        #expect(status.worstCaseGapSeconds == 300 + 120)
        #expect(status.cadenceMeetsRPO)
        let slow = DueJobs.status(service: "app", tier: try tier(incremental: "0 * * * *", rpo: .minutes(15)), timeZone: utc,
                                  backups: backups, lastVerification: nil, now: date("2026-11-25T02:12:00Z"))
        #expect(!slow.cadenceMeetsRPO)
    }

    @Test("time zones move the slots: a 02:00 full in Berlin fires at 01:00 UTC in winter")
    func timeZones() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let status = DueJobs.status(service: "app", tier: try tier(), timeZone: berlin,
                                    backups: [backup(.full, started: "2026-11-24T01:00:05Z")], lastVerification: nil,
                                    now: date("2026-11-25T00:59:00Z"))
        #expect(status.nextFull == "2026-11-25T01:00:00.000Z")
        #expect(!status.due.contains(.full))
    }
}
