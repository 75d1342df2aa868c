import Foundation
import LifeboatNative
import LifeboatTestSupport
@testable import LifeboatKit
import Testing

/// AWS's published S3 examples ("Signature Calculations for the Authorization Header: Transferring
/// Payload in a Single Chunk"): same keys, bucket and time, so the signatures must match to the byte.
@Suite("SigV4 signing")
struct SigV4SignerTests {
    let signer = SigV4Signer(
        credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1"
    )
    /// 20130524T000000Z
    let date = Date(timeIntervalSince1970: 1_369_353_600)
    let host = "examplebucket.s3.amazonaws.com"

    @Test("GET Object with a Range header")
    func getObject() {
        let signed = signer.sign(
            method: "GET", path: "/test.txt", query: [],
            headers: ["Host": host, "Range": "bytes=0-9"],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: date
        )
        #expect(signed.canonicalRequest == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signed.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.headers["authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.headers["x-amz-date"] == "20130524T000000Z")
    }

    @Test("PUT Object: a $ in the key is encoded, the payload hash is the body's")
    func putObject() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let payload = SHA256Hasher.digest(body).hex
        #expect(payload == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let signed = signer.sign(
            method: "PUT", path: "/test$file.text", query: [],
            headers: ["Host": host, "Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"],
            payloadSHA256: payload, date: date
        )
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[1] == "/test%24file.text")
        #expect(signed.signedHeaders == "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class")
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test("GET Bucket lifecycle: a bare query name signs as name=")
    func getLifecycle() {
        let signed = signer.sign(
            method: "GET", path: "/", query: [("lifecycle", "")], headers: ["Host": host],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: date
        )
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "lifecycle=")
        #expect(signed.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test("GET Bucket (list objects): query sorted by name")
    func listObjects() {
        let signed = signer.sign(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: ["Host": host],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: date
        )
        #expect(signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "max-keys=2&prefix=J")
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test("a session token is signed as x-amz-security-token but never printed")
    func sessionToken() {
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "SECRET-VALUE", sessionToken: "TOKEN-VALUE"),
            region: "eu-west-1"
        )
        let signed = signer.sign(
            method: "GET", path: "/k", query: [], headers: ["host": "h"],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: date
        )
        #expect(signed.headers["x-amz-security-token"] == "TOKEN-VALUE")
        #expect(signed.signedHeaders == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
        for text in [String(describing: signed), String(reflecting: signed), String(describing: signer), dumped(signed), dumped(signer)] {
            #expect(!text.contains("TOKEN-VALUE"))
            #expect(!text.contains("SECRET-VALUE"))
        }
    }

    @Test("URI encoding keeps unreserved characters and slashes in paths, encodes the rest as UTF-8")
    func uriEncoding() {
        #expect(S3URIEncoding.encodePath("/a b/c+d/é~_-.x") == "/a%20b/c%2Bd/%C3%A9~_-.x")
        #expect(S3URIEncoding.encodeQueryComponent("a/b=c&d") == "a%2Fb%3Dc%26d")
        #expect(S3URIEncoding.encodeQueryComponent("AZaz09-._~") == "AZaz09-._~")
    }
}

/// What `dump` prints for a value: the mirror, which must be redacted too.
func dumped(_ value: some Any) -> String {
    var text = ""
    dump(value, to: &text)
    return text
}
