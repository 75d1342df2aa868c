import Foundation

extension ComplianceReport {
    /// The CSV columns, in order (documented in `docs/report-schema.md`).
    public static let csvColumns = [
        "service", "tier", "status",
        "rpo_target_s", "rpo_current_exposure_s", "rpo_worst_gap_s", "rpo_compliant_share",
        "verified_rpo_current_exposure_s", "verified_rpo_worst_gap_s", "verified_rpo_compliant_share",
        "offsite_rpo_current_exposure_s", "offsite_rpo_worst_gap_s", "offsite_rpo_compliant_share",
        "rto_target_s", "rto_latest_verification_s", "rto_latest_drill_s", "rto_worst_s", "rto_projected_s",
        "backups_in_window", "backups_verified", "bytes_verified_share", "last_good_verification", "verify_cadence",
        "last_drill_outcome", "drill_rto_achieved_s", "drill_rpo_achieved_s", "drill_next_due", "drill_overdue",
        "reasons",
    ]

    /// One row per service with its headline figures, after a header row of `csvColumns`.
    ///
    /// RFC 4180 fields (quoted when they hold a comma, a quote, CR or LF; quotes doubled), with LF
    /// line ends (RFC 4180 says CRLF; LF is what Unix tools and spreadsheets read alike) and a final
    /// LF. Durations are seconds with up to 3 decimals, shares are fractions (0–1) with up to 4,
    /// never thousands separators or exponents; a figure that was not measured is an empty field.
    public func csv() -> String {
        ([Self.csvColumns] + services.map(\.csvFields))
            .map { $0.map(CSVField.quoted).joined(separator: ",") + "\n" }
            .joined()
    }
}

extension ComplianceReport.ServiceCompliance {
    fileprivate var csvFields: [String] {
        let seconds = { (value: Double?) in CSVField.number(value, decimals: 3) }
        let share = { (value: Double?) in CSVField.number(value, decimals: 4) }
        let byteShare = coverage.bytesInWindow > 0 ? Double(coverage.bytesVerified) / Double(coverage.bytesInWindow) : nil
        return [
            service, tier, status.rawValue,
            seconds(rpo.targetSeconds), seconds(rpo.currentExposureSeconds), seconds(rpo.worstGapSeconds), share(rpo.compliantShare),
            seconds(verifiedRPO.currentExposureSeconds), seconds(verifiedRPO.worstGapSeconds), share(verifiedRPO.compliantShare),
            seconds(offsite?.rpo.currentExposureSeconds), seconds(offsite?.rpo.worstGapSeconds), share(offsite?.rpo.compliantShare),
            seconds(rto.targetSeconds), seconds(rto.latestVerificationSeconds), seconds(rto.latestDrillSeconds),
            seconds(rto.worstSeconds), seconds(rto.projectedSeconds),
            String(coverage.backupsInWindow), String(coverage.backupsVerified), share(byteShare),
            coverage.lastGoodVerification ?? "", coverage.cadence,
            drills.lastOutcome ?? "", seconds(drills.rtoAchievedSeconds), seconds(drills.rpoAchievedSeconds),
            drills.nextDue ?? "", drills.overdue ? "true" : "false",
            reasons.joined(separator: "; "),
        ]
    }
}

private enum CSVField {
    /// The field as RFC 4180 writes it.
    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `300`, `12.346`, `0.975`: fixed-point, trailing zeros dropped; empty for `nil`.
    static func number(_ value: Double?, decimals: Int) -> String {
        guard let value, value.isFinite else { return "" }
        var text = String(format: "%.\(decimals)f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}
