import Foundation

/// Computes the compliance report from what was recorded. Pure: every input is passed in, so the
/// figures can be checked against a fixture.
struct ComplianceCalculator {
    struct ServiceInput {
        var name: String
        var tier: Tier
        /// Oldest first.
        var backups: [BackupRecord]
        var verifications: [VerificationRecord]
        var drills: [DrillRecord]
        /// Copies of this service's backups to other repositories.
        var copies: [CopyRecord] = []
    }

    let at: Date
    let windowStart: Date
    let repository: String
    let services: [ServiceInput]
    /// Job runs of the window; only those with a `failureOutcomes` outcome are used.
    let jobs: [JobRun]
    static let failureOutcomes = ["failed", "partial", "interrupted", "not-run"]
    /// SHA-256 of a record file in the repository, when present.
    let recordChecksum: (Repository.RecordKind, String) -> String?

    /// Grace after a drill cadence slot before a drill counts as overdue (`run-due` may run it later).
    static let drillGrace = 86_400.0

    func report() -> ComplianceReport {
        let computed = services.map(service)
        let tiers = Dictionary(grouping: computed.indices, by: { computed[$0].tier })
        let summary = services.map(\.tier).reduce(into: [Tier]()) { list, tier in
            if !list.contains(where: { $0.name == tier.name }) { list.append(tier) }
        }.map { tier -> ComplianceReport.TierSummary in
            let members = (tiers[tier.name] ?? []).map { computed[$0] }
            let inWindow = members.reduce(0) { $0 + $1.coverage.backupsInWindow }
            let verified = members.reduce(0) { $0 + $1.coverage.backupsVerified }
            let bytes = members.reduce(Int64(0)) { $0 + $1.coverage.bytesInWindow }
            let verifiedBytes = members.reduce(Int64(0)) { $0 + $1.coverage.bytesVerified }
            return .init(tier: tier.name, rtoTargetSeconds: Double(tier.rto.seconds), rpoTargetSeconds: Double(tier.rpo.seconds),
                         compliant: members.filter { $0.status == .compliant }.count,
                         atRisk: members.filter { $0.status == .atRisk }.count,
                         breached: members.filter { $0.status == .breached }.count,
                         verifiedBackupShare: inWindow > 0 ? Double(verified) / Double(inWindow) : nil,
                         verifiedByteShare: bytes > 0 ? Double(verifiedBytes) / Double(bytes) : nil)
        }
        let breaches = computed.filter { $0.status == .breached }.flatMap { service in
            service.reasons.filter { Self.isBreach($0) }.map { ComplianceReport.Breach(service: service.service, tier: service.tier, what: $0) }
        }
        let noData = services.allSatisfy { $0.backups.isEmpty && $0.verifications.isEmpty && $0.drills.isEmpty }
        return ComplianceReport(at: Timestamp.format(at), windowStart: Timestamp.format(windowStart),
                                windowSeconds: at.timeIntervalSince(windowStart), repository: repository, noData: noData,
                                summary: summary, services: computed, failures: failures(), openBreaches: breaches)
    }

    /// Reasons that make a service breached start with one of these words.
    static let breachPrefixes = ["no recovery point", "RPO breached", "RTO breached", "latest restore verification failed", "latest drill"]
    static func isBreach(_ reason: String) -> Bool { breachPrefixes.contains { reason.hasPrefix($0) } }

