import Foundation
import Testing
import LifeboatKit

@Suite("LifeboatConfig lookup order")
struct ConfigLoadingTests {
    /// A fresh folder with `lifeboat.yaml` (repository `cwd`), `other.yaml` (`explicit`) and
    /// `env.yaml` (`env`), each naming its repository so the test can tell which was read.
    func makeFolder(withLocal: Bool = true) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeboat-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        if withLocal { try "repository: ./cwd\n".write(toFile: folder + "/lifeboat.yaml", atomically: true, encoding: .utf8) }
        try "repository: ./explicit\n".write(toFile: folder + "/sub/other.yaml", atomically: true, encoding: .utf8)
        try "repository: ./env\n".write(toFile: folder + "/sub/env.yaml", atomically: true, encoding: .utf8)
        return folder
    }

    @Test("--config wins over $LIFEBOAT_CONFIG, which wins over ./lifeboat.yaml")
    func order() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let env = ["LIFEBOAT_CONFIG": "sub/env.yaml"]

        let explicit = try LifeboatConfig.load(explicitPath: "sub/other.yaml", environment: env, currentDirectory: folder)
        #expect(explicit.filePath == folder + "/sub/other.yaml")
        #expect(explicit.repository == folder + "/sub/explicit")

        let fromEnvironment = try LifeboatConfig.load(explicitPath: nil, environment: env, currentDirectory: folder)
        #expect(fromEnvironment.repository == folder + "/sub/env")

        let local = try LifeboatConfig.load(explicitPath: nil, environment: ["LIFEBOAT_CONFIG": ""], currentDirectory: folder)
        #expect(local.filePath == folder + "/lifeboat.yaml")
        #expect(local.repository == folder + "/cwd")
    }

    @Test("a named file that is missing is an error, not a reason to look further")
    func missingNamedFile() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let explicit = #expect(throws: LifeboatError.self) {
            try LifeboatConfig.load(explicitPath: "nope.yaml", environment: [:], currentDirectory: folder)
        }
        #expect(explicit?.code == .configuration)
        #expect(explicit?.message.contains("\(folder)/nope.yaml (from --config) does not exist") == true)
        let environment = #expect(throws: LifeboatError.self) {
            try LifeboatConfig.load(explicitPath: nil, environment: ["LIFEBOAT_CONFIG": "/nonexistent/l.yaml"], currentDirectory: folder)
        }
        #expect(environment?.message.contains("/nonexistent/l.yaml (from $LIFEBOAT_CONFIG) does not exist") == true)
    }

    @Test("with no file anywhere, the error says where it looked and how to create one")
    func nothingFound() throws {
        let folder = try makeFolder(withLocal: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = #expect(throws: LifeboatError.self) {
            try LifeboatConfig.load(explicitPath: nil, environment: [:], currentDirectory: folder)
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("--config FILE (not given), $LIFEBOAT_CONFIG (not set) and \(folder)/lifeboat.yaml (no such file)") == true)
        #expect(error?.message.contains("create lifeboat.yaml in this folder, or pass --config FILE") == true)
        #expect(error?.detailedDescription.contains("source: { type: files, paths: [/srv/app] }") == true)
    }

    @Test("errors in a loaded file name it by its full path")
    func errorsNameTheFile() throws {
        let folder = try makeFolder(withLocal: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "repository: ./r\ncompression: 99\n".write(toFile: folder + "/lifeboat.yaml", atomically: true, encoding: .utf8)
        let error = #expect(throws: LifeboatError.self) {
            try LifeboatConfig.load(explicitPath: nil, environment: [:], currentDirectory: folder)
        }
        #expect(error?.message.hasPrefix("\(folder)/lifeboat.yaml:2: compression: 99 is out of range") == true, "\(error?.message ?? "")")
    }
}
