import Foundation
@testable import LifeboatKit
import Testing

/// Golden files in `Fixtures/retention/`: each holds a policy, `now`, a time zone, the newest
/// verified-good backup, the committed backups (as in `backup.json`: kind, parent, finished,
/// `references` or none), and either the expected decision for every backup, oldest first, with its
/// reasons in order, or `error`, a text the error message must contain.
@Suite("Retention rules")
struct RetentionTests {
    static let folder: URL = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        return url.appendingPathComponent("Fixtures/retention")
    }()

    struct Fixture: Decodable {
        struct Policy: Decodable {
            var last, hourly, daily, weekly, monthly, yearly: Int?
            var within: String?
        }

        struct Backup: Decodable {
            var id: String
            var kind: BackupRecord.Kind
            var parent: String?
            var finished: String
            var references: [String]?
        }

        var description: String
        var policy: Policy
        var now: String
        var timeZone: String
        var newestVerified: String?
        var backups: [Backup]
        var expected: [RetentionDecision]?
        var error: String?
    }

    static let fixtureNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test("there are golden files to check")
    func fixturesExist() {
        #expect(Self.fixtureNames.count >= 10, "found \(Self.fixtureNames) in \(Self.folder.path)")
    }

    @Test("each golden file's decisions and reasons", arguments: fixtureNames)
    func golden(_ name: String) throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.folder.appendingPathComponent(name)))
        let keep = KeepPolicy(
            last: fixture.policy.last, hourly: fixture.policy.hourly, daily: fixture.policy.daily,
            weekly: fixture.policy.weekly, monthly: fixture.policy.monthly, yearly: fixture.policy.yearly,
            within: try fixture.policy.within.map { try LifeboatDuration(parsing: $0) })
        let now = try #require(Timestamp.parse(fixture.now), "\(name): bad now")
        let timeZone = try #require(TimeZone(identifier: fixture.timeZone), "\(name): unknown time zone")
        // Shuffled: the order of the input must not matter.
        let candidates = RetentionCandidate.candidates(from: fixture.backups.map(Self.record)).shuffled()
        #expect(candidates.count == fixture.backups.count, "\(name): some finish times did not parse")

        if let expectedError = fixture.error {
            #expect {
                _ = try RetentionPolicy.evaluate(backups: candidates, keep: keep, now: now, timeZone: timeZone,
                                                 newestVerified: fixture.newestVerified)
            } throws: { error in
                guard let error = error as? LifeboatError else { return false }
                return error.code == .configuration && error.message.contains(expectedError)
            }
            return
        }
        let decisions = try RetentionPolicy.evaluate(backups: candidates, keep: keep, now: now, timeZone: timeZone,
                                                     newestVerified: fixture.newestVerified)
        let expected = try #require(fixture.expected, "\(name) has neither expected nor error")
        #expect(decisions.map(\.id) == expected.map(\.id), "\(name): decisions are not one per backup, oldest first")
        for (got, want) in zip(decisions, expected) where got != want {
            Issue.record("\(name) (\(fixture.description)): \(got.id): got keep=\(got.keep) \(got.reasons), expected keep=\(want.keep) \(want.reasons)")
        }
    }

    @Test("candidates take referenced backups from `references`, else the whole parent chain")
    func candidatesFromRecords() throws {
        let full = Self.record(.init(id: "20261119T020000.000Z-0001", kind: .full, parent: nil,
                                     finished: "2026-11-19T02:00:30.000Z", references: ["20261119T020000.000Z-0001/data-0001.tar.zst"]))
        let old1 = Self.record(.init(id: "20261119T080000.000Z-0002", kind: .incremental, parent: full.id,
                                     finished: "2026-11-19T08:00:30.000Z", references: nil))
        let old2 = Self.record(.init(id: "20261119T140000.000Z-0003", kind: .incremental, parent: old1.id,
                                     finished: "not a time", references: nil))
        let new = Self.record(.init(id: "20261119T200000.000Z-0004", kind: .incremental, parent: old2.id,
                                    finished: "2026-11-19T20:00:30.000Z",
                                    references: ["\(full.id)/data-0001.tar.zst", "\(full.id)/data-0002.tar.zst",
                                                 "20261119T200000.000Z-0004/data-0001.tar.zst"]))
        let candidates = RetentionCandidate.candidates(from: [full, old1, old2, new])
        #expect(candidates.map(\.referencedBackups) == [[], [full.id], [full.id, old1.id], [full.id]])
        // An unreadable finish time falls back to the time in the id.
        #expect(candidates[2].finished == Timestamp.parse("2026-11-19T14:00:00Z"))
    }

    @Test("a policy whose rules are all zero is refused like an empty one")
    func zeroPolicy() {
        #expect(throws: LifeboatError.self) {
            try RetentionPolicy.validate(KeepPolicy(last: 0, daily: 0, within: .seconds(0)), tier: "tier-9")
        }
        #expect(throws: Never.self) { try RetentionPolicy.validate(KeepPolicy(weekly: 1)) }
    }

    @Test("rules per kind: fulls kept 30 days and incrementals 7, except the incrementals a kept one builds on")
    func perKind() throws {
        let now = Timestamp.parse("2026-12-01T12:00:00Z")!
        var records: [BackupRecord] = []
        // 40 days of a daily full at 02:00 and incrementals every 6 hours after it, each on the previous.
        for day in (0..<40).reversed() {
            let full = now.addingTimeInterval(Double(-day) * 86_400 - 10 * 3_600)
            var parent: String?
            for step in 0..<3 {
                let at = full.addingTimeInterval(Double(step) * 6 * 3_600)
                guard at <= now else { continue }
                let id = BackupID.make(at: at)
                let kind: BackupRecord.Kind = step == 0 ? .full : .incremental
                records.append(Self.record(.init(id: id, kind: kind, parent: parent, finished: Timestamp.format(at),
                                                 references: ["\(parent ?? id)/data-0001.tar.zst"])))
                parent = id
            }
        }
        let keep = KeepPolicy(within: .days(30), byKind: [.incremental: KeepPolicy(within: .days(7))])
        let decisions = try RetentionPolicy.evaluate(backups: RetentionCandidate.candidates(from: records), keep: keep, now: now,
                                                     timeZone: .gmt, newestVerified: nil)
        let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
        for decision in decisions {
            let record = try #require(byID[decision.id])
            let age = now.timeIntervalSince(try #require(record.finishedDate))
            if record.kind == .full {
                #expect(decision.keep == (age < 30 * 86_400), "full \(record.finished): \(decision.reasons)")
            } else if age < 7 * 86_400 - 12 * 3_600 {
                #expect(decision.reasons.contains { $0.hasPrefix("incremental within 7d") }, "\(record.finished): \(decision.reasons)")
            } else if age > 8 * 86_400 {
                #expect(!decision.keep, "incremental \(record.finished) kept: \(decision.reasons)")
            } else if decision.keep {
                #expect(decision.reasons.allSatisfy { $0.hasPrefix("incremental within") || $0.hasPrefix("needed by") }, "\(decision.reasons)")
            }
        }
        // The oldest kept incremental's chain is whole: its parent is kept too.
        let keptIncrementals = decisions.filter { $0.keep && byID[$0.id]?.kind == .incremental }
        for decision in keptIncrementals {
            let parent = try #require(byID[decision.id]?.parent)
            #expect(decisions.first { $0.id == parent }?.keep == true, "\(decision.id) kept without its parent \(parent)")
        }
    }

    @Test("keep: { within: 30d, incremental: { within: 7d } } parses; an empty or nested kind is refused with an example")
    func perKindParsing() throws {
        func parse(_ keep: String) throws -> KeepPolicy {
            try LifeboatConfig.parse(yaml: "tiers:\n  t: { rto: 1h, rpo: 1h, full: daily, incremental: hourly, keep: \(keep) }\nservices: {}\n",
                                     path: "/tmp/lifeboat.yaml").tiers.first { $0.name == "t" }!.keep
        }
        #expect(try parse("{ within: 30d, incremental: { within: 7d } }") == KeepPolicy(within: .days(30), byKind: [.incremental: KeepPolicy(within: .days(7))]))
        #expect(throws: LifeboatError.self) { try parse("{ within: 30d, incremental: {} }") }
        #expect(throws: LifeboatError.self) { try parse("{ incremental: { within: 7d, full: { last: 1 } } }") }
    }

    @Test("no backups: no decisions")
    func noBackups() throws {
        #expect(try RetentionPolicy.evaluate(backups: [], keep: .thirtyDays, now: Date(), timeZone: .gmt, newestVerified: "x") == [])
    }

    @Test("the catalog names the backups whose latest restore verification passed, from verification records; not-run counts neither way; and forgets pruned backups")
    func catalogSupport() throws {
        let path = "\(NSTemporaryDirectory())lifeboat-retention-\(UUID().uuidString.prefix(8)).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let catalog = try Catalog(path: path)
        var count = 0
        func verify(_ id: String, _ outcome: String, at time: String, service: String = "app") throws {
            count += 1
            try catalog.record(verification: VerificationRecord(
                id: "v\(count)", service: service, backup: id, host: "h", started: time, finished: time, isolation: "test",
                phases: [], files: 1, bytes: 1, bytesPerSecond: 1, checks: [], rtoMeasuredSeconds: 1, rtoTargetSeconds: 60,
                rtoMet: true, outcome: outcome, problems: []))
        }
        try verify("b1", "passed", at: "2026-11-20T00:00:00.000Z")
        try verify("b1", "not-run", at: "2026-11-24T00:00:00.000Z")
        try verify("b2", "passed", at: "2026-11-21T00:00:00.000Z")
        try verify("b2", "failed", at: "2026-11-22T00:00:00.000Z")
        try verify("b2", "not-run", at: "2026-11-23T00:00:00.000Z")
        try verify("b3", "failed", at: "2026-11-22T00:00:00.000Z")
        try verify("b3", "passed", at: "2026-11-23T00:00:00.000Z")
        try verify("x1", "passed", at: "2026-11-23T00:00:00.000Z", service: "other")
        // This host's job history does not count: the records are the truth.
        try catalog.recordJob(JobRun(kind: "verify", service: "app", backupID: "b4", started: "2026-11-23T00:00:00.000Z", outcome: "success"))
        #expect(try catalog.verifiedGoodBackups(service: "app") == ["b1", "b3"])

        for id in ["b1", "b2", "b3"] {
            try catalog.upsert(Self.record(.init(id: id, kind: .full, parent: nil, finished: "2026-11-20T00:00:00.000Z", references: nil)))
        }
        #expect(try catalog.removeBackups(["b1", "b3", "missing"]) == 2)
        #expect(try catalog.backupIDs() == ["b2"])
    }

    static func record(_ backup: Fixture.Backup) -> BackupRecord {
        BackupRecord(id: backup.id, service: "app", kind: backup.kind, parent: backup.parent, tier: "tier-1-critical",
                     host: "test", started: backup.finished, finished: backup.finished, sources: ["/srv/app"],
                     status: "complete", compression: "zstd-3", stats: .init(), objects: [], warnings: [],
                     references: backup.references)
    }
}
