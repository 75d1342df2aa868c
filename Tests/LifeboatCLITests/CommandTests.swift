import Foundation
import Glibc
import Testing

/// Each command's documented behaviour and exit code, through the binary, one temp folder per test.
@Suite("Commands behave as documented")
struct CommandTests {
    /// A config with two files services: `app` over `srv/app` and `web` over `srv/web`.
    private static let twoServices = CLIHarness.config(services: """
      app:
        tier: tier-1-critical
        source: { type: files, paths: [./srv/app] }
      web:
        tier: tier-2-important
        source: { type: files, paths: [./srv/web] }
    """)

    /// A few small files in `folder`.
    private func smallTree(_ folder: String) throws {
        try FileManager.default.createDirectory(atPath: "\(folder)/sub", withIntermediateDirectories: true)
        try "one\n".write(toFile: "\(folder)/one.txt", atomically: false, encoding: .utf8)
        try "two\n".write(toFile: "\(folder)/sub/two.txt", atomically: false, encoding: .utf8)
    }

    /// The JSON objects printed one per line on stdout; records an issue for any line that is not one.
    private func jsonLines(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)", sourceLocation: sourceLocation)
            return object
        }
    }

    private func check(_ result: CLIHarness.Result, exits status: Int32, mentioning needles: [String], _ what: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "\(what) exited \(result.status), expected \(status): \(result.output)",
                sourceLocation: sourceLocation)
        for needle in needles {
            #expect(result.output.contains(needle), "\(what) does not mention \"\(needle)\": \(result.output)",
                    sourceLocation: sourceLocation)
        }
    }

    private func sha256(_ h: CLIHarness, _ path: String) throws -> String {
        String(try h.shell("sha256sum '\(path)'").stdout.prefix(64))
    }

    // MARK: init

    @Test("init on an existing repository fails, says so and leaves it untouched")
    func initTwice() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try smallTree(h.source)
        try h.ok("init")
        try h.ok("backup", "app")
        let listed = try h.ok("backups", "--json").stdout
        let repository = try TreeSnapshot("\(h.root)/repo")
        let catalog = try sha256(h, "\(h.root)/catalog.sqlite")

        let again = try h.lifeboat("init")
        #expect(again.status != 0, "a second init succeeded: \(again.output)")
        #expect(again.output.contains("already exists"), "the message does not say a repository exists: \(again.output)")
        #expect(again.output.contains("\(h.root)/repo"), "the message does not name the repository: \(again.output)")
        #expect(repository.differences(from: try TreeSnapshot("\(h.root)/repo")) == [])
        #expect(try sha256(h, "\(h.root)/catalog.sqlite") == catalog, "the catalog was changed")
        #expect(try h.ok("backups", "--json").stdout == listed)
    }

    // MARK: configuration and usage errors

    @Test("backup of an unknown service exits 2 and lists the known services")
    func unknownService() throws {
        let h = try CLIHarness(config: Self.twoServices)
        defer { h.remove() }
        try h.ok("init")
        let result = try h.lifeboat("backup", "nope")
        check(result, exits: 2, mentioning: ["unknown service", "nope", "app", "web"], "backup nope")
        #expect(try h.ok("backups", "--json").stdout.isEmpty)
    }

    @Test("a YAML error exits 2 and names file:line")
    func yamlError() throws {
        // Line 6 is indented one space too far.
        let h = try CLIHarness(config: CLIHarness.config(services: """
          app:
            tier: tier-1-critical
             source: { type: files, paths: [./srv/app] }
        """))
        defer { h.remove() }
        for command in [["init"], ["backup", "app"], ["backups"]] {
            let result = try h.run(CLIHarness.binary, command + ["--config", "\(h.root)/lifeboat.yaml"])
            check(result, exits: 2, mentioning: ["\(h.root)/lifeboat.yaml:6"], "lifeboat \(command.joined(separator: " "))")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(h.root)/repo"), "init created a repository from a broken config")
    }

    // MARK: backup

    @Test("backup --full then --incremental make backups of those kinds")
    func backupKinds() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try smallTree(h.source)
        try h.ok("init")
        let full = jsonLines(try h.ok("backup", "app", "--full", "--json").stdout)
        try "changed\n".write(toFile: "\(h.source)/one.txt", atomically: false, encoding: .utf8)
        let incremental = jsonLines(try h.ok("backup", "app", "--incremental", "--json").stdout)
        let fullAgain = jsonLines(try h.ok("backup", "app", "--full", "--json").stdout)
        try #require(full.count == 1 && incremental.count == 1 && fullAgain.count == 1)
        #expect(full[0]["kind"] as? String == "full")
        #expect(full[0]["parent"] == nil)
        #expect(incremental[0]["kind"] as? String == "incremental")
        #expect(incremental[0]["parent"] as? String == full[0]["id"] as? String)
        #expect((incremental[0]["filesStored"] as? NSNumber)?.intValue == 1, "only one.txt changed: \(incremental[0])")
        #expect(fullAgain[0]["kind"] as? String == "full", "--full after an incremental: \(fullAgain[0])")
        #expect(fullAgain[0]["parent"] == nil)
        let listed = jsonLines(try h.ok("backups", "--json").stdout).map { $0["kind"] as? String }
        #expect(listed == ["full", "incremental", "full"])
    }

    @Test("backup --incremental with no backup to build on exits 2")
    func incrementalWithoutParent() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try smallTree(h.source)
        try h.ok("init")
        let result = try h.lifeboat("backup", "app", "--incremental")
        check(result, exits: 2, mentioning: ["no complete backup", "full"], "backup --incremental")
        #expect(try h.ok("backups", "--json").stdout.isEmpty)
    }

    @Test("backup --json prints exactly one JSON object per backup")
    func backupJSON() throws {
        let h = try CLIHarness(config: Self.twoServices)
        defer { h.remove() }
        try smallTree(h.source)
        try smallTree("\(h.root)/srv/web")
        try h.ok("init")
        let one = try h.ok("backup", "app", "--json")
        let both = try h.ok("backup", "--all", "--json")
        let first = jsonLines(one.stdout)
        let all = jsonLines(both.stdout)
        #expect(first.count == 1, "backup app --json printed: \(one.stdout)")
        #expect(all.count == 2, "backup --all --json printed: \(both.stdout)")
        #expect(all.map { $0["service"] as? String } == ["app", "web"])
        for object in first + all {
            #expect(object["id"] is String, "no id: \(object)")
            #expect(["full", "incremental"].contains(object["kind"] as? String ?? ""), "no kind: \(object)")
            #expect((object["files"] as? NSNumber)?.intValue == 2, "files: \(object)")
            #expect(object["bytesRead"] is NSNumber, "no bytesRead: \(object)")
            #expect(((object["bytesStored"] as? NSNumber)?.int64Value ?? 0) > 0, "bytesStored: \(object)")
        }
        #expect((first.first?["bytesRead"] as? NSNumber)?.intValue == 8, "one.txt + two.txt: \(first)")
        #expect(all.first?["kind"] as? String == "incremental" && all.last?["kind"] as? String == "full")
    }

    @Test("a source path that does not exist fails with a clear error")
    func missingSourcePath() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/nothere] }
        """))
        defer { h.remove() }
        try h.ok("init")
        let result = try h.lifeboat("backup", "app")
        #expect(result.status != 0, "backup of a missing path succeeded: \(result.output)")
        #expect(result.output.contains("\(h.root)/srv/nothere") && result.output.contains("does not exist"),
                "the error does not name the missing path: \(result.output)")
        #expect(try h.ok("backups", "--json").stdout.isEmpty)
    }

    @Test("exclude patterns keep matching files out of the backup")
    func excludes() throws {
        let h = try CLIHarness(config: CLIHarness.config(services: """
          app:
            tier: tier-1-critical
            source: { type: files, paths: [./srv/app], exclude: ["*.log"] }
        """))
        defer { h.remove() }
        try h.makeTestData(sizeMB: 1)
        let logs = try h.shell("find '\(h.source)' -name '*.log' | wc -l").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((Int(logs) ?? 0) > 0, "the test tree has no .log files")
        try h.ok("init")
        try h.ok("backup", "app")
        let id = try #require(try h.backupIDs().first)
        let manifest = "\(h.backupFolder(id))/manifest.json.zst"
        let logLines = try h.shell("zstd -dc '\(manifest)' | grep -c '\\.log\"' || true").stdout
        #expect(logLines.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "the manifest lists .log paths: \(logLines)")
        let textLines = try h.shell("zstd -dc '\(manifest)' | grep -c '\\.txt\"' || true").stdout
        #expect((Int(textLines.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "nothing else is missing")
        try h.ok("restore", "app", "--target", "\(h.root)/out")
        let restoredLogs = try h.shell("find '\(h.restored(in: "\(h.root)/out"))' -name '*.log'").stdout
        #expect(restoredLogs.isEmpty, "restored .log files: \(restoredLogs)")
    }

    // MARK: locking

    @Test("backup of a locked service exits 5 and says it is locked")
    func lockedService() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try smallTree(h.source)
        try h.ok("init")
        let lock = "\(h.root)/repo/locks/app.lock"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["flock", lock, "sleep", "5"]
        holder.currentDirectoryURL = URL(fileURLWithPath: h.root)
        holder.standardInput = FileHandle.nullDevice
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer {
            if holder.isRunning { holder.terminate() }
            holder.waitUntilExit()
        }
        // Held once a non-blocking attempt fails.
        var held = false
        for _ in 0..<200 where !held {
            held = try h.run("flock", ["-n", lock, "true"]).status != 0
            if !held { usleep(25_000) }
        }
        try #require(held, "flock did not take \(lock)")

        let result = try h.lifeboat("backup", "app")
        check(result, exits: 5, mentioning: ["locked"], "backup app while locked")
        #expect(try h.ok("backups", "--json").stdout.isEmpty)

        holder.waitUntilExit()
        try h.ok("backup", "app")
    }

    // MARK: listing and catalog

    @Test("backups --json prints one object per backup, and the table has its header")
    func backupsListing() throws {
        let h = try CLIHarness(config: Self.twoServices)
        defer { h.remove() }
        try smallTree(h.source)
        try smallTree("\(h.root)/srv/web")
        try h.ok("init")
        #expect(try h.ok("backups").stdout.contains("No backups yet"))
        var made: [String] = []
        for args in [["app"], ["web"], ["app"]] {
            let printed = jsonLines(try h.run(CLIHarness.binary, ["backup"] + args + ["--json", "--config", "\(h.root)/lifeboat.yaml"]).stdout)
            made += printed.compactMap { $0["id"] as? String }
        }
        #expect(made.count == 3)

        let all = jsonLines(try h.ok("backups", "--json").stdout)
        #expect(all.count == 3, "backups --json: \(all)")
        #expect(Set(all.compactMap { $0["id"] as? String }) == Set(made))
        for record in all {
            #expect(record["service"] is String && record["kind"] is String && record["objects"] is [Any], "record: \(record)")
        }
        let app = jsonLines(try h.ok("backups", "app", "--json").stdout)
        #expect(app.count == 2 && app.allSatisfy { $0["service"] as? String == "app" }, "backups app --json: \(app)")

        let table = try h.ok("backups").stdout.split(separator: "\n").map(String.init)
        let header = table.first?.split(separator: " ").map(String.init) ?? []
        #expect(header == ["ID", "SERVICE", "KIND", "PARENT", "FINISHED", "FILES", "READ", "STORED", "STATUS"], "header: \(table.first ?? "")")
        #expect(table.count == 4, "one row per backup: \(table)")
        for id in made { #expect(table.contains { $0.hasPrefix(id) }, "no row for \(id): \(table)") }
    }

    @Test("catalog rebuild after the catalog is deleted brings back the same listing")
    func catalogRebuild() throws {
        let h = try CLIHarness(config: Self.twoServices)
        defer { h.remove() }
        try smallTree(h.source)
        try smallTree("\(h.root)/srv/web")
        try h.ok("init")
        try h.ok("backup", "--all")
        try "changed\n".write(toFile: "\(h.source)/one.txt", atomically: false, encoding: .utf8)
        try h.ok("backup", "app")
        let before = try h.ok("backups", "--json").stdout
        #expect(jsonLines(before).count == 3)

        try FileManager.default.removeItem(atPath: "\(h.root)/catalog.sqlite")
        let rebuilt = try h.ok("catalog", "rebuild")
        #expect(rebuilt.stdout.contains("3 backups"), "catalog rebuild: \(rebuilt.output)")
        #expect(FileManager.default.fileExists(atPath: "\(h.root)/catalog.sqlite"))
        #expect(try h.ok("backups", "--json").stdout == before)
    }

    // MARK: restore

    @Test("restore --backup of an id that does not exist exits 2")
    func restoreUnknownBackup() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try smallTree(h.source)
        try h.ok("init")
        try h.ok("backup", "app")
        let result = try h.lifeboat("restore", "app", "--backup", "nonexistent", "--target", "\(h.root)/out")
        check(result, exits: 2, mentioning: ["nonexistent"], "restore --backup nonexistent")
        #expect(!FileManager.default.fileExists(atPath: "\(h.root)/out"), "the target was created")
    }

    // MARK: help

    @Test("--help of each command exits 0", arguments: [
        ["--help"], ["init", "--help"], ["backup", "--help"], ["backups", "--help"], ["restore", "--help"],
        ["verify", "--help"], ["catalog", "--help"], ["catalog", "rebuild", "--help"],
    ])
    func help(_ args: [String]) throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let result = try h.run(CLIHarness.binary, args)
        #expect(result.status == 0, "lifeboat \(args.joined(separator: " ")) exited \(result.status): \(result.output)")
        #expect(result.stdout.contains("USAGE:"), "no usage text: \(result.output)")
    }

    @Test("argument errors exit 2, the documented code for usage errors", arguments: [
        ["backup", "app", "--full", "--incremental"], ["schedule", "--at", "not-a-time"], ["restore", "app"], ["no-such-command"],
    ])
    func argumentErrors(args: [String]) throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let result = try h.run(CLIHarness.binary, args + ["--config", "\(h.root)/lifeboat.yaml"])
        #expect(result.status == 2, "lifeboat \(args.joined(separator: " ")): \(result.output)")
        #expect(result.stderr.contains("Error:") || result.stderr.contains("error:"), "\(result.stderr)")
    }
}
