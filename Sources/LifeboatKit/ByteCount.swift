import Foundation

/// Sizes as people read them, the same in every message, table and report.
public enum ByteCount {
    /// Binary units with one decimal: `512 B`, `1.5 KiB`, `10.0 GiB`.
    public static func text(_ count: Double) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        guard count >= 1_024 else { return "\(Int64(count)) B" }
        var value = count / 1_024
        var unit = 0
        while value >= 1_024, unit < units.count - 1 {
            value /= 1_024
            unit += 1
        }
        return String(format: "%.1f ", value) + units[unit]
    }

    public static func text(_ count: Int64) -> String { text(Double(count)) }
}
