import Foundation

/// The frame shared by the report's time charts: a plot area in a 720 × 260 SVG, with time (UTC)
/// across the report's window and a duration up the side, ticks labelled as people read them.
struct SVGChart {
    static let width = 720.0
    static let height = 260.0
    private static let left = 70.0, right = 84.0, top = 40.0, bottom = 44.0

    /// Seconds since 1970 at the left and right edges.
    let start: Double
    let end: Double
    /// The duration at the top edge, rounded up to a whole tick step.
    let yMax: Double
    let yStep: Double

    /// A frame for `start...end` tall enough for `highest` (and a little headroom); `nil` when the
    /// window's times cannot be read or are empty.
    init?(windowStart: String, at: String, highest: Double) {
        guard let start = Timestamp.parse(windowStart), let end = Timestamp.parse(at), end > start else { return nil }
        self.start = start.timeIntervalSince1970
        self.end = end.timeIntervalSince1970
        let top = max(highest * 1.1, 1)
        yStep = Self.steps.first { top / $0 <= 5 } ?? (top / 5).rounded(.up)
        yMax = (top / yStep).rounded(.up) * yStep
    }

    /// Tick steps that read as whole durations: 1s … 30d.
    private static let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800,
                                          21_600, 43_200, 86_400, 172_800, 604_800, 1_209_600, 2_592_000]

    /// Pixel column of a time given as seconds since 1970 (clamped into the window).
    func x(_ time: Double) -> Double {
        let share = (min(max(time, start), end) - start) / (end - start)
        return Self.left + share * (Self.width - Self.left - Self.right)
    }

    /// Pixel column of an ISO 8601 time; `nil` when it cannot be read.
    func x(_ time: String) -> Double? { Timestamp.parse(time).map { x($0.timeIntervalSince1970) } }

    func y(_ seconds: Double) -> Double {
        Self.top + (1 - min(max(seconds, 0), yMax) / yMax) * (Self.height - Self.top - Self.bottom)
    }

    /// Grid, axes, tick labels and axis titles.
    func axes(yTitle: String) -> [String] {
        let plotLeft = Self.left, plotRight = Self.width - Self.right, plotBottom = Self.height - Self.bottom
        var parts: [String] = []
        for tick in stride(from: 0, through: yMax, by: yStep) {
            parts.append(SVG.line(plotLeft, y(tick), plotRight, y(tick), css: "grid"))
            parts.append(SVG.text(ReportText.duration(tick), x: plotLeft - 6, y: y(tick) + 4, anchor: "end"))
        }
        for index in 0...4 {
            let time = start + Double(index) / 4 * (end - start)
            parts.append(SVG.line(x(time), plotBottom, x(time), plotBottom + 5, css: "axis"))
            let anchor = index == 0 ? "start" : index == 4 ? "end" : "middle"
            parts.append(SVG.text(Self.tickLabel(time), x: x(time), y: plotBottom + 18, anchor: anchor))
        }
        parts.append(SVG.line(plotLeft, Self.top, plotLeft, plotBottom, css: "axis"))
        parts.append(SVG.line(plotLeft, plotBottom, plotRight, plotBottom, css: "axis"))
        parts.append(SVG.text("time (UTC)", x: (plotLeft + plotRight) / 2, y: Self.height - 6, anchor: "middle"))
        parts.append("<text transform=\"translate(14 \(SVG.n((Self.top + plotBottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTMLText.escape(yTitle))</text>")
        return parts
    }

    /// A dashed horizontal target line, labelled (`RPO 5m`) in the right margin where no data is drawn.
    func targetLine(_ seconds: Double, label: String) -> [String] {
        let right = Self.width - Self.right
        return [SVG.line(Self.left, y(seconds), right, y(seconds), css: "target"),
                SVG.text(label, x: right + 10, y: y(seconds) + 4, css: "strong")]
    }

    /// `11-24 03:00`: month, day and time, enough to place a point in a window of days or weeks.
    private static func tickLabel(_ seconds: Double) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.month, .day, .hour, .minute], from: Date(timeIntervalSince1970: seconds))
        return String(format: "%02d-%02d %02d:%02d", parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    /// The legend row above the plot: each item a marker drawn by `marker(x, y)` and its text.
    static func legend(_ items: [(marker: (Double, Double) -> String, text: String)]) -> [String] {
        var x = left
        return items.flatMap { item -> [String] in
            defer { x += 34 + Double(item.text.count) * 6.6 }
            return [item.marker(x + 10, 18), SVG.text(item.text, x: x + 26, y: 22)]
        }
    }
}
