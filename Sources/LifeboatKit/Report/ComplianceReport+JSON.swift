import Foundation

extension ComplianceReport {
    /// The report as JSON schema 1 (`docs/report-schema.md`): keys sorted, pretty-printed, slashes
    /// unescaped, ending with a newline.
    ///
    /// Every key is present: a figure that was not measured is written as `null`, as the schema
    /// promises, where `JSONEncoder` alone would leave the key out. Decoding accepts either.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var tree = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(self))
        tree.addNulls(for: self)
        return String(decoding: try encoder.encode(tree), as: UTF8.self) + "\n"
    }
}

/// Any JSON value, so the encoded report can be given back the keys of its `nil` figures.
private enum JSONValue: Codable {
    case null, bool(Bool), integer(Int64), number(Double), string(String)
    case array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Walks `value` (the Swift value this JSON was encoded from) beside the JSON, adding `null` for
    /// each stored property that is `nil`. Relies on the report's types using their property names
    /// as keys (synthesized `Codable`, no custom `CodingKeys`).
    mutating func addNulls(for value: Any) {
        let mirror = Mirror(reflecting: value)
        switch self {
        case .object(var fields):
            for case (let key?, let child) in mirror.children {
                if Self.isNil(child) { fields[key] = fields[key] ?? .null }
                else { fields[key]?.addNulls(for: Self.unwrapped(child)) }
            }
            self = .object(fields)
        case .array(var items):
            for (index, child) in zip(items.indices, mirror.children.map(\.value)) { items[index].addNulls(for: child) }
            self = .array(items)
        default:
            break
        }
    }

    private static func isNil(_ value: Any) -> Bool {
        let mirror = Mirror(reflecting: value)
        return mirror.displayStyle == .optional && mirror.children.isEmpty
    }

    private static func unwrapped(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        return mirror.displayStyle == .optional ? mirror.children.first?.value ?? value : value
    }
}
