/// A bucket and a key prefix, parsed from `s3://bucket/prefix`: where one repository lives.
///
/// The prefix is stored without leading or trailing slashes; `key(_:)` joins it to a repository-relative
/// key with one `/`, so `s3://b/backups` and `s3://b/backups/` name the same place.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    public let bucket: String
    /// Empty for the bucket root.
    public let prefix: String

    private static let shape = "expected s3://bucket or s3://bucket/prefix, where bucket is 3–63 lowercase letters, digits, dots and hyphens starting and ending with a letter or digit (e.g. s3://my-backups/laptop)"

    public init(parsing text: String) throws {
        guard text.hasPrefix("s3://") else {
            throw LifeboatError(.configuration, "\"\(text)\" is not an S3 URL: \(Self.shape).")
        }
        let rest = text.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        try Self.validate(bucket: bucket, in: text)
        var prefix = Substring(rest.dropFirst(bucket.count))
        while prefix.hasPrefix("/") { prefix = prefix.dropFirst() }
        while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        if !prefix.isEmpty, prefix.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            throw LifeboatError(.configuration, "\"\(text)\" has an empty, \".\" or \"..\" segment in its prefix: write the prefix as plain names separated by single slashes, e.g. s3://\(bucket)/backups/laptop.")
        }
        self.bucket = bucket
        self.prefix = String(prefix)
    }

    public init(bucket: String, prefix: String = "") throws {
        try self.init(parsing: "s3://\(bucket)/\(prefix)")
    }

    /// The full object key for a repository-relative key: `prefix/relative`, or `relative` at the root.
    public func key(_ relative: String) -> String {
        prefix.isEmpty ? relative : "\(prefix)/\(relative)"
    }

    /// `s3://bucket/prefix`.
    public var description: String {
        prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)"
    }

    /// S3's bucket naming rules (the subset that matters for addressing).
    static func validate(bucket: String, in text: String) throws {
        let bytes = Array(bucket.utf8)
        func fail(_ why: String) -> LifeboatError {
            LifeboatError(.configuration, "\"\(text)\" has an invalid bucket name \"\(bucket)\" (\(why)): \(shape).")
        }
        guard (3...63).contains(bytes.count) else { throw fail("it must be 3 to 63 characters long") }
        let allowed = bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        guard allowed else { throw fail("only lowercase letters, digits, dots and hyphens are allowed") }
        guard let first = bucket.first, let last = bucket.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            throw fail("it must start and end with a letter or digit")
        }
        guard !bucket.contains("..") else { throw fail("it must not contain two dots in a row") }
    }
}
