import Foundation

/// DeleteObjects: up to 1000 keys per request.
extension S3Client {
    /// Deletes `keys` in batches of up to 1000. Keys that do not exist count as deleted; any other
    /// per-key failure throws after every batch has been tried, naming the first few keys and S3's code.
    ///
    /// Real S3 requires `Content-MD5` on DeleteObjects (moto does not check it); it is always sent.
    public func deleteMany(keys: [String]) throws {
        for key in keys { try validate(key: key) }
        var failures = [(key: String, code: String, message: String)]()
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + 1000, keys.count)]
            start += batch.count
            failures += try deleteBatch(Array(batch))
        }
        guard !failures.isEmpty else { return }
        let shown = failures.prefix(5).map { "\(url(of: $0.key)) (\($0.code)\($0.message.isEmpty ? "" : ": \($0.message)"))" }
        throw LifeboatError(
            failures.contains { $0.code == "AccessDenied" } ? .configuration : .io,
            "S3 DeleteObjects could not delete \(failures.count) of \(keys.count) keys, e.g. \(shown.joined(separator: ", ")). "
                + "Check that the credentials (from \(credentialSource)) may delete in bucket \"\(bucket)\", then run the deletion again.",
            details: failures.map { "\($0.key): \($0.code) \($0.message)" }
        )
    }

    private func deleteBatch(_ keys: [String]) throws -> [(key: String, code: String, message: String)] {
        // Quiet mode: S3 reports only the failures.
        var xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
        for key in keys { xml += "<Object><Key>\(S3XMLElement.escape(key))</Key></Object>" }
        xml += "</Delete>"
        let body = Array(xml.utf8)
        let operation = "DeleteObjects in \(url(of: "")) (\(keys.count) keys)"
        let response = try send(S3Request(
            method: "POST", key: nil, query: [("delete", "")],
            headers: ["content-md5": S3Crypto.md5Base64(body), "content-type": "application/xml"],
            body: Data(body), operation: operation
        ))
        let result = try document(response, root: "DeleteResult", operation: operation)
        return result.all("Error").compactMap { error in
            guard let key = error.string("Key"), let code = error.string("Code"), code != "NoSuchKey" else { return nil }
            return (key, code, error.string("Message") ?? "")
        }
    }
}
