import Foundation
import Testing

/// Runs the built `lifeboat` binary as a user would, in a temp folder of its own.
/// The binary comes from `$LIFEBOAT_BIN` (set by `Scripts/test`) or `.build/debug/lifeboat`.
struct CLIHarness {
    /// A temp folder holding this test's config, sources, repository and restores.
    let root: String
    /// Extra variables for every process this harness runs (e.g. how to reach an S3 server).
    var environment: [String: String] = [:]

    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["LIFEBOAT_BIN"], !path.isEmpty { return path }
        return "\(repositoryRoot)/.build/debug/lifeboat"
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    /// Makes a temp folder with a `lifeboat.yaml` declaring one files service `app` over `srv/app`
    /// (plus `extraYAML` appended under `services:`).
    init(name: String = #function, config: String? = nil) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        root = "\(NSTemporaryDirectory())lifeboat-e2e-\(safe)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: "\(root)/srv/app", withIntermediateDirectories: true)
        let yaml = config ?? Self.config(services: """
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/app] }
        """)
        try yaml.write(toFile: "\(root)/lifeboat.yaml", atomically: true, encoding: .utf8)
    }

    /// A config with the test repository and catalog and the given `services:` block (indented by two).
    static func config(services: String) -> String {
        "repository: ./repo\ncatalog: ./catalog.sqlite\nservices:\n" + services
    }

    /// The source folder of service `app`.
    var source: String { "\(root)/srv/app" }

    /// Where `srv/app` lands under a restore target.
    func restored(in target: String) -> String { "\(target)\(source)" }

    /// Runs `lifeboat ARGS` with `--config` pointing at this harness's config, in `root`.
    @discardableResult
    func lifeboat(_ args: String..., environment: [String: String] = [:]) throws -> Result {
        try run(Self.binary, args + ["--config", "\(root)/lifeboat.yaml"], environment: environment)
    }

    /// Runs `lifeboat ARGS` and records an issue unless it exits 0.
    @discardableResult
    func ok(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        let result = try run(Self.binary, args + ["--config", "\(root)/lifeboat.yaml"])
        #expect(result.status == 0, "lifeboat \(args.joined(separator: " ")) exited \(result.status): \(result.output)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs any program (found on PATH when not absolute) in `root`.
    @discardableResult
    func run(_ program: String, _ args: [String], environment: [String: String] = [:], input: Data? = nil) throws -> Result {
        let process = Process()
        if program.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = args
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + args
        }
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "LIFEBOAT_CONFIG")
        for (key, value) in self.environment { env[key] = value }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let input {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            pipe.fileHandleForWriting.write(input)
            try pipe.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a shell command line in `root`; records an issue unless it exits 0.
    @discardableResult
    func shell(_ command: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        let result = try run("/bin/bash", ["-c", "set -euo pipefail; " + command])
        #expect(result.status == 0, "`\(command)` exited \(result.status): \(result.output)", sourceLocation: sourceLocation)
        return result
    }

    /// Creates the deterministic test tree in `srv/app` (the project's own generator).
    func makeTestData(sizeMB: Double = 2, seed: Int = 1) throws {
        try FileManager.default.removeItem(atPath: source)
        try shell("'\(Self.repositoryRoot)/Scripts/make-testdata' '\(source)' --size-mb \(sizeMB) --seed \(seed)")
    }

    /// Applies change set `k` to `srv/app`.
    func mutate(_ k: Int, seed: Int = 1) throws {
        try shell("'\(Self.repositoryRoot)/Scripts/make-testdata' '\(source)' --mutate \(k) --seed \(seed)")
    }

    /// The ids of committed backups, oldest first, from `lifeboat backups --json`.
    func backupIDs() throws -> [String] {
        let result = try ok("backups", "--json")
        return try result.stdout.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["id"] as? String ?? ""
        }
    }

    /// Paths of the repository folder of service `app`'s backup `id`.
    func backupFolder(_ id: String) -> String { "\(root)/repo/services/app/\(id)" }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
