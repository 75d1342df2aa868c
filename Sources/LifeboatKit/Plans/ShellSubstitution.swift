/// Fills `{{name}}` placeholders into a shell line so that every value stays one literal word, whatever
/// it holds (`;`, `$(…)`, backquotes, quotes, newlines): each value is quoted for the place it stands
/// in — outside quotes, inside `'…'`, `"…"`, `$'…'`, `$(…)`, a here-document, a comment.
///
/// Places where no quoting keeps a value inert are refused unless the value is plain (letters, digits,
/// `_./:@%+,-`): inside backquotes (the shell reads their text twice) and in arithmetic (`$((…))`,
/// which evaluates names); a value with a newline in a here-document (it could end the document).
enum ShellSubstitution {
    private enum Frame: Equatable {
        /// Outside quotes: the line itself, or the inside of `$(…)` (with its open parentheses).
        case plain(parentheses: Int)
        case single, double, ansi, backquote
        case arithmetic(parentheses: Int)
    }

    private struct HereDocument {
        var delimiter: String
        var quoted: Bool
        var stripsTabs: Bool
    }

    private static let open: Unicode.Scalar = "\u{E000}", close: Unicode.Scalar = "\u{E001}"

    /// `line` with each placeholder for which `value` gives a string replaced by that string, quoted.
    ///
    /// - Throws: `LifeboatError` (`.usage`) when a value cannot be placed safely where it stands.
    static func fill(_ line: String, _ value: (String) -> String?) throws -> String {
        var values: [(name: String, value: String)] = []
        let marked = Placeholder.replacing(in: line) { name in
            guard let text = value(name) else { return nil }
            values.append((name, text))
            return "\(open)\(values.count - 1)\(close)"
        }
        guard !values.isEmpty else { return line }
        var lexer = Lexer(scalars: Array(marked.unicodeScalars), values: values)
        return try lexer.run()
    }

    private struct Lexer {
        let scalars: [Unicode.Scalar]
        let values: [(name: String, value: String)]
        var index = 0
        var output = String.UnicodeScalarView()
        var stack: [Frame] = [.plain(parentheses: 0)]
        var pending: [HereDocument] = []

        init(scalars: [Unicode.Scalar], values: [(name: String, value: String)]) {
            self.scalars = scalars
            self.values = values
        }

        func peek(_ offset: Int = 0) -> Unicode.Scalar? { index + offset < scalars.count ? scalars[index + offset] : nil }

        mutating func emit(_ scalar: Unicode.Scalar) { output.append(scalar) }
        mutating func emit(_ text: String) { output.append(contentsOf: text.unicodeScalars) }

        mutating func run() throws -> String {
            while let scalar = peek() {
                if scalar == open { try placeholder(); continue }
                switch stack.last! {
                case .single:
                    emit(scalar); index += 1
                    if scalar == "'" { stack.removeLast() }
                case .ansi:
                    try escapeOrEmit(scalar)
                    if scalar == "'" { stack.removeLast() }
                case .double:
                    if scalar == "\"" { stack.removeLast(); emit(scalar); index += 1 } else if !(try opening(scalar)) { try escapeOrEmit(scalar) }
                case .plain, .backquote, .arithmetic:
                    try unquoted(scalar)
                }
            }
            return String(output)
        }

        /// `\` and the character it escapes (a backslash before a placeholder is dropped: the value is
        /// literal already), or one character.
        mutating func escapeOrEmit(_ scalar: Unicode.Scalar) throws {
            index += 1
            guard scalar == "\\" else { emit(scalar); return }
            if peek() == open { return }
            emit(scalar)
            if let next = peek() { emit(next); index += 1 }
        }

        /// `$(`, `$((`, `$'` (outside double quotes) or a backquote: opens a frame.
        mutating func opening(_ scalar: Unicode.Scalar) throws -> Bool {
            if scalar == "`" {
                if stack.last == .backquote { stack.removeLast() } else { stack.append(.backquote) }
                emit(scalar); index += 1
                return true
            }
            guard scalar == "$" else { return false }
            if peek(1) == "(" && peek(2) == "(" {
                stack.append(.arithmetic(parentheses: 0)); emit("$(("); index += 3
            } else if peek(1) == "(" {
                stack.append(.plain(parentheses: 0)); emit("$("); index += 2
            } else if peek(1) == "'" && stack.last != .double {
                stack.append(.ansi); emit("$'"); index += 2
            } else {
                return false
            }
            return true
        }