    private func service(_ input: ServiceInput) -> ComplianceReport.ServiceCompliance {
        let rpoTarget = Double(input.tier.rpo.seconds), rtoTarget = Double(input.tier.rto.seconds)
        let good = input.backups.filter { $0.status == "complete" && ($0.finishedDate ?? .distantFuture) <= at }
        let passed = input.verifications.filter { $0.passed && (Timestamp.parse($0.finished) ?? .distantFuture) <= at }
        let firstPass = Dictionary(grouping: passed, by: \.backup).compactMapValues { $0.compactMap { Timestamp.parse($0.finished) }.min() }
        let points = good.compactMap { backup -> RecoveryTimeline.Point? in
            guard let started = backup.startedDate, let finished = backup.finishedDate else { return nil }
            return .init(id: backup.id, time: started, available: finished)
        }
        let verifiedPoints = good.compactMap { backup -> RecoveryTimeline.Point? in
            guard let started = backup.startedDate, let finished = backup.finishedDate, let proven = firstPass[backup.id] else { return nil }
            return .init(id: backup.id, time: started, available: max(finished, proven))
        }
        let rpo = RecoveryTimeline.figures(points, target: rpoTarget, windowStart: windowStart, at: at)
        let verifiedRPO = RecoveryTimeline.figures(verifiedPoints, target: rpoTarget, windowStart: windowStart, at: at)
        let offsite = offsiteFigures(input, good: good, target: rpoTarget)
        let rto = rtoFigures(input, passed: passed, newestGood: good.last, target: rtoTarget)
        let coverage = coverageFigures(input, passed: passed, firstPass: firstPass)
        let drills = drillFigures(input)
        var reasons: [String] = []
        let status = judge(input, rpo: rpo, rto: rto, coverage: coverage, drills: drills, offsite: offsite, reasons: &reasons)
        return .init(service: input.name, tier: input.tier.name, status: status, reasons: reasons,
                     rpo: Self.rpoFigures(rpo, target: rpoTarget), verifiedRPO: Self.rpoFigures(verifiedRPO, target: rpoTarget),
                     offsite: offsite,
                     rto: rto, coverage: coverage, drills: drills,
                     ageSeries: rpo.ageSeries.map { .init(at: Timestamp.format($0.0), ageSeconds: $0.1) },
                     evidence: evidence(input, firstPass: firstPass, claims: claims(rpo: rpo, verified: verifiedRPO, newestGood: good.last)))
    }

    /// The RPO as seen from off-site: a backup is a recovery point there from when its first copy to
    /// another repository finished.
    private func offsiteFigures(_ input: ServiceInput, good: [BackupRecord], target: Double) -> ComplianceReport.Offsite? {
        guard !input.tier.copyTo.isEmpty || !input.copies.isEmpty else { return nil }
        let copies = input.copies.filter { (Timestamp.parse($0.finished) ?? .distantFuture) <= at }
        let firstCopy = Dictionary(grouping: copies, by: \.backup).compactMapValues { $0.compactMap { Timestamp.parse($0.finished) }.min() }
        let points = good.compactMap { backup -> RecoveryTimeline.Point? in
            guard let started = backup.startedDate, let finished = backup.finishedDate, let copied = firstCopy[backup.id] else { return nil }
            return .init(id: backup.id, time: started, available: max(finished, copied))
        }
        let figures = RecoveryTimeline.figures(points, target: target, windowStart: windowStart, at: at)
        return .init(targets: input.tier.copyTo, rpo: Self.rpoFigures(figures, target: target),
                     copiesInWindow: copies.filter { inWindow($0.finished) }.count)
    }

    private static func rpoFigures(_ figures: RecoveryTimeline.Figures, target: Double) -> ComplianceReport.RPOFigures {
        .init(targetSeconds: target, currentExposureSeconds: figures.currentExposure, worstGapSeconds: figures.worstGap,
              worstGapEnded: figures.worstGapEnded.map(Timestamp.format), compliantShare: figures.compliantShare,
              recoveryPoints: figures.recoveryPoints, newestRecoveryPoint: figures.newest.map(Timestamp.format))
    }

    private func inWindow(_ text: String?) -> Bool {
        guard let date = text.flatMap(Timestamp.parse) else { return false }
        return date >= windowStart && date <= at
    }

