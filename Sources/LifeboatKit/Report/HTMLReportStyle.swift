/// Markup helpers and the inline style sheet of the HTML report. The page carries its own style so
/// that it renders the same when mailed, archived or opened offline; it loads no font and no image.
enum HTMLText {
    /// Text safe inside elements and quoted attributes.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Escaped text whose `backticked` parts become `<code>` (commands in the no-data notice).
    static func withCode(_ text: String) -> String {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().map { index, part in
            index % 2 == 1 ? "<code>\(escape(String(part)))</code>" : escape(String(part))
        }.joined()
    }

    /// The page's style sheet: screen first, then `@media print` (no backgrounds, headings kept with
    /// what follows, tables and charts not split across pages). The status colours always come with
    /// the status word and symbol, never alone.
    static let style = """
        :root { --ok: #116329; --ok-bg: #dafbe1; --risk: #7d4e00; --risk-bg: #fff1c2; --bad: #a40e26; --bad-bg: #ffebe9;
          --line: #d0d7de; --muted: #57606a; }
        body { margin: 0; color: #1f2328; background: #fff; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
        main { max-width: 1120px; margin: 0 auto; padding: 24px; }
        h1 { font-size: 1.7em; margin: 0 0 .2em; }
        h2 { font-size: 1.3em; margin: 1.6em 0 .4em; padding-bottom: .2em; border-bottom: 1px solid var(--line); }
        h3 { font-size: 1.05em; margin: 1.2em 0 .3em; }
        h4 { font-size: .95em; margin: 1em 0 .3em; }
        .meta { color: var(--muted); margin: 0 0 1em; }
        code, .code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; font-size: .88em; }
        td.code { word-break: break-all; }
        .notice { border: 2px solid var(--risk); background: var(--risk-bg); padding: 10px 14px; border-radius: 6px; }
        .status { display: inline-block; font-weight: 700; font-size: .8em; padding: 1px 8px; border: 1px solid; border-radius: 4px; vertical-align: middle; }
        .compliant { color: var(--ok); }
        .at-risk { color: var(--risk); }
        .breached { color: var(--bad); }
        .status.compliant { background: var(--ok-bg); }
        .status.at-risk { background: var(--risk-bg); }
        .status.breached { background: var(--bad-bg); }
        .count { font-weight: 600; }
        .breaches { border-left: 4px solid var(--bad); padding-left: 12px; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; margin: .3em 0 .8em; font-size: .9em; }
        th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f6f8fa; font-weight: 600; }
        figure { margin: .6em 0 1em; }
        svg.chart { display: block; width: 100%; max-width: 720px; height: auto; }
        svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; fill: #1f2328; }
        svg .axis { stroke: #57606a; stroke-width: 1; }
        svg .grid { stroke: #d0d7de; stroke-width: 1; }
        svg .box { fill: none; stroke: #d0d7de; }
        svg .target { stroke: #1f2328; stroke-width: 1.5; stroke-dasharray: 6 4; }
        svg .age { fill: none; stroke: #1f5fa8; stroke-width: 2; }
        svg .over { fill: #c62828; stroke: #5c0a0a; }
        svg .verification { fill: #1f5fa8; stroke: #0b2e57; }
        svg .drill { fill: #e39b21; stroke: #6b4300; }
        svg .track { fill: #f6f8fa; stroke: #d0d7de; }
        svg .bar-backups { fill: #1f5fa8; }
        svg .bar-bytes { fill: #6a3d9a; }
        svg .no-data { font-size: 14px; font-weight: 600; fill: #57606a; }
        svg .strong { font-weight: 700; }
        @media print {
          body { font-size: 10.5pt; }
          main { max-width: none; padding: 0; }
          .scroll { overflow: visible; }
          th, .status, .notice { background: none !important; }
          h2, h3, h4 { page-break-after: avoid; break-after: avoid; }
          table, figure, .service-head, .tiers, .breaches { page-break-inside: avoid; break-inside: avoid; }
          tr { page-break-inside: avoid; break-inside: avoid; }
          thead { display: table-header-group; }
          svg.chart { max-width: 100%; }
        }
        """
}
