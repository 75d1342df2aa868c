import Foundation

/// Decoding the repository's JSON files (`backup.json`, `lifeboat-repository.json`, `keys/*.json`,
/// `records/`) and the catalog's JSON columns, with errors that say in plain words what is wrong
/// where, never Swift's `DecodingError` text: `…/backup.json is damaged: it is not valid JSON
/// (line 3, column 14)`, `… field "objects[2].size" is missing`.
enum JSONFile {
    /// `T` decoded from `bytes`, read from `path` (as shown to the user).
    ///
    /// - Throws: `LifeboatError` (`.corrupt`) whose message is `"<path> is damaged: <problem>"`
    ///   followed by `; <advice>` when advice is given; the decoder's error is its `cause`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], path: String, advice: String? = nil) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw damaged(path, problem(error, in: bytes), advice: advice, cause: error)
        }
    }

    /// The error for a damaged file: `"<path> is damaged: <problem>[; <advice>]"`.
    static func damaged(_ path: String, _ problem: String, advice: String? = nil, cause: (any Error)? = nil) -> LifeboatError {
        LifeboatError(.corrupt, "\(path) is damaged: \(problem)\(advice.map { "; \($0)" } ?? "")", cause: cause)
    }

    /// What a decoding error means, in plain words: the field (by its path in the file) and what is
    /// wrong with it, or where the text stops being JSON.
    static func problem(_ error: any Error, in bytes: [UInt8]) -> String {
        guard let error = error as? DecodingError else { return "it cannot be read (\(error))" }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return syntaxProblem(in: bytes)
        case .dataCorrupted(let context):
            return "field \"\(field(context.codingPath))\" has an invalid value (\(context.debugDescription))"
        case .keyNotFound(let key, let context):
            return "field \"\(field(context.codingPath + [key]))\" is missing"
        case .typeMismatch(let type, let context):
            return "field \"\(field(context.codingPath))\" should be \(kind(of: type)), but is \(found(in: context.debugDescription))"
        case .valueNotFound(let type, let context):
            return "field \"\(field(context.codingPath))\" is null; it should be \(kind(of: type))"
        @unknown default:
            return "it cannot be read (\(error))"
        }
    }

    /// Where the text of `bytes` stops being JSON, found by `JSONSerialization` (whose errors give
    /// a byte offset, where `JSONDecoder`'s give none).
    private static func syntaxProblem(in bytes: [UInt8]) -> String {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return "it is empty" }
        if bytes.contains(0) { return "it is not JSON text (it holds NUL bytes: overwritten, or another kind of file)" }
        do {
            _ = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            return "it is not valid JSON"
        } catch {
            let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
            if text.localizedCaseInsensitiveContains("end of file") || text.localizedCaseInsensitiveContains("unexpected end") {
                return "it is not valid JSON: it ends too early (line \(line(at: bytes.count, in: bytes)); cut short?)"
            }
            guard let range = text.range(of: #"character \d+"#, options: .regularExpression),
                  let offset = Int(text[range].dropFirst("character ".count)) else { return "it is not valid JSON" }
            let (line, column) = position(of: min(offset, bytes.count), in: bytes)
            return "it is not valid JSON (line \(line), column \(column))"
        }
    }

    private static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let before = bytes.prefix(offset)
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return (line(at: offset, in: bytes), offset - lineStart + 1)
    }

    private static func line(at offset: Int, in bytes: [UInt8]) -> Int {
        bytes.prefix(offset).count { $0 == 0x0A } + 1
    }

    /// `objects[2].size` for the coding path of a value.
    private static func field(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return text.isEmpty ? "(the whole file)" : text
    }

    /// What a Swift type is in JSON terms.
    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: return "text"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt64.Type, is UInt32.Type, is UInt.Type, is Double.Type: return "a number"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") || name.hasPrefix("[") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }

    /// "a string" from `Expected to decode Int but found a string instead.`
    private static func found(in description: String) -> String {
        guard let start = description.range(of: "found "), let end = description.range(of: " instead", range: start.upperBound..<description.endIndex)
        else { return "something else" }
        return String(description[start.upperBound..<end.lowerBound])
    }
}