    private func rtoFigures(_ input: ServiceInput, passed: [VerificationRecord], newestGood: BackupRecord?,
                            target: Double) -> ComplianceReport.RTOFigures {
        let latest = passed.max { $0.started < $1.started }
        let drills = input.drills.filter { $0.rtoAchievedSeconds != nil && (Timestamp.parse($0.started) ?? .distantFuture) <= at }
        let latestDrill = drills.max { $0.started < $1.started }
        let measured = passed.filter { inWindow($0.started) }.map { ($0.rtoMeasuredSeconds, $0.started) }
            + drills.filter { inWindow($0.started) }.map { ($0.rtoAchievedSeconds ?? 0, $0.started) }
        let worst = measured.max { $0.0 < $1.0 }
        let bytes = newestGood?.stats.totalBytes
        var projected: Double?
        if let latest, latest.bytesPerSecond > 0, let bytes {
            let checks = latest.checks.reduce(0) { $0 + $1.seconds }
            projected = Double(bytes) / latest.bytesPerSecond + checks
        }
        return .init(targetSeconds: target, latestVerificationSeconds: latest?.rtoMeasuredSeconds, latestVerificationAt: latest?.started,
                     latestDrillSeconds: latestDrill?.rtoAchievedSeconds, latestDrillAt: latestDrill?.started,
                     worstSeconds: worst?.0, worstAt: worst?.1, projectedSeconds: projected,
                     restoreBytesPerSecond: latest.map(\.bytesPerSecond), dataBytes: bytes)
    }

    private func coverageFigures(_ input: ServiceInput, passed: [VerificationRecord],
                                 firstPass: [String: Date]) -> ComplianceReport.Coverage {
        let backups = input.backups.filter { ($0.status == "complete" || $0.status == "partial") && inWindow($0.started) }
        let verified = backups.filter { firstPass[$0.id] != nil }
        let lastGood = passed.compactMap { Timestamp.parse($0.finished) }.max()
        let cadence: String
        if let schedule = input.tier.verify, let slot = schedule.previous(atOrBefore: at, in: input.tier.timeZone) {
            // A verification may take up to the tier's RTO after its slot before the cadence counts as missed.
            let prior = schedule.previous(atOrBefore: slot.addingTimeInterval(-1), in: input.tier.timeZone)
            let grace = at.timeIntervalSince(slot) <= Double(input.tier.rto.seconds)
            let met = lastGood.map { last in last >= slot || (grace && prior.map { last >= $0 } ?? true) } ?? false
            cadence = met ? "met" : "missed"
        } else {
            cadence = "none"
        }
        let windowVerifications = input.verifications.filter { !$0.notRun && inWindow($0.started) }
        return .init(backupsInWindow: backups.count, backupsVerified: verified.count,
                     bytesInWindow: backups.reduce(0) { $0 + $1.stats.bytesStored },
                     bytesVerified: verified.reduce(0) { $0 + $1.stats.bytesStored },
                     lastGoodVerification: lastGood.map(Timestamp.format), secondsSinceLastGoodVerification: lastGood.map { at.timeIntervalSince($0) },
                     cadence: cadence, verificationsInWindow: windowVerifications.count,
                     failedVerificationsInWindow: windowVerifications.filter { !$0.passed }.count)
    }