        mutating func unquoted(_ scalar: Unicode.Scalar) throws {
            if try opening(scalar) { return }
            let frame = stack.last!
            switch scalar {
            case "'": stack.append(.single); emit(scalar); index += 1
            case "\"": stack.append(.double); emit(scalar); index += 1
            case "\\": try escapeOrEmit(scalar)
            case "(":
                if case .plain(let count) = frame, peek(1) == "(" {
                    stack[stack.count - 1] = .plain(parentheses: count)
                    stack.append(.arithmetic(parentheses: 0)); emit("(("); index += 2
                    return
                }
                adjust(by: 1); emit(scalar); index += 1
            case ")":
                if case .arithmetic(0) = frame, peek(1) == ")" { stack.removeLast(); emit("))"); index += 2; return }
                if case .plain(0) = frame, stack.count > 1 { stack.removeLast(); emit(scalar); index += 1; return }
                adjust(by: -1); emit(scalar); index += 1
            case "#" where startsWord && frame != .backquote:
                comment()
            case "<" where peek(1) == "<" && peek(2) != "<":
                hereDocumentOperator()
            case "\n":
                emit(scalar); index += 1
                if !pending.isEmpty { try hereDocuments() }
            default:
                emit(scalar); index += 1
            }
        }

        mutating func adjust(by step: Int) {
            switch stack.last! {
            case .plain(let open): stack[stack.count - 1] = .plain(parentheses: max(0, open + step))
            case .arithmetic(let open): stack[stack.count - 1] = .arithmetic(parentheses: max(0, open + step))
            default: break
            }
        }

        var startsWord: Bool {
            guard let previous = output.last else { return true }
            return " \t\n;&|()".unicodeScalars.contains(previous)
        }

        /// To the end of the line, which no quote continues: a value's line breaks become spaces there.
        mutating func comment() {
            while let scalar = peek(), scalar != "\n" {
                if scalar == open { let (_, value) = take(); emit(value.replacingOccurrences(of: "\n", with: " ")); continue }
                emit(scalar); index += 1
            }
        }

        /// `<<WORD`, `<<-WORD`, `<<'WORD'`, `<<"WORD"`, `<<\WORD`: the document starts after the line.
        mutating func hereDocumentOperator() {
            emit("<<"); index += 2
            var document = HereDocument(delimiter: "", quoted: false, stripsTabs: false)
            if peek() == "-" { document.stripsTabs = true; emit("-"); index += 1 }
            while let scalar = peek(), scalar == " " || scalar == "\t" { emit(scalar); index += 1 }
            while let scalar = peek(), !" \t\n;&|<>()".unicodeScalars.contains(scalar) {
                if scalar == "'" || scalar == "\"" {
                    document.quoted = true
                    emit(scalar); index += 1
                    while let inner = peek(), inner != scalar { document.delimiter.unicodeScalars.append(inner); emit(inner); index += 1 }
                    if let end = peek() { emit(end); index += 1 }
                    continue
                }
                if scalar == "\\" { document.quoted = true; emit(scalar); index += 1; continue }
                document.delimiter.unicodeScalars.append(scalar); emit(scalar); index += 1
            }
            if !document.delimiter.isEmpty { pending.append(document) }
        }

        /// The bodies of the here-documents opened on the line just ended, each up to its delimiter.
        mutating func hereDocuments() throws {
            for document in pending {
                while index < scalars.count {
                    var line = String.UnicodeScalarView()
                    while let scalar = peek(), scalar != "\n" {
                        if scalar == open {
                            let (name, value) = take()
                            if value.contains("\n") { throw refusal(name, "has a line break and stands in a here-document, which it could end") }
                            line.append(contentsOf: (document.quoted ? value : ShellQuote.insideHereDocument(value)).unicodeScalars)
                            continue
                        }
                        line.append(scalar); index += 1
                    }
                    let text = String(line)
                    emit(text)
                    if let newline = peek() { emit(newline); index += 1 }
                    let compared = document.stripsTabs ? String(text.drop { $0 == "\t" }) : text
                    if compared == document.delimiter { break }
                }
            }
            pending = []
        }

        /// Reads a placeholder mark; returns its name and value.
        mutating func take() -> (String, String) {
            index += 1
            var digits = ""
            while let scalar = peek(), scalar != close { digits.unicodeScalars.append(scalar); index += 1 }
            index += 1
            return values[Int(digits)!]
        }

        mutating func placeholder() throws {
            let (name, value) = take()
            switch stack.last! {
            case .plain: emit(ShellQuote.word(value))
            case .single: emit(ShellQuote.insideSingleQuotes(value))
            case .double: emit(ShellQuote.insideDoubleQuotes(value))
            case .ansi: emit(ShellQuote.insideANSIQuotes(value))
            case .backquote:
                guard ShellQuote.isPlain(value) else { throw refusal(name, "stands inside backquotes, where no quoting keeps it literal; write $(…) instead of `…`") }
                emit(value)
            case .arithmetic:
                guard Int(value) != nil else { throw refusal(name, "stands in arithmetic ($((…)) or ((…))), where only a whole number is safe") }
                emit(value)
            }
        }

        func refusal(_ name: String, _ why: String) -> LifeboatError {
            LifeboatError(.usage, "the value of {{\(name)}} \(why); pass a different value or move the placeholder")
        }
    }
}
