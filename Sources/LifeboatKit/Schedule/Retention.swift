import Foundation

/// Decides which backups of one service a retention policy keeps: grandfather-father-son rules as in
/// restic's `forget`, plus the safety rules that make pruning harmless to what is kept.
///
/// Pure: no clock, no files. ``evaluate(backups:keep:now:timeZone:newestVerified:)`` keeps the union of:
/// - `last N`: the N newest backups (reason `last 1` … `last N`: the backup's rank, newest first);
/// - `hourly`/`daily`/`weekly`/`monthly`/`yearly N`: the newest backup of each of the N most recent
///   periods *that have backups* (a period without backups does not use up the count), with periods
///   computed in `timeZone` and weeks being ISO 8601 weeks (Monday first, week 1 holds the year's first
///   Thursday). Reasons name the period: `hourly 2026-11-20T14`, `daily 2026-11-20`, `weekly 2026-W47`,
///   `monthly 2026-11`, `yearly 2026`;
/// - `within D`: every backup finished after the newest backup's time minus D (restic's semantics:
///   relative to the newest backup, not to `now`, so a service whose backups stopped does not lose its
///   last ones to the passing of time). Reason `within 30d`;
/// - the newest backup, always (`newest`, named only when no rule kept it);
/// - the newest backup a restore verification proved good (`newest verified-good`);
/// - every backup a kept backup needs (`needed by ID`, naming the newest kept backup that needs it):
///   the backups whose data archives it refers to (``RetentionCandidate/referencedBackups``) and its
///   parent, transitively. The parent is kept even when no file refers to it any more, because the
///   documented restore without Lifeboat follows `parent` back to the full backup.
///
/// Only committed backups are candidates (failed and incomplete ones never count towards a rule).
/// Backups that finished after `now` (another host's clock, or a what-if `now` in the past) are kept
/// with reason `after now` and do not count towards any rule: the rules see the service as it was at
/// `now`.
///
/// ## The `Schedule/` folder
///
/// Decides when jobs run and what is kept: due-job computation and `run-due`, retention (this file,
/// GFS rules as a pure function over ``RetentionCandidate``s) and prune (`Workspace+Prune.swift`:
/// applies the decisions to a repository under the service lock and records the run in the catalog).
public enum RetentionPolicy {
    /// What `keep:` rules look like, for error messages.
    public static let example = "keep: { within: 7d, daily: 30, weekly: 8, monthly: 12 }"

    /// Throws when `keep` sets no rule that keeps anything (every count unset or 0, `within` unset or 0s).
    ///
    /// - Parameter tier: named in the message when given.
    public static func validate(_ keep: KeepPolicy, tier: String? = nil) throws {
        guard !keepsSomething(keep) && !keep.byKind.values.contains(where: keepsSomething) else { return }
        let owner = tier.map { "tier \($0) has" } ?? "the retention policy has"
        throw LifeboatError(
            .configuration,
            "\(owner) no `keep:` rule, so prune cannot tell which backups to keep and removes nothing; "
                + "set one for the tier in lifeboat.yaml (e.g. \(example))")
    }

    /// Whether a policy's top-level rules keep anything (a count or `within` above 0).
    private static func keepsSomething(_ keep: KeepPolicy) -> Bool {
        let counts = [keep.last, keep.hourly, keep.daily, keep.weekly, keep.monthly, keep.yearly]
        return counts.contains { ($0 ?? 0) > 0 } || (keep.within?.seconds ?? 0) > 0
    }