    private func drillFigures(_ input: ServiceInput) -> ComplianceReport.DrillFigures {
        let done = input.drills.filter { (Timestamp.parse($0.started) ?? .distantFuture) <= at }.sorted { $0.started < $1.started }
        let last = done.last
        let lastAt = last.flatMap { Timestamp.parse($0.started) }
        var nextDue: Date?
        var overdue = false
        if let cadence = input.tier.drill, let slot = cadence.previous(atOrBefore: at, in: input.tier.timeZone) {
            // Overdue when no drill followed the newest slot that is more than the grace old.
            let dueSlot = cadence.previous(atOrBefore: at.addingTimeInterval(-Self.drillGrace), in: input.tier.timeZone)
            if let lastAt, lastAt >= slot {
                nextDue = cadence.next(after: at, in: input.tier.timeZone)
            } else if let lastAt {
                nextDue = cadence.next(after: lastAt, in: input.tier.timeZone) ?? slot
            } else {
                nextDue = dueSlot ?? slot
            }
            overdue = dueSlot.map { due in lastAt.map { $0 < due } ?? true } ?? false
        }
        return .init(lastDrill: last?.id, lastDrillName: last?.drill, lastDrillAt: last?.started, lastOutcome: last?.outcome,
                     rtoAchievedSeconds: last?.rtoAchievedSeconds, rpoAchievedSeconds: last?.rpoAchievedSeconds,
                     nextDue: nextDue.map(Timestamp.format), overdue: overdue,
                     drillsInWindow: done.filter { inWindow($0.started) }.count)
    }

    /// Breached: no recovery point, RPO exposure over target now, latest measured RTO over target,
    /// latest verification or drill failed. At risk: the RPO or RTO was breached earlier in the window,
    /// the projected RTO is over target, the verify cadence was missed, or a drill is overdue.
    private func judge(_ input: ServiceInput, rpo: RecoveryTimeline.Figures, rto: ComplianceReport.RTOFigures,
                       coverage: ComplianceReport.Coverage, drills: ComplianceReport.DrillFigures,
                       offsite: ComplianceReport.Offsite?, reasons: inout [String]) -> ComplianceReport.Status {
        let rpoTarget = Double(input.tier.rpo.seconds), rtoTarget = Double(input.tier.rto.seconds)
        let show: (Double) -> String = { ReportText.duration($0) }
        if let exposure = rpo.currentExposure {
            if exposure > rpoTarget { reasons.append("RPO breached: the newest recovery point is \(show(exposure)) old (target \(show(rpoTarget)))") }
        } else {
            reasons.append("no recovery point: \(input.name) has no complete backup")
        }
        let latestRTO = [(rto.latestVerificationSeconds, rto.latestVerificationAt, "restore verification"),
                         (rto.latestDrillSeconds, rto.latestDrillAt, "drill")]
            .compactMap { value, time, what in value.flatMap { v in time.map { (v, $0, what) } } }.max { $0.1 < $1.1 }
        if let latestRTO, latestRTO.0 > rtoTarget {
            reasons.append("RTO breached: the latest \(latestRTO.2) measured \(show(latestRTO.0)) (target \(show(rtoTarget)))")
        }
        // One that could not run (a full scratch disk) proves nothing either way about the backup.
        let verifications = input.verifications.filter { !$0.notRun && (Timestamp.parse($0.started) ?? .distantFuture) <= at }
        if let newest = verifications.max(by: { $0.started < $1.started }), !newest.passed {
            reasons.append("latest restore verification failed: \(newest.id) of backup \(newest.backup)")
        }
        if let outcome = drills.lastOutcome, outcome != "passed" {
            reasons.append("latest drill \(drills.lastDrillName ?? "") \(outcome) (\(drills.lastDrill ?? ""))")
        }
        let breached = !reasons.isEmpty
        if let worst = rpo.worstGap, worst > rpoTarget, !reasons.contains(where: { $0.hasPrefix("RPO breached") }) {
            reasons.append("RPO was breached in the window: a gap of \(show(worst)) ended \(rpo.worstGapEnded.map(Timestamp.format) ?? "")")
        }
        if let worst = rto.worstSeconds, worst > rtoTarget, !reasons.contains(where: { $0.hasPrefix("RTO breached") }) {
            reasons.append("RTO was breached in the window: \(show(worst)) measured \(rto.worstAt ?? "")")
        }
        if let projected = rto.projectedSeconds, projected > rtoTarget {
            reasons.append("projected RTO \(show(projected)) for today's data is over the target \(show(rtoTarget))")
        }
        if coverage.cadence == "missed" {
            reasons.append("verification cadence missed: last good verification \(coverage.lastGoodVerification ?? "never")")
        }
        if drills.overdue { reasons.append("drill overdue since \(drills.nextDue ?? "")") }
        if let offsite, !offsite.targets.isEmpty {
            if let exposure = offsite.rpo.currentExposureSeconds {
                if exposure > rpoTarget { reasons.append("off-site copy behind: the newest copied recovery point is \(show(exposure)) old (target \(show(rpoTarget)))") }
            } else {
                reasons.append("off-site copy missing: no backup has been copied to \(offsite.targets.joined(separator: ", "))")
            }
        }
        if breached { return .breached }
        return reasons.isEmpty ? .compliant : .atRisk
    }

