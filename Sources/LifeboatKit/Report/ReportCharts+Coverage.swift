extension ReportCharts {
    private static let labelRight = 170.0, trackLeft = 180.0, trackWidth = 440.0, rowHeight = 72.0, firstRow = 16.0

    /// Per tier, two bars from 0 to 100%: the share of its backups in the window that a restore
    /// verification passed for, and the share of their bytes. Each bar is labelled in text with
    /// what it measures and its percentage.
    static func coverage(_ summary: [ComplianceReport.TierSummary]) -> String {
        let title = "Verification coverage by tier"
        guard !summary.isEmpty else { return noData(title: title, message: "No data: no tiers in this report") }
        let axisY = firstRow + Double(summary.count) * rowHeight + 4
        var parts = axis(at: axisY)
        for (index, tier) in summary.enumerated() {
            let top = firstRow + Double(index) * rowHeight
            parts.append(SVG.text(tier.tier, x: 8, y: top + 12, css: "strong"))
            parts += bar("backups verified", share: tier.verifiedBackupShare, y: top + 20, css: "bar-backups", none: "no backups in the window")
            parts += bar("bytes verified", share: tier.verifiedByteShare, y: top + 44, css: "bar-bytes", none: "no bytes stored in the window")
        }
        let findings = summary.map { tier in
            "\(tier.tier) \(tier.verifiedBackupShare.map(ReportText.percent) ?? "no backups") of backups, "
                + "\(tier.verifiedByteShare.map(ReportText.percent) ?? "no bytes") of bytes verified"
        }
        return SVG.chart(title: title, label: "\(title): \(findings.joined(separator: "; ")).", height: axisY + 28, parts)
    }

    private static func bar(_ label: String, share: Double?, y: Double, css: String, none: String) -> [String] {
        var parts = [SVG.text(label, x: labelRight, y: y + 13, anchor: "end"), SVG.rect(trackLeft, y, trackWidth, 18, css: "track")]
        guard let share else {
            return parts + [SVG.text(none, x: trackLeft + 8, y: y + 13)]
        }
        let clamped = min(max(share, 0), 1)
        parts.append(SVG.rect(trackLeft, y, clamped * trackWidth, 18, css: css))
        parts.append(SVG.text(ReportText.percent(share), x: trackLeft + trackWidth + 8, y: y + 13, css: "strong"))
        return parts
    }

    /// The 0–100% scale under the bars, with a light grid line at each quarter.
    private static func axis(at y: Double) -> [String] {
        [0.0, 0.25, 0.5, 0.75, 1].flatMap { share -> [String] in
            let x = trackLeft + share * trackWidth
            return [SVG.line(x, firstRow + 16, x, y, css: "grid"), SVG.text("\(Int(share * 100))%", x: x, y: y + 16, anchor: "middle")]
        } + [SVG.line(trackLeft, y, trackLeft + trackWidth, y, css: "axis")]
    }
}
