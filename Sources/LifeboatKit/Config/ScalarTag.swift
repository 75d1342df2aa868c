import Yams

/// The YAML tag of a scalar as Yams' default resolver gives it (`yes` is a boolean, `8080` an
/// integer, `~` null, `"8080"` a string), without its cost.
///
/// Documents are composed with `Resolver.basic`: Yams' default resolver runs up to seven regular
/// expressions for every plain scalar it hashes or is asked about, and that was about a third of the
/// time `config check` took on a large file. Here a plain scalar that starts with a letter is looked
/// up in the few words the boolean and null rules accept (no other rule can match a letter), and
/// only one that starts with a digit, sign, `.`, `~`, `<` or `=` goes through the default rules.
enum ScalarTag {
    /// The tag of `scalar`: its explicit tag when it has one (a quoted scalar's is `str`), else the
    /// tag its plain text resolves to.
    static func resolve(_ scalar: Node.Scalar) -> Tag.Name {
        let written = scalar.tag.rawValue
        guard written.isEmpty else { return written == "!" ? .str : Tag.Name(rawValue: written) }
        return resolve(plain: scalar.string)
    }

    /// What Yams' `Resolver.default` resolves plain `text` to.
    static func resolve(plain text: String) -> Tag.Name {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            if booleans.contains(text) { return .bool }
            return nulls.contains(text) ? .null : .str
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
             UInt8(ascii: "~"), UInt8(ascii: "<"), UInt8(ascii: "="):
            return Resolver.default.resolveTag(of: Node(text))
        default:
            return .str
        }
    }

    /// The words of Yams' `Resolver.Rule.bool` and `.null` that start with a letter.
    static let booleans: Set<String> = ["yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
                                        "on", "On", "ON", "off", "Off", "OFF"]
    static let nulls: Set<String> = ["null", "Null", "NULL"]
}