    /// One decision per candidate, oldest first (by finish time, then id). Backups of a kind with
    /// rules of its own (`keep.byKind`) are counted by those rules alone, with their reasons prefixed
    /// by the kind (`incremental within 7d`); the others by the top-level rules.
    ///
    /// - Parameters:
    ///   - backups: the service's committed backups, in any order. Ids must be unique.
    ///   - newestVerified: the id of the newest backup whose restore verification succeeded, if any;
    ///     ignored when it is not among `backups`.
    /// - Throws: `LifeboatError` (`.configuration`) when `keep` sets no rule (see ``validate(_:tier:)``).
    public static func evaluate(
        backups: [RetentionCandidate], keep: KeepPolicy, now: Date, timeZone: TimeZone, newestVerified: String?
    ) throws -> [RetentionDecision] {
        try validate(keep)
        let newestFirst = backups.sorted { ($0.finished, $0.id) > ($1.finished, $1.id) }
        var reasons: [String: [String]] = [:]
        func add(_ id: String, _ reason: String) { reasons[id, default: []].append(reason) }

        let future = newestFirst.filter { $0.finished > now }
        for backup in future { add(backup.id, "after now") }
        let counted = newestFirst.filter { $0.finished <= now }
        let periods = PeriodKeys(timeZone: timeZone)
        let own = counted.filter { keep.byKind[$0.kind] != nil }
        apply(keep, to: counted.filter { keep.byKind[$0.kind] == nil }, periods: periods, label: "", add)
        for kind in [BackupRecord.Kind.full, .incremental] {
            guard let rules = keep.byKind[kind] else { continue }
            apply(rules, to: own.filter { $0.kind == kind }, periods: periods, label: "\(kind.rawValue) ", add)
        }
        if let newest = counted.first ?? newestFirst.first, reasons[newest.id] == nil { add(newest.id, "newest") }
        if let verified = newestVerified, backups.contains(where: { $0.id == verified }) {
            add(verified, "newest verified-good")
        }

        // What kept backups need, newest kept first, so each needed backup names its newest dependent.
        let byID = Dictionary(backups.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var neededBy: [String: String] = [:]
        for dependent in newestFirst where reasons[dependent.id] != nil {
            var stack = Array(byID[dependent.id]?.needs ?? [])
            while let id = stack.popLast() {
                guard id != dependent.id, byID[id] != nil, neededBy[id] == nil else { continue }
                neededBy[id] = dependent.id
                stack.append(contentsOf: byID[id]?.needs ?? [])
            }
        }
        for (id, dependent) in neededBy { add(id, "needed by \(dependent)") }

        return newestFirst.reversed().map { backup in
            let why = reasons[backup.id] ?? []
            return RetentionDecision(id: backup.id, keep: !why.isEmpty, reasons: why)
        }
    }

    /// Applies one set of rules (`last`, the periods, `within`) to `counted` (newest first, all at or
    /// before now), calling `add` with each kept backup and its reason.
    private static func apply(_ keep: KeepPolicy, to counted: [RetentionCandidate], periods: PeriodKeys, label: String,
                              _ add: (String, String) -> Void) {
        if let last = keep.last, last > 0 {
            for (rank, backup) in counted.prefix(last).enumerated() { add(backup.id, "\(label)last \(rank + 1)") }
        }
        let buckets: [(name: String, count: Int?, key: (Date) -> String)] = [
            ("hourly", keep.hourly, periods.hour), ("daily", keep.daily, periods.day),
            ("weekly", keep.weekly, periods.week), ("monthly", keep.monthly, periods.month),
            ("yearly", keep.yearly, periods.year),
        ]
        for bucket in buckets {
            guard var remaining = bucket.count, remaining > 0 else { continue }
            var previous: String?
            for backup in counted where remaining > 0 {
                let key = bucket.key(backup.finished)
                guard key != previous else { continue }
                previous = key
                remaining -= 1
                add(backup.id, "\(label)\(bucket.name) \(key)")
            }
        }
        if let within = keep.within, within.seconds > 0, let newest = counted.first {
            let cutoff = newest.finished.addingTimeInterval(-TimeInterval(within.seconds))
            for backup in counted where backup.finished > cutoff { add(backup.id, "\(label)within \(days(within))") }
        }
    }

    /// `30d` rather than `4w2d`: retention windows read best in days.
    static func days(_ duration: LifeboatDuration) -> String {
        let day: Int64 = 86_400
        guard duration.seconds >= day else { return duration.description }
        let rest = duration.seconds % day
        return "\(duration.seconds / day)d" + (rest > 0 ? LifeboatDuration(seconds: rest).description : "")
    }
}

/// One committed backup as retention sees it.
public struct RetentionCandidate: Sendable, Hashable, Codable {
    public var id: String
    public var kind: BackupRecord.Kind
    /// The backup an incremental was built on; nil for a full backup.
    public var parent: String?
    /// When the backup finished: the time the rules look at.
    public var finished: Date
    /// The other backups whose data archives this backup's manifest uses (from `references` in
    /// `backup.json`; the whole parent chain when a record has no `references`).
    public var referencedBackups: Set<String>

