import Foundation

/// ListObjectsV2, following continuation tokens.
extension S3Client {
    /// Every object under `prefix` (and, with a `delimiter`, the common prefixes that roll up deeper
    /// keys), in S3's key order. Holds the whole listing in memory; `forEachListPage` does not.
    public func list(
        prefix: String, delimiter: String? = nil, pageSize: Int = 1000
    ) throws -> (objects: [(key: String, size: Int64, lastModified: Date?)], commonPrefixes: [String]) {
        var objects = [(key: String, size: Int64, lastModified: Date?)]()
        var prefixes = [String]()
        try forEachListPage(prefix: prefix, delimiter: delimiter, pageSize: pageSize) { page, pagePrefixes in
            objects.append(contentsOf: page)
            prefixes.append(contentsOf: pagePrefixes)
        }
        return (objects, prefixes)
    }

    /// Lists `prefix` one page (up to `pageSize` entries, at most 1000) at a time.
    public func forEachListPage(
        prefix: String, delimiter: String? = nil, pageSize: Int = 1000,
        _ body: (_ objects: [(key: String, size: Int64, lastModified: Date?)], _ commonPrefixes: [String]) throws -> Void
    ) throws {
        let operation = "ListObjectsV2 \(url(of: prefix))"
        var token: String?
        repeat {
            // Keys come back URL-encoded so that any byte survives the XML.
            var query: [(name: String, value: String)] = [
                ("list-type", "2"), ("encoding-type", "url"), ("max-keys", String(max(1, min(pageSize, 1000)))),
            ]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let delimiter { query.append(("delimiter", delimiter)) }
            if let token { query.append(("continuation-token", token)) }
            let response = try send(S3Request(method: "GET", key: nil, query: query, operation: operation))
            let result = try document(response, root: "ListBucketResult", operation: operation)
            let decode = listingDecoder(result)

            var objects = [(key: String, size: Int64, lastModified: Date?)]()
            for entry in result.all("Contents") {
                guard let key = entry.string("Key"), let size = entry.string("Size").flatMap({ Int64($0) }) else {
                    throw malformed(operation, "an entry without Key or Size")
                }
                objects.append((decode(key), size, entry.string("LastModified").flatMap(S3Timestamp.parse)))
            }
            let prefixes = result.all("CommonPrefixes").compactMap { $0.string("Prefix") }.map(decode)
            try body(objects, prefixes)

            token = nil
            if result.string("IsTruncated") == "true" {
                guard let next = result.string("NextContinuationToken"), !next.isEmpty else {
                    throw malformed(operation, "a truncated page without NextContinuationToken")
                }
                token = next
            }
        } while token != nil
    }

    /// Parses an XML answer and checks its root element (any of `root` and `alternatives`).
    func document(_ response: S3HTTPResponse, root: String, alternatives: [String] = [], operation: String) throws -> S3XMLElement {
        guard let document = S3XMLElement.parse(response.body), document.name == root || alternatives.contains(document.name) else {
            throw malformed(operation, "no <\(root)> document")
        }
        return document
    }

    /// Decodes listing fields only when the server says it encoded them (moto and some S3 clones ignore
    /// `encoding-type` for some listings).
    func listingDecoder(_ result: S3XMLElement) -> (String) -> String {
        let encoded = result.string("EncodingType") == "url"
        return { text in encoded ? S3URIEncoding.decodeListingComponent(text) : text }
    }

    func malformed(_ operation: String, _ what: String) -> LifeboatError {
        LifeboatError(.io, "S3 \(operation) answered with \(what): the endpoint does not behave like S3; check the endpoint URL.")
    }
}

/// S3's `LastModified` (ISO 8601, with or without fractional seconds).
enum S3Timestamp {
    static func parse(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
