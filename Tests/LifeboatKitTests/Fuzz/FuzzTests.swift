import Foundation
@testable import LifeboatKit
import Testing

extension Tag {
    /// Seeded fuzzing: about 3 s per target (`LIFEBOAT_FUZZ_SECONDS`).
    @Tag static var fuzz: Self
}

/// Every parser of data that comes from files either returns a value or throws its documented error:
/// never a crash, a hang, another error type, or a value that is unsafe to act on. See `FuzzDriver`.
@Suite("Seeded fuzzing of parsers and restore", .serialized, .tags(.fuzz))
struct FuzzTests {
    /// Runs `driver` and records one issue listing its failures.
    func expectNoFailures(_ driver: FuzzDriver, _ property: ([UInt8]) -> String?,
                          sourceLocation: SourceLocation = #_sourceLocation) {
        let report = driver.run(property)
        #expect(report.executions > 0, "\(report.summary)", sourceLocation: sourceLocation)
        let failures = report.failures.map { "\($0.problem.prefix(400)) (input saved at \($0.savedAt))" }
        #expect(report.failures.isEmpty, "\(report.summary) (replay with LIFEBOAT_FUZZ_SEED=\(report.seed)):\n\(failures.joined(separator: "\n"))",
                sourceLocation: sourceLocation)
    }

    /// Why `error` is not the documented configuration error (nil when it is): a `LifeboatError` with
    /// code `.configuration`, its message starting `file:` when `file` is given.
    static func configurationProblem(_ error: any Error, file: String?) -> String? {
        guard let error = error as? LifeboatError else { return "threw \(type(of: error)): \(error)" }
        guard error.code == .configuration else { return "threw a \(error.code) error: \(error.message)" }
        if let file, !error.message.hasPrefix(file + ":") { return "the message does not start with \(file): \(error.message)" }
        return nil
    }

    /// Independently of `TreePath.isConfined`: whether joining `bytes` under a folder stays strictly
    /// below it (relative, no NUL, `..` never climbing above the folder, not the folder itself).
    static func staysInside(_ bytes: [UInt8]) -> Bool {
        guard !bytes.contains(0), bytes.first != UInt8(ascii: "/") else { return false }
        var depth = 0
        for component in bytes.split(separator: UInt8(ascii: "/")) {
            if component.elementsEqual("..".utf8) {
                depth -= 1
                if depth < 0 { return false }
            } else if !component.elementsEqual(".".utf8) {
                depth += 1
            }
        }
        return depth > 0
    }

    /// A name that stays in its folder: not empty, `.` or `..`, without `/` or NUL.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.utf8.contains(UInt8(ascii: "/")) && !name.utf8.contains(0)
    }

    /// `/`, or `/` followed by components none of which is empty, `.` or `..` (compared as bytes).
    static func isNormalisedAbsolute(_ path: String) -> Bool {
        guard path.hasPrefix("/") else { return false }
        return path == "/" || !path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).contains {
            $0.isEmpty || $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8)
        }
    }

    // MARK: manifest lines

    @Test("manifest lines parse to an entry or a ManifestFormatError; confined paths stay inside; entries round-trip")
    func manifestLines() throws {
        let keys = ["path", "path_b64", "type", "mode", "uid", "gid", "user", "group", "mtime", "ctime", "ino", "dev", "size",
                    "sha256", "target", "target_b64", "link", "link_b64", "ref", "archive", "sparse", "inconsistent", "xattrs"]
        let driver = FuzzDriver(target: "manifest-line", corpus: try FuzzCorpus.inputs("manifest-line"),
                                dictionary: keys.map { "\"\($0)\":" } + ["\"file\"", "\"dir\"", "\"symlink\"", "\"hardlink\"", "\"0777\"", "\"../\""])
        expectNoFailures(driver) { line in
            let entry: ManifestEntry
            do {
                entry = try ManifestEntry(jsonLine: line)
            } catch is ManifestFormatError {
                return nil
            } catch {
                return "threw \(type(of: error)): \(error)"
            }
            for path in [entry.path] + (entry.hardlinkTarget.map { [$0] } ?? []) where path.isConfined && !Self.staysInside(path.bytes) {
                return "TreePath.isConfined accepts \(FuzzDriver.preview(path.bytes)), which leaves the target"
            }
            let written = entry.jsonLine()
            guard !written.contains(UInt8(ascii: "\n")) else { return "the re-encoded line holds a newline" }
            guard let again = try? ManifestEntry(jsonLine: written) else { return "the re-encoded line does not parse: \(FuzzDriver.preview(written))" }
            return again == entry ? nil : "the entry changed in a round trip: \(FuzzDriver.preview(written))"
        }
    }

    // MARK: backup.json

    @Test("backup.json read by the repository gives a safe record or a LifeboatError; records round-trip")
    func backupRecords() throws {
        let folder = "\(NSTemporaryDirectory())lifeboat-fuzz-records-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = try Repository.create(at: folder, compressionLevel: 3)
        let ids = ["20261125T074100.219Z-0ecb", "20261125T074101.358Z-b774"]
        for id in ids { try FileManager.default.createDirectory(atPath: repository.backupPath(service: "app", id: id), withIntermediateDirectories: true) }
        let keys = ["format", "version", "id", "service", "kind", "parent", "tier", "host", "started", "finished", "sources", "status",
                    "compression", "stats", "objects", "name", "size", "sha256", "warnings", "references"]
        let driver = FuzzDriver(target: "backup-record", corpus: try FuzzCorpus.inputs("backup-record"),
                                dictionary: keys.map { "\"\($0)\":" } + ["\"../../..\"", "\"manifest.json.zst\"", "\"incremental\"", "[]", "{}"])
        expectNoFailures(driver) { input in
            // The folder named by the id the input mentions, so that mutations elsewhere get past the id check.
            let id = ids.last { id in input.firstRange(of: Array(id.utf8)) != nil } ?? ids[0]
            let path = "\(repository.backupPath(service: "app", id: id))/backup.json"
            guard FileManager.default.createFile(atPath: path, contents: Data(input)) else { return "cannot write \(path)" }
            let record: BackupRecord
            do {
                record = try repository.record(service: "app", id: id)
            } catch is LifeboatError {
                return nil
            } catch {
                return "threw \(type(of: error)): \(error)"
            }
            let names = record.objects.map(\.name) + (record.parent.map { [$0] } ?? [])
                + (record.references ?? []).flatMap { $0.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init) }
            if let unsafe = names.first(where: { !Self.isPlainName($0) }) {
                return "the record names \(FuzzDriver.preview(Array(unsafe.utf8))), which leaves the backup folder"
            }
            guard let bytes = try? jsonBytes(record), FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                return "the record cannot be written back"
            }
            guard let again = try? repository.record(service: "app", id: id) else { return "the re-encoded record does not read back" }
            return again == record ? nil : "the record changed in a round trip"
        }
    }

    // MARK: YAML

    /// Where fuzzed configurations claim to live; messages must start with it.
    static let configFile = "/etc/lifeboat/lifeboat.yaml"

    static let yamlWords = ["repository:", "catalog:", "compression:", "tiers:", "services:", "source:", "type:", "files", "sqlite",
                            "postgres", "command", "paths:", "exclude:", "checks:", "sql:", "expect:", "run:", "timeout:", "keep:",
                            "tier:", "rto:", "rpo:", "full:", "incremental:", "verify:", "drill:", "timezone:", "name:", "steps:",
                            "id:", "needs:", "restore:", "wait:", "approval:", "vars:", "{{target}}", "{{files.path}}", "inject:",
                            "delete:", "corrupt:", "stop:", "signal:", "plan:", "cadence:", "success:", "max_duration:", "30s", "1h",
                            "*/5 * * * *", "\n  ", "\n    - ", "\t", "&x ", "*x", "!!str ", "!!int ", "? ", "'", "\""]

    @Test("lifeboat.yaml parses to a configuration with normalised absolute paths, or a located configuration error")
    func configurations() throws {
        let driver = FuzzDriver(target: "config", corpus: try FuzzCorpus.inputs("config"), dictionary: Self.yamlWords)
        expectNoFailures(driver) { input in
            let config: LifeboatConfig
            do {
                config = try LifeboatConfig.parse(yaml: String(decoding: input, as: UTF8.self), path: Self.configFile)
            } catch {
                return Self.configurationProblem(error, file: Self.configFile)
            }
            var paths = [config.repository, config.catalog]
            for service in config.services {
                if case .files(let sources, _) = service.source { paths += sources } else { paths.append(ServicePaths.path(of: service.source)) }
            }
            if let path = paths.first(where: { !Self.isNormalisedAbsolute($0) }) {
                return "the configuration holds a path that is not normalised and absolute: \(FuzzDriver.preview(Array(path.utf8)))"
            }
            return nil
        }
    }

    /// Services for the shipped plans and drills: `files`, `pg` (postgres), `appdb` (sqlite), `app`.
    static func planConfiguration() throws -> LifeboatConfig {
        try LifeboatConfig.parse(yaml: """
            services:
              files: { source: { type: files, paths: [/srv/files] } }
              pg: { source: { type: postgres, dsn: "dbname=orders", data_directory: /var/lib/pg/data } }
              appdb: { source: { type: sqlite, path: /srv/app/app.db } }
              app: { tier: tier-2-important, source: { type: files, paths: [/srv/app] } }
            """, path: configFile)
    }

    @Test("plans parse to a plan or a located configuration error")
    func plans() throws {
        let config = try Self.planConfiguration()
        let file = "\(FuzzCorpus.packageRoot)/Plans/fuzzed.yaml"
        let driver = FuzzDriver(target: "plan", corpus: try FuzzCorpus.inputs("plan"), dictionary: Self.yamlWords)
        expectNoFailures(driver) { input in
            do {
                _ = try Plan.parse(yaml: String(decoding: input, as: UTF8.self), file: file, config: config)
                return nil
            } catch {
                return Self.configurationProblem(error, file: file)
            }
        }
    }

    @Test("drills parse to a drill whose injections stay inside its target, or a configuration error")
    func drills() throws {
        let config = try Self.planConfiguration()
        // In the shipped Drills folder, so that `plan: ../Plans/…` loads the shipped plans.
        let file = "\(FuzzCorpus.packageRoot)/Drills/fuzzed.yaml"
        let driver = FuzzDriver(target: "drill", corpus: try FuzzCorpus.inputs("drill"), dictionary: Self.yamlWords)
        expectNoFailures(driver) { input in
            let drill: Drill
            do {
                drill = try Drill.parse(yaml: String(decoding: input, as: UTF8.self), file: file, config: config)
            } catch {
                // A plan's own errors name the plan file.
                return Self.configurationProblem(error, file: nil)
            }
            for injection in drill.inject {
                let path: String
                switch injection {
                case .delete(let p), .corrupt(let p, _), .stop(let p, _): path = p
                case .command: continue
                }
                let components = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
                if path.isEmpty || components.contains(where: { $0.isEmpty || $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8) }) {
                    return "an injection path leaves the drill target or is not normalised: \(FuzzDriver.preview(Array(path.utf8)))"
                }
            }
            return nil
        }
    }

    // MARK: cron

    @Test("cron expressions parse or throw a configuration error; parsed ones round-trip and find their times")
    func cronExpressions() throws {
        let utc = TimeZone(identifier: "UTC")!
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let start = Date(timeIntervalSince1970: 1_774_746_000)  // 2026-03-29T01:00:00Z, a daylight-saving change in Berlin
        let words = ["*", "*/", "-", ",", "/", " ", "@", "jan", "dec", "sun", "sat", "mon-fri", "hourly", "daily", "weekly",
                     "monthly", "quarterly", "yearly", "@reboot", "L", "W", "#", "?", "60", "24", "32", "13", "7", "8"]
        let driver = FuzzDriver(target: "cron", corpus: try FuzzCorpus.inputs("cron"), dictionary: words)
        expectNoFailures(driver) { input in
            let text = String(decoding: input, as: UTF8.self)
            let expression: CronExpression
            do {
                expression = try CronExpression(parsing: text)
            } catch {
                return Self.configurationProblem(error, file: nil)
            }
            guard let again = try? CronExpression(parsing: expression.description), again == expression,
                  again.description == expression.description else {
                return "\(expression.description) does not parse back to the same expression"
            }
            _ = expression.next(after: start, in: berlin)
            guard let next = expression.next(after: start, in: utc) else { return nil }
            guard next > start else { return "next(after:) went back in time: \(next)" }
            guard expression.previous(atOrBefore: next, in: utc) == next else {
                return "previous(atOrBefore: \(next)) is not \(next), which next(after:) returned"
            }
            return nil
        }
    }
}
