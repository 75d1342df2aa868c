import Foundation
import Glibc
import LifeboatKit

/// Everything the CLI writes: results on stdout, errors and progress on stderr.
enum Terminal {
    /// Progress is drawn only for a person watching: stdout and stderr both terminals.
    static let isInteractive = isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((printable(text) + "\n").utf8))
    }

    /// A line for the person at the terminal when standard output carries data (export).
    static func status(_ text: String) {
        FileHandle.standardError.write(Data((printable(text) + "\n").utf8))
    }

    static func warn(_ text: String) {
        FileHandle.standardError.write(Data(("warning: " + printable(text) + "\n").utf8))
    }

    static func error(_ error: LifeboatError, verbose: Bool) {
        let text = verbose ? error.detailedDescription : error.message
        FileHandle.standardError.write(Data(("error: " + printable(text) + "\n").utf8))
    }

    /// `text` with the control characters a terminal acts on (escape sequences, carriage return,
    /// backspace, bell, C1 controls) written out as `\u{1B}`: file names from a repository reach
    /// messages, and a crafted one must not rewrite the screen. Newlines and tabs are kept.
    static func printable(_ text: String) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool {
            (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
        }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// One JSON object on one line.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        line(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    static func bytes(_ count: Int64) -> String { ByteCount.text(count) }

    static func seconds(_ value: Double) -> String {
        if value < 60 { return String(format: "%.2fs", value) }
        if value < 3600 { return String(format: "%dm%02ds", Int(value) / 60, Int(value) % 60) }
        return String(format: "%dh%02dm", Int(value) / 3600, Int(value) % 3600 / 60)
    }

    static func table(_ rows: [[String]]) {
        guard let header = rows.first else { return }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        for row in rows {
            let cells = row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            line(cells.joined(separator: "  "))
        }
    }
}

/// A one-line progress display on stderr, redrawn at most ten times a second; silent when not
/// interactive or when JSON output was asked for.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled && Terminal.isInteractive }

    /// - Parameters: done/total in bytes (total may be unknown), and a label with counts.
    func update(label: String, bytes: Int64, total: Int64?) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(bytes) / elapsed : 0
        var text = "\(label)  \(Terminal.bytes(bytes))  \(Terminal.bytes(Int64(rate)))/s"
        if let total, total > bytes, rate > 0 {
            text += String(format: "  %.0f%%  ETA %@", Double(bytes) * 100 / Double(total), Terminal.seconds(Double(total - bytes) / rate))
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        drawn = true
    }

    func clear() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }
}
