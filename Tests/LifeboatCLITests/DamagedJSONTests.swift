import Foundation
import Testing

/// Damaged JSON files of a repository (the description, a backup's commit record, a verification
/// record) are named with what is wrong in plain words and what to run, never Swift's
/// `DecodingError` text.
@Suite("Damaged JSON files: plain-word messages")
struct DamagedJSONTests {
    private func repository(name: String = #function) throws -> CLIHarness {
        let h = try CLIHarness(name: name)
        try h.makeTestData(sizeMB: 0.1)
        try h.ok("init")
        try h.ok("backup", "app")
        return h
    }

    private func expectPlain(_ result: CLIHarness.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.output.contains("DecodingError") && !result.output.contains("Debug description") && !result.output.contains("CodingKeys"),
                "\(result.output)", sourceLocation: sourceLocation)
    }

    @Test("a lifeboat-repository.json without its id says which field is missing and what to do")
    func description() throws {
        let h = try repository()
        defer { h.remove() }
        let path = "\(h.root)/repo/lifeboat-repository.json"
        var info = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        info.removeValue(forKey: "id")
        try JSONSerialization.data(withJSONObject: info).write(to: URL(fileURLWithPath: path))
        let result = try h.lifeboat("backups")
        #expect(result.status == 1 && result.stderr.contains("\(path) is not a readable Lifeboat repository description: field \"id\" is missing; restore it from a copy"),
                "\(result.output)")
        expectPlain(result)
    }

    @Test("a backup.json whose size is text names the field; verify --objects says what to run")
    func backupRecord() throws {
        let h = try repository()
        defer { h.remove() }
        let id = try #require(try h.backupIDs().first)
        let path = "\(h.backupFolder(id))/backup.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let changed = text.replacingOccurrences(of: #""size" : (\d+)"#, with: #""size" : "$1""#, options: .regularExpression)
        #expect(changed != text)
        try changed.write(toFile: path, atomically: false, encoding: .utf8)
        let verify = try h.lifeboat("verify", "--objects")
        #expect(verify.status == 1 && verify.stdout.contains("\(path) is damaged: field \"objects[0].size\" should be a number, but is a string"),
                "\(verify.output)")
        #expect(verify.stdout.contains("Run `lifeboat doctor`"), "\(verify.output)")
        expectPlain(verify)
    }

    @Test("catalog rebuild names a verification record that is not JSON, at its line, and exits 3")
    func verificationRecord() throws {
        let h = try repository()
        defer { h.remove() }
        try h.ok("verify", "app")
        let folder = "\(h.root)/repo/records/verifications"
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first)
        try "{\n  \"id\": \n".write(toFile: "\(folder)/\(name)", atomically: false, encoding: .utf8)
        let rebuilt = try h.lifeboat("catalog", "rebuild")
        #expect(rebuilt.status == 3 && rebuilt.stderr.contains("skipped record \(folder)/\(name) is damaged: it is not valid JSON: it ends too early"),
                "\(rebuilt.output)")
        expectPlain(rebuilt)
    }
}
