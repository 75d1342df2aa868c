import Foundation

/// How the human-readable reports (Markdown, HTML) write figures, so both read the same.
/// Machine formats (CSV, JSON) keep raw seconds and shares instead.
enum ReportText {
    /// Shown for a figure that could not be measured, where "none" or "never" would not fit.
    static let missing = "—"

    /// `0.4s`, `45s`, `12m 30s`, `5m`, `3h 05m`, `1h`, `2d 04h`, `2d`: two units at most, rounded
    /// to the smaller one, so a column of durations compares at a glance.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return missing }
        if seconds < 0 { return "-" + duration(-seconds) }
        if seconds < 9.95, seconds != seconds.rounded() { return String(format: "%.1fs", seconds) }
        let wholeSeconds = Int64(seconds.rounded())
        if wholeSeconds < 60 { return "\(wholeSeconds)s" }
        if wholeSeconds < 3_600 { return pair(wholeSeconds / 60, "m", wholeSeconds % 60, "s") }
        let minutes = Int64((seconds / 60).rounded())
        if minutes < 1_440 { return pair(minutes / 60, "h", minutes % 60, "m") }
        let hours = Int64((seconds / 3_600).rounded())
        return pair(hours / 24, "d", hours % 24, "h")
    }

    /// `duration`, or `fallback` when the figure is `nil`.
    static func duration(_ seconds: Double?, or fallback: String) -> String {
        seconds.map { duration($0) } ?? fallback
    }

    private static func pair(_ major: Int64, _ majorUnit: String, _ minor: Int64, _ minorUnit: String) -> String {
        minor == 0 ? "\(major)\(majorUnit)" : "\(major)\(majorUnit) " + String(format: "%02lld", minor) + minorUnit
    }

    /// A share (0–1) as a percentage with one decimal: `97.5%`.
    static func percent(_ share: Double) -> String {
        share.isFinite ? String(format: "%.1f%%", share * 100) : missing
    }

    /// `7 days`, `1 day`, `1.5 days`.
    static func days(_ seconds: Double) -> String {
        let days = seconds / 86_400
        guard days.isFinite, abs(days) < 1e12 else { return missing }
        let text = days == days.rounded() ? String(Int64(days)) : String(format: "%.1f", days)
        return text == "1" ? "1 day" : "\(text) days"
    }

    /// Sizes in binary units with one decimal: `512 B`, `1.5 KiB`, `10.0 GiB`.
    static func bytes(_ count: Double) -> String {
        count.isFinite ? ByteCount.text(count) : missing
    }

    /// `4m 10s at 2026-11-24T03:00:00Z`, or `fallback` when the figure is `nil`.
    static func duration(_ seconds: Double?, at time: String?, or fallback: String) -> String {
        guard let seconds else { return fallback }
        return time.map { "\(duration(seconds)) at \($0)" } ?? duration(seconds)
    }
}

extension ComplianceReport.Status {
    /// The status in capitals with its symbol (`✖ BREACHED`): readable without colour.
    var label: String {
        switch self {
        case .compliant: "✔ COMPLIANT"
        case .atRisk: "⚠ AT RISK"
        case .breached: "✖ BREACHED"
        }
    }

    /// A CSS class name for the status (`at-risk`).
    var cssClass: String { rawValue.replacingOccurrences(of: " ", with: "-") }
}
