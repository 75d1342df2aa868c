import Foundation
import Testing
@testable import LifeboatKit

/// Damaged JSON files of a repository are described in plain words, with the file and the field or
/// place: never Swift's `DecodingError` text.
@Suite("JSONFile: damaged JSON in plain words")
struct JSONFileTests {
    /// A committed `backup.json` of the damaged-repository fixtures (format version 1).
    static let backupJSON: [UInt8] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LifeboatCLITests/Fixtures/damaged/missing-object/repo/services/app/20261125T074100.219Z-0ecb/backup.json")
        return (try? [UInt8](Data(contentsOf: url))) ?? []
    }()

    static let path = "/repo/services/app/20261125T074100.219Z-0ecb/backup.json"

    /// The message of decoding `text` (or the sample with `edit` applied to its JSON object) as a `BackupRecord`.
    func message(_ bytes: [UInt8]) -> String {
        let error = #expect(throws: LifeboatError.self) { try JSONFile.decode(BackupRecord.self, from: bytes, path: Self.path) }
        #expect(error?.code == .corrupt)
        let text = error?.message ?? ""
        #expect(!text.contains("DecodingError") && !text.contains("Debug description") && !text.contains("CodingKeys"), "\(text)")
        return text
    }

    func edited(_ change: (inout [String: Any]) -> Void) throws -> [UInt8] {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(Self.backupJSON)) as? [String: Any])
        change(&object)
        return [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
    }

    @Test("the committed sample decodes")
    func sample() throws {
        let record = try JSONFile.decode(BackupRecord.self, from: Self.backupJSON, path: Self.path)
        #expect(record.service == "app" && record.objects.count == 2)
    }

    @Test("text that is not JSON gives the line and column where it stops being JSON; empty and cut-short files say so")
    func syntax() {
        #expect(message(Array("{\n  \"format\" : \"lifeboat-backup\",\n  \"id\" : oops\n}\n".utf8))
                == "\(Self.path) is damaged: it is not valid JSON (line 3, column 10)")
        #expect(message([]) == "\(Self.path) is damaged: it is empty")
        #expect(message(Array(" \n".utf8)) == "\(Self.path) is damaged: it is empty")
        #expect(message(Array(Self.backupJSON.prefix(200))).hasPrefix("\(Self.path) is damaged: it is not valid JSON: it ends too early"))
        #expect(message([0, 0, 0, 0]) == "\(Self.path) is damaged: it is not JSON text (it holds NUL bytes: overwritten, or another kind of file)")
    }

    @Test("a missing field, a wrong type, a null and an invalid value name the field by its path")
    func fields() throws {
        #expect(message(try edited { $0.removeValue(forKey: "started") }) == "\(Self.path) is damaged: field \"started\" is missing")
        #expect(message(try edited { object in
            var objects = object["objects"] as! [[String: Any]]
            objects[1]["size"] = "622"
            object["objects"] = objects
        }) == "\(Self.path) is damaged: field \"objects[1].size\" should be a number, but is a string")
        #expect(message(try edited { $0["service"] = NSNull() }) == "\(Self.path) is damaged: field \"service\" is null; it should be text")
        #expect(message(try edited { $0["objects"] = "none" }).hasPrefix("\(Self.path) is damaged: field \"objects\" should be a list"))
    }

    @Test("reading one damaged backup.json (as a restore does) names the file and field and says what to run")
    func recordOfOneBackup() throws {
        let folder = "\(NSTemporaryDirectory())lifeboat-jsonfile-\(UUID().uuidString.prefix(8))"
        try FileManager.default.copyItem(atPath: FormatSampleTests.fixture, toPath: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/services/app/\(FormatSampleTests.incremental)/backup.json"
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        object.removeValue(forKey: "kind")
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        let repository = try Repository.open(at: folder)
        let error = #expect(throws: LifeboatError.self) { try repository.record(service: "app", id: FormatSampleTests.incremental) }
        #expect(error?.code == .corrupt)
        #expect(error?.message == "\(path) is damaged: field \"kind\" is missing; run `lifeboat doctor` to see what else this affects, "
            + "and restore another backup (`lifeboat backups app` lists them)", "\(error?.message ?? "")")
        // A listing keeps the short form: doctor and verify add their own advice.
        #expect(repository.listing(service: "app").damaged.map(\.message) == ["\(path) is damaged: field \"kind\" is missing"])
    }

    @Test("advice follows the problem")
    func advice() {
        let error = #expect(throws: LifeboatError.self) {
            try JSONFile.decode([String: String].self, from: Array("[".utf8), path: "x.json", advice: "run `lifeboat doctor`")
        }
        #expect(error?.message.hasPrefix("x.json is damaged: it is not valid JSON") == true && error?.message.hasSuffix("; run `lifeboat doctor`") == true,
                "\(error?.message ?? "")")
    }
}