    public init(id: String, kind: BackupRecord.Kind, parent: String?, finished: Date, referencedBackups: Set<String>) {
        self.id = id
        self.kind = kind
        self.parent = parent
        self.finished = finished
        self.referencedBackups = referencedBackups
    }

    /// What must stay for this backup to restore, with and without Lifeboat.
    var needs: Set<String> {
        var all = referencedBackups
        if let parent { all.insert(parent) }
        all.remove(id)
        return all
    }

    /// Candidates for the committed `records` of one service. A record whose finish time cannot be
    /// read falls back to the time in its id; one with neither is left out (and so never removed).
    public static func candidates(from records: [BackupRecord]) -> [RetentionCandidate] {
        let parents = Dictionary(records.map { ($0.id, $0.parent) }, uniquingKeysWith: { first, _ in first })
        return records.compactMap { record in
            guard let finished = record.finishedDate ?? BackupID.date(of: record.id) else { return nil }
            var referenced: Set<String> = []
            if let references = record.references {
                for reference in references {
                    if let slash = reference.firstIndex(of: "/") { referenced.insert(String(reference[..<slash])) }
                }
            } else {
                // Older records: every ancestor may hold data this one uses.
                var next = record.parent
                while let id = next, !referenced.contains(id) {
                    referenced.insert(id)
                    next = parents[id] ?? nil
                }
            }
            referenced.remove(record.id)
            return RetentionCandidate(id: record.id, kind: record.kind, parent: record.parent,
                                      finished: finished, referencedBackups: referenced)
        }
    }
}

/// Whether one backup stays, and every reason it does (empty when it goes).
public struct RetentionDecision: Sendable, Hashable, Codable {
    public var id: String
    public var keep: Bool
    /// In a fixed order: `after now`, `last`, `hourly` … `yearly`, `within`, `newest`,
    /// `newest verified-good`, `needed by`.
    public var reasons: [String]

    public init(id: String, keep: Bool, reasons: [String]) {
        self.id = id
        self.keep = keep
        self.reasons = reasons
    }
}

/// Period names in one time zone; weeks are ISO 8601 weeks.
private struct PeriodKeys {
    let gregorian: Calendar
    let iso: Calendar

    init(timeZone: TimeZone) {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = timeZone
        var iso = Calendar(identifier: .iso8601)
        iso.timeZone = timeZone
        self.gregorian = gregorian
        self.iso = iso
    }

    private func parts(_ date: Date) -> DateComponents {
        gregorian.dateComponents([.year, .month, .day, .hour], from: date)
    }

    func hour(_ date: Date) -> String {
        let c = parts(date)
        return String(format: "%04d-%02d-%02dT%02d", c.year!, c.month!, c.day!, c.hour!)
    }

    func day(_ date: Date) -> String {
        let c = parts(date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    func week(_ date: Date) -> String {
        let c = iso.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        return String(format: "%04d-W%02d", c.yearForWeekOfYear!, c.weekOfYear!)
    }

    func month(_ date: Date) -> String {
        let c = parts(date)
        return String(format: "%04d-%02d", c.year!, c.month!)
    }

    func year(_ date: Date) -> String { String(format: "%04d", parts(date).year!) }
}
