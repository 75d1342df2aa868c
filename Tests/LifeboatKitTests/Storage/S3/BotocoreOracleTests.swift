import Foundation
import LifeboatTestSupport
@testable import LifeboatKit
import Testing

/// SigV4 with awkward keys and queries, checked against botocore (the AWS CLI's signer) as an
/// independent oracle. AWS's published examples use tame keys, and moto's own signature check
/// mis-canonicalizes keys with `+ = & ; ,` or non-ASCII characters (it rejects the AWS CLI's
/// requests for those keys too), so this is where such keys are proven.
@Suite("SigV4 against botocore")
struct BotocoreOracleTests {
    struct Case: Codable {
        var method: String
        var path: String
        var query: [[String]]
        var headers: [String: String]
        var payload: String
    }

    struct Answer: Codable {
        var encodedPath: String
        var authorization: String
    }

    /// Python that encodes the path and query the way botocore's S3 serializer does, then signs with
    /// botocore's S3SigV4Auth at a fixed time.
    static let script = #"""
    import json, sys
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.utils import percent_encode, percent_encode_sequence
    answers = []
    for case in json.load(sys.stdin):
        path = percent_encode(case["path"], safe="/~")
        query = percent_encode_sequence([tuple(pair) for pair in case["query"]])
        url = "http://" + case["headers"]["host"] + path + ("?" + query if query else "")
        headers = dict(case["headers"])
        headers["x-amz-date"] = "20240102T030405Z"
        headers["x-amz-content-sha256"] = case["payload"]
        request = AWSRequest(method=case["method"], url=url, headers=headers)
        request.context["timestamp"] = "20240102T030405Z"
        auth = S3SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "s3", "eu-central-1")
        canonical = auth.canonical_request(request)
        signature = auth.signature(auth.string_to_sign(request, canonical), request)
        answers.append({"encodedPath": path, "authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/eu-central-1/s3/aws4_request, SignedHeaders=" + auth.signed_headers(auth.headers_to_sign(request)) + ", Signature=" + signature})
    print(json.dumps(answers))
    """#

    @Test("awkward keys, list queries and multipart queries sign exactly as botocore signs them")
    func matchesBotocore() throws {
        guard let python = MotoServer.which("python3") else {
            Issue.record("python3 is not on PATH: install Python 3 with pip install awscli (botocore is the oracle here).")
            return
        }
        let empty = SigV4Signer.emptyPayloadSHA256
        let body = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
        let cases = [
            Case(method: "PUT", path: "/bucket/a b+c=d&e", query: [], headers: ["host": "127.0.0.1:9000"], payload: body),
            Case(method: "GET", path: "/bucket/é✓~/x;y,z/'q'\"!*()$@:", query: [], headers: ["host": "127.0.0.1:9000", "range": "bytes=0-9"], payload: empty),
            Case(method: "GET", path: "/bucket", query: [["list-type", "2"], ["encoding-type", "url"], ["prefix", "repo/a b+/"], ["delimiter", "/"], ["continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="]], headers: ["host": "s3.local"], payload: empty),
            Case(method: "PUT", path: "/bucket/k", query: [["uploadId", "VXBsb2FkIElE+/="], ["partNumber", "10"]], headers: ["host": "s3.local"], payload: body),
            Case(method: "POST", path: "/bucket/k", query: [["uploads", ""]], headers: ["host": "s3.local", "x-amz-meta-purpose": "  two  spaces  "], payload: empty),
        ]
        let input = try JSONEncoder().encode(cases)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", Self.script]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "botocore oracle failed (pip install awscli provides botocore): \(errors)")
        let answers = try JSONDecoder().decode([Answer].self, from: output)
        try #require(answers.count == cases.count)

        let signer = SigV4Signer(
            credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "eu-central-1"
        )
        let date = Date(timeIntervalSince1970: 1_704_164_645)  // 20240102T030405Z
        for (item, answer) in zip(cases, answers) {
            let signed = signer.sign(
                method: item.method, path: item.path, query: item.query.map { ($0[0], $0[1]) },
                headers: item.headers, payloadSHA256: item.payload, date: date
            )
            #expect(S3URIEncoding.encodePath(item.path) == answer.encodedPath)
            #expect(signed.authorization == answer.authorization, "\(item.method) \(item.path)")
        }
    }
}
