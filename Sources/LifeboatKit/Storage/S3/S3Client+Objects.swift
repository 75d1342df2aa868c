import Foundation

/// Whole-object operations: PUT, GET (whole or a range), HEAD, DELETE.
extension S3Client {
    /// Stores `bytes` as `key` in one PUT (up to 5 GiB; `S3UploadStream` does multipart for more).
    /// `metadata` becomes `x-amz-meta-*` headers: names and values in printable ASCII.
    /// Returns the ETag, without quotes.
    @discardableResult
    public func put(key: String, bytes: [UInt8], metadata: [String: String] = [:]) throws -> String {
        try put(key: key, body: Data(bytes), metadata: metadata)
    }

    @discardableResult
    func put(key: String, body: Data, metadata: [String: String]) throws -> String {
        try validate(key: key)
        var headers = try metadataHeaders(metadata, key: key)
        headers["content-type"] = "application/octet-stream"
        let response = try send(S3Request(method: "PUT", key: key, headers: headers, body: body, operation: "PUT \(url(of: key))"))
        return Self.unquoted(response.headers["etag"] ?? "")
    }

    /// The whole object, or nil when the key does not exist (a missing bucket still throws).
    public func get(key: String) throws -> [UInt8]? {
        try validate(key: key)
        let response = try send(
            S3Request(method: "GET", key: key, operation: "GET \(url(of: key))"),
            tolerate: { error, _ in error.status == 404 && error.code == "NoSuchKey" }
        )
        return response.status == 404 ? nil : [UInt8](response.body)
    }

    /// Exactly the bytes of `range`; throws when the object is missing or shorter than the range.
    public func get(key: String, range: Range<Int64>) throws -> [UInt8] {
        [UInt8](try getData(key: key, range: range, ifMatch: nil))
    }

    /// A ranged GET. `ifMatch` (an ETag) makes S3 refuse with 412 if the object was replaced since.
    func getData(key: String, range: Range<Int64>, ifMatch: String?) throws -> Data {
        try validate(key: key)
        guard range.lowerBound >= 0 else {
            throw LifeboatError(.usage, "Range \(range) of \(url(of: key)) starts before 0.")
        }
        if range.isEmpty { return Data() }
        var headers = ["range": "bytes=\(range.lowerBound)-\(range.upperBound - 1)"]
        if let ifMatch { headers["if-match"] = "\"\(ifMatch)\"" }
        let operation = "GET \(url(of: key)) bytes \(range.lowerBound)..<\(range.upperBound)"
        let response = try send(S3Request(method: "GET", key: key, headers: headers, operation: operation))
        var body = response.body
        // A server may ignore Range and send the whole object with 200; take the part asked for.
        if response.status == 200 {
            let start = Int(range.lowerBound)
            body = start < body.count ? body.subdata(in: start..<min(body.count, Int(range.upperBound))) : Data()
        }
        guard body.count == range.count else {
            throw LifeboatError(.corrupt, "S3 \(operation) returned \(body.count) bytes instead of \(range.count): the object is shorter than expected (truncated or replaced); run lifeboat verify.")
        }
        return body
    }

    /// Size, ETag (without quotes) and user metadata (`x-amz-meta-` stripped, names in lowercase), or
    /// nil on 404. A HEAD answer has no body, so a missing bucket also reads as nil: call
    /// `bucketExists()` to tell the two apart.
    public func head(key: String) throws -> (size: Int64, etag: String, metadata: [String: String])? {
        try validate(key: key)
        let response = try send(
            S3Request(method: "HEAD", key: key, operation: "HEAD \(url(of: key))"),
            tolerate: { error, _ in error.status == 404 }
        )
        if response.status == 404 { return nil }
        guard let length = response.headers["content-length"].flatMap({ Int64($0) }) else {
            throw LifeboatError(.io, "S3 HEAD \(url(of: key)) answered without a Content-Length: the endpoint does not behave like S3; check the endpoint URL.")
        }
        var metadata = [String: String]()
        for (name, value) in response.headers where name.hasPrefix("x-amz-meta-") {
            metadata[String(name.dropFirst("x-amz-meta-".count))] = value
        }
        return (length, Self.unquoted(response.headers["etag"] ?? ""), metadata)
    }

    /// Deletes `key`; deleting a key that does not exist is not an error.
    public func delete(key: String) throws {
        try validate(key: key)
        _ = try send(
            S3Request(method: "DELETE", key: key, operation: "DELETE \(url(of: key))"),
            tolerate: { error, _ in error.status == 404 && error.code == "NoSuchKey" }
        )
    }

    func metadataHeaders(_ metadata: [String: String], key: String) throws -> [String: String] {
        var headers = [String: String]()
        for (name, value) in metadata {
            let printable = { (text: String) in text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } }
            guard !name.isEmpty, printable(name), !name.contains(":"), !name.contains(" "), printable(value) else {
                throw LifeboatError(.usage, "Metadata \"\(name)\" for \(url(of: key)) is not printable ASCII: S3 metadata names and values must be.")
            }
            headers["x-amz-meta-" + name.lowercased()] = value
        }
        return headers
    }

    static func unquoted(_ etag: String) -> String {
        var text = Substring(etag)
        if text.hasPrefix("\"") { text = text.dropFirst() }
        if text.hasSuffix("\"") { text = text.dropLast() }
        return String(text)
    }
}