    /// Which figures each backup supports, by backup id.
    private func claims(rpo: RecoveryTimeline.Figures, verified: RecoveryTimeline.Figures, newestGood: BackupRecord?) -> [String: [String]] {
        var claims: [String: [String]] = [:]
        func add(_ id: String?, _ claim: String) { if let id { claims[id, default: []].append(claim) } }
        add(rpo.newestID, "current RPO exposure")
        add(rpo.worstGapFrom, "start of the worst RPO gap")
        add(rpo.worstGapTo, "end of the worst RPO gap")
        add(verified.newestID, "current verified RPO exposure")
        add(verified.worstGapFrom, "start of the worst verified RPO gap")
        add(verified.worstGapTo, "end of the worst verified RPO gap")
        add(newestGood?.id, "data size of the projected RTO")
        return claims
    }

    /// The backups a figure rests on (see `claims`) and every verified one in the window; every
    /// verification and drill in the window.
    private func evidence(_ input: ServiceInput, firstPass: [String: Date], claims: [String: [String]]) -> ComplianceReport.Evidence {
        let backups = input.backups.filter { claims[$0.id] != nil || (firstPass[$0.id] != nil && (inWindow($0.started) || inWindow($0.finished))) }
        let verifications = input.verifications.filter { inWindow($0.started) }
        let drills = input.drills.filter { inWindow($0.started) }
        return .init(
            backups: backups.map { .init(id: $0.id, kind: $0.kind.rawValue, status: $0.status, started: $0.started, finished: $0.finished,
                                         manifestSHA256: $0.manifestObject?.sha256, verified: firstPass[$0.id] != nil,
                                         supports: claims[$0.id] ?? (firstPass[$0.id] != nil ? ["verification coverage"] : [])) },
            verifications: verifications.map {
                .init(id: $0.id, at: $0.started, outcome: $0.outcome, sha256: recordChecksum(.verifications, $0.id),
                      detail: $0.notRun ? "backup \($0.backup), not run: \($0.problems.first ?? "no space")"
                        : "backup \($0.backup), RTO measured \(ReportText.duration($0.rtoMeasuredSeconds))",
                      rtoSeconds: $0.notRun ? nil : $0.rtoMeasuredSeconds)
            },
            drills: drills.map {
                .init(id: $0.id, at: $0.started, outcome: $0.outcome, sha256: recordChecksum(.drills, $0.id),
                      detail: "drill \($0.drill), RTO achieved \($0.rtoAchievedSeconds.map { ReportText.duration($0) } ?? "none"), "
                        + "RPO achieved \($0.rpoAchievedSeconds.map { ReportText.duration($0) } ?? "none")",
                      rtoSeconds: $0.rtoAchievedSeconds)
            })
    }

    /// Failed or partial jobs in the window (backups, verifications, drills, prunes...), newest first.
    private func failures() -> [ComplianceReport.Failure] {
        jobs.filter { Self.failureOutcomes.contains($0.outcome) && inWindow($0.started) }
            .sorted { $0.started > $1.started }
            .map { .init(at: $0.started, kind: $0.kind, service: $0.service, id: $0.backupID ?? $0.details?["id"],
                         error: $0.error ?? $0.outcome) }
    }
}
