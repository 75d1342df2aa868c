import Foundation

/// An unfinished multipart upload, as ListMultipartUploads reports it.
public struct S3MultipartUpload: Sendable, Hashable {
    public let key: String
    public let uploadID: String
    /// ISO 8601, as S3 sends it.
    public let initiated: String
}

/// Multipart upload: create, upload parts, complete or abort, and find leftovers of a crash.
extension S3Client {
    /// Starts a multipart upload of `key` and returns its upload ID.
    public func createMultipartUpload(key: String, metadata: [String: String] = [:]) throws -> String {
        try validate(key: key)
        var headers = try metadataHeaders(metadata, key: key)
        headers["content-type"] = "application/octet-stream"
        let operation = "CreateMultipartUpload \(url(of: key))"
        let response = try send(S3Request(method: "POST", key: key, query: [("uploads", "")], headers: headers, operation: operation))
        guard let id = try document(response, root: "InitiateMultipartUploadResult", operation: operation).string("UploadId"), !id.isEmpty else {
            throw malformed(operation, "no UploadId")
        }
        return id
    }

    /// Uploads part `partNumber` (1...10000) and returns its ETag (without quotes). Every part but the
    /// last must be at least 5 MiB.
    @discardableResult
    public func uploadPart(key: String, uploadID: String, partNumber: Int, bytes: [UInt8]) throws -> String {
        try uploadPart(key: key, uploadID: uploadID, partNumber: partNumber, body: Data(bytes))
    }

    func uploadPart(key: String, uploadID: String, partNumber: Int, body: Data) throws -> String {
        try validate(key: key)
        guard (1...10_000).contains(partNumber) else {
            throw LifeboatError(.usage, "Part number \(partNumber) of \(url(of: key)) is outside S3's 1...10000.")
        }
        let operation = "UploadPart \(partNumber) of \(url(of: key))"
        let query: [(name: String, value: String)] = [("partNumber", String(partNumber)), ("uploadId", uploadID)]
        let response = try send(S3Request(
            method: "PUT", key: key, query: query, headers: ["content-type": "application/octet-stream"], body: body, operation: operation
        ))
        guard let etag = response.headers["etag"], !etag.isEmpty else { throw malformed(operation, "no ETag") }
        return Self.unquoted(etag)
    }

    /// Joins the parts into the object and returns its ETag (without quotes).
    ///
    /// S3 may report a failure inside a 200 answer here; that counts as a failure (and is retried when
    /// transient). If a retry finds the upload gone (`NoSuchUpload`), an earlier attempt most likely
    /// completed it after its answer was lost: the ETag is then empty and the caller should HEAD the
    /// object to confirm, as `S3UploadStream` does.
    @discardableResult
    public func completeMultipartUpload(key: String, uploadID: String, parts: [(partNumber: Int, etag: String)]) throws -> String {
        try validate(key: key)
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.partNumber < $1.partNumber }) {
            xml += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\"\(S3XMLElement.escape(part.etag))\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let operation = "CompleteMultipartUpload \(url(of: key)) (\(parts.count) parts)"
        let response = try send(
            S3Request(method: "POST", key: key, query: [("uploadId", uploadID)], headers: ["content-type": "application/xml"],
                      body: Data(xml.utf8), operation: operation),
            tolerate: { error, attempt in error.code == "NoSuchUpload" && attempt > 1 },
            embeddedErrors: true
        )
        if response.status == 404 { return "" }
        // moto names the root CompleteMultipartUploadResponse.
        let result = try document(response, root: "CompleteMultipartUploadResult", alternatives: ["CompleteMultipartUploadResponse"], operation: operation)
        return Self.unquoted(result.string("ETag") ?? "")
    }

    /// Abandons an upload and frees its parts; an upload already gone is not an error.
    public func abortMultipartUpload(key: String, uploadID: String) throws {
        try validate(key: key)
        _ = try send(
            S3Request(method: "DELETE", key: key, query: [("uploadId", uploadID)], operation: "AbortMultipartUpload \(url(of: key))"),
            tolerate: { error, _ in error.status == 404 && error.code == "NoSuchUpload" }
        )
    }

    /// Unfinished uploads whose key starts with `prefix`: what a crash left behind (they cost storage
    /// until aborted).
    public func listMultipartUploads(prefix: String) throws -> [S3MultipartUpload] {
        let operation = "ListMultipartUploads \(url(of: prefix))"
        var uploads = [S3MultipartUpload]()
        var markers: (key: String, uploadID: String)?
        repeat {
            var query: [(name: String, value: String)] = [("uploads", ""), ("encoding-type", "url")]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let markers { query += [("key-marker", markers.key), ("upload-id-marker", markers.uploadID)] }
            let response = try send(S3Request(method: "GET", key: nil, query: query, operation: operation))
            let result = try document(response, root: "ListMultipartUploadsResult", operation: operation)
            let decode = listingDecoder(result)
            for upload in result.all("Upload") {
                guard let key = upload.string("Key"), let id = upload.string("UploadId") else {
                    throw malformed(operation, "an upload without Key or UploadId")
                }
                uploads.append(S3MultipartUpload(key: decode(key), uploadID: id, initiated: upload.string("Initiated") ?? ""))
            }
            markers = nil
            if result.string("IsTruncated") == "true" {
                guard let key = result.string("NextKeyMarker"), let id = result.string("NextUploadIdMarker") else {
                    throw malformed(operation, "a truncated page without NextKeyMarker/NextUploadIdMarker")
                }
                markers = (decode(key), id)
            }
        } while markers != nil
        return uploads
    }
}
