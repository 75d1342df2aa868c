import Foundation

/// SVG elements as text, for charts inlined in the HTML report (no `xmlns`: HTML5 parsers place
/// `<svg>` in its namespace themselves, and the page names no outside address).
enum SVG {
    /// An accessible chart: `role="img"`, a `<title>` and an `aria-label` saying what it shows.
    static func chart(title: String, label: String, height: Double, _ parts: [String]) -> String {
        let h = n(height), w = n(SVGChart.width)
        return (["<svg class=\"chart\" role=\"img\" aria-label=\"\(HTMLText.escape(label))\" viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\">",
                 "<title>\(HTMLText.escape(title))</title>"] + parts + ["</svg>"]).joined(separator: "\n")
    }

    /// A bordered box saying why there is nothing to draw, in place of an empty plot.
    static func noData(_ message: String, height: Double) -> [String] {
        [rect(1, 1, SVGChart.width - 2, height - 2, css: "box"),
         text(message, x: SVGChart.width / 2, y: height / 2 + 5, anchor: "middle", css: "no-data")]
    }

    /// Coordinates with one decimal: enough for pixels, short to read.
    static func n(_ value: Double) -> String { String(format: "%.1f", value) }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, css: String) -> String {
        "<line class=\"\(css)\" x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\"/>"
    }

    static func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, css: String) -> String {
        "<rect class=\"\(css)\" x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(width, 0)))\" height=\"\(n(height))\"/>"
    }

    static func text(_ content: String, x: Double, y: Double, anchor: String = "start", css: String? = nil) -> String {
        let cssAttribute = css.map { " class=\"\($0)\"" } ?? ""
        return "<text\(cssAttribute) x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\">\(HTMLText.escape(content))</text>"
    }

    /// A polyline through the points, as a path.
    static func path(_ points: [(Double, Double)], css: String) -> String {
        let d = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(n($0.element.0)) \(n($0.element.1))" }.joined(separator: " ")
        return "<path class=\"\(css)\" d=\"\(d)\"/>"
    }

    // Marker shapes: each series has its own, so that none depends on colour.

    static func triangle(_ x: Double, _ y: Double, css: String) -> String {
        "<path class=\"\(css)\" d=\"M\(n(x)) \(n(y - 7)) L\(n(x + 6)) \(n(y + 4)) L\(n(x - 6)) \(n(y + 4)) Z\"/>"
    }

    static func circle(_ x: Double, _ y: Double, css: String) -> String {
        "<circle class=\"\(css)\" cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"5\"/>"
    }

    static func diamond(_ x: Double, _ y: Double, css: String) -> String {
        "<path class=\"\(css)\" d=\"M\(n(x)) \(n(y - 7)) L\(n(x + 7)) \(n(y)) L\(n(x)) \(n(y + 7)) L\(n(x - 7)) \(n(y)) Z\"/>"
    }

    /// A short sample of a line style, for legends.
    static func swatch(_ x: Double, _ y: Double, css: String) -> String {
        line(x - 10, y, x + 10, y, css: css)
    }
}
