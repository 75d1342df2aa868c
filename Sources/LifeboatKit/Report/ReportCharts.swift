import Foundation

/// The HTML report's charts as inline SVG. Every chart has a title, an `aria-label` that states its
/// finding in words, text axis labels and legend, and a marker shape per series; a chart with
/// nothing to draw says so inside its box.
enum ReportCharts {
    /// The age of the newest available recovery point across the window, against the RPO target
    /// (dashed). The series holds the age at the start and end of each stretch between recovery
    /// points, so a straight line through it is the exact saw-tooth; a triangle marks each peak over
    /// the target.
    static func recoveryPointAge(_ service: ComplianceReport.ServiceCompliance, windowStart: String, at: String) -> String {
        let title = "Recovery-point age of \(service.service)"
        let target = service.rpo.targetSeconds
        let points = service.ageSeries.filter(\.ageSeconds.isFinite).compactMap { point in
            Timestamp.parse(point.at).map { ($0.timeIntervalSince1970, point.ageSeconds) }
        }
        let highest = points.map(\.1).max() ?? 0
        guard !points.isEmpty, let frame = SVGChart(windowStart: windowStart, at: at, highest: max(highest, target)) else {
            return noData(title: title, message: "No data: no recovery point in the window")
        }
        let peaks = peaks(points, over: target)
        let targetText = "RPO \(ReportText.duration(target))"
        let legend = SVGChart.legend([
            ({ SVG.swatch($0, $1, css: "age") }, "recovery-point age"),
            ({ SVG.swatch($0, $1, css: "target") }, "target \(targetText)"),
            ({ SVG.triangle($0, $1, css: "over") }, "over the target"),
        ])
        let parts = legend + frame.axes(yTitle: "recovery-point age") + frame.targetLine(target, label: targetText)
            + [SVG.path(points.map { (frame.x($0.0), frame.y($0.1)) }, css: "age")]
            + peaks.map { SVG.triangle(frame.x(points[$0].0), frame.y(points[$0].1), css: "over") }
        let finding = "highest age \(ReportText.duration(highest)), \(peaks.count) peak\(peaks.count == 1 ? "" : "s") over the target"
        return SVG.chart(title: title, label: "\(title) across the window against the target \(targetText): \(finding).",
                         height: SVGChart.height, parts)
    }

    /// The RTO each restore verification (circles) and drill (diamonds) in the window measured,
    /// against the RTO target (dashed).
    static func measuredRTO(_ service: ComplianceReport.ServiceCompliance, windowStart: String, at: String) -> String {
        let title = "Measured RTO of \(service.service)"
        let target = service.rto.targetSeconds
        let verifications = timed(service.evidence.verifications), drills = timed(service.evidence.drills)
        let highest = (verifications + drills).map(\.1).max() ?? 0
        guard !(verifications + drills).isEmpty,
              let frame = SVGChart(windowStart: windowStart, at: at, highest: max(highest, target)) else {
            return noData(title: title, message: "No data: no RTO measured in the window")
        }
        let targetText = "RTO \(ReportText.duration(target))"
        let legend = SVGChart.legend([
            ({ SVG.circle($0, $1, css: "verification") }, "restore verification"),
            ({ SVG.diamond($0, $1, css: "drill") }, "drill"),
            ({ SVG.swatch($0, $1, css: "target") }, "target \(targetText)"),
        ])
        let parts = legend + frame.axes(yTitle: "measured RTO") + frame.targetLine(target, label: targetText)
            + verifications.map { SVG.circle(frame.x($0.0), frame.y($0.1), css: "verification") }
            + drills.map { SVG.diamond(frame.x($0.0), frame.y($0.1), css: "drill") }
        let finding = "\(verifications.count) restore verification\(verifications.count == 1 ? "" : "s") and "
            + "\(drills.count) drill\(drills.count == 1 ? "" : "s"), highest \(ReportText.duration(highest))"
        return SVG.chart(title: title, label: "\(title) in the window against the target \(targetText): \(finding).",
                         height: SVGChart.height, parts)
    }

    /// Indexes of the points over `target` where the age stops growing: before a new recovery point
    /// arrives, or at the end of the window.
    private static func peaks(_ points: [(Double, Double)], over target: Double) -> [Int] {
        points.indices.filter { index in
            points[index].1 > target && (index == points.count - 1 || points[index + 1].1 < points[index].1)
        }
    }

    /// (seconds since 1970, RTO) of the records that measured one.
    private static func timed(_ records: [ComplianceReport.RecordEvidence]) -> [(Double, Double)] {
        records.compactMap { record in
            guard let rto = record.rtoSeconds, rto.isFinite, let time = Timestamp.parse(record.at) else { return nil }
            return (time.timeIntervalSince1970, rto)
        }
    }

    static func noData(title: String, message: String, height: Double = 120) -> String {
        SVG.chart(title: title, label: "\(title): \(message)", height: height, SVG.noData(message, height: height))
    }
}
