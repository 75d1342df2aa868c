import Foundation
import Glibc
import Testing

/// A real PostgreSQL cluster (Unix socket only) as a `postgres` source: backed up under writes,
/// verified by a throwaway server, restored and started by hand.
@Suite("PostgreSQL sources", .serialized)
struct PostgresTests {
    /// PostgreSQL's programs: `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`.
    static let bindir: String? = {
        let fm = FileManager.default
        let pgConfig = Process()
        pgConfig.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        pgConfig.arguments = ["pg_config", "--bindir"]
        let pipe = Pipe()
        pgConfig.standardOutput = pipe
        pgConfig.standardError = FileHandle.nullDevice
        if (try? pgConfig.run()) != nil {
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            pgConfig.waitUntilExit()
            if pgConfig.terminationStatus == 0, fm.isExecutableFile(atPath: "\(text)/initdb") { return text }
        }
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .filter { fm.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/initdb") }
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        return versions.last.map { "/usr/lib/postgresql/\($0)/bin" }
    }()

    /// A cluster made by `initdb` and started for one test, owned by `postgres` when the tests run as root.
    final class Cluster {
        let h: CLIHarness
        let bin: String
        let folder: String
        let data: String
        let socket: String
        let port: Int
        private var running = false

        var asOwner: String { geteuid() == 0 ? "runuser -u postgres -- " : "" }

        /// `socket` defaults to `folder/sock` (its path must stay under 108 bytes).
        init(_ h: CLIHarness, bin: String, folder: String, socket: String? = nil, initialize: Bool = true) throws {
            self.h = h
            self.bin = bin
            self.folder = folder
            data = "\(folder)/data"
            self.socket = socket ?? "\(folder)/sock"
            port = Int.random(in: 20000...60000)
            try FileManager.default.createDirectory(atPath: self.socket, withIntermediateDirectories: true)
            if geteuid() == 0 { try h.shell("chown postgres: '\(folder)' '\(self.socket)'") }
            if initialize {
                try h.shell("\(asOwner)'\(bin)/initdb' -D '\(data)' --auth=trust -U postgres -E UTF8 >/dev/null")
            }
        }

        /// Starts the server: socket in `sock/`, no TCP.
        func start() throws {
            // Not through the harness's pipes: the server would inherit them and keep them open.
            let output = "\(h.root)/pg_ctl-\(port).out"
            FileManager.default.createFile(atPath: output, contents: nil)
            let sink = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            defer { try? sink.close() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            // Only fds 0-2 reach the server: Foundation waits for every copy of the descriptor it hands a child.
            process.arguments = ["-c", "for fd in /proc/$$/fd/*; do fd=${fd##*/}; if [ $fd -gt 2 ]; then eval \"exec $fd>&-\" 2>/dev/null; fi; done; "
                + "\(asOwner)'\(bin)/pg_ctl' -D '\(data)' -l '\(folder)/server.log' -w -t 60 "
                + "-o \"-k '\(socket)' -p \(port) -c listen_addresses=''\" start || { tail -20 '\(folder)/server.log'; exit 1; }"]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = sink
            process.standardError = sink
            try process.run()
            process.waitUntilExit()
            running = true  // stop() also cleans up after a start that failed half way
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            try #require(process.terminationStatus == 0, "pg_ctl start on \(data) failed: \(text)")
        }

        func stop() {
            guard running else { return }
            _ = try? h.run("/bin/bash", ["-c", "\(asOwner)'\(bin)/pg_ctl' -D '\(data)' -m immediate -w stop"])
            running = false
        }

        /// `psql -At` as postgres; the output's first line.
        func query(_ sql: String) throws -> String {
            let result = try h.shell("\(asOwner)'\(bin)/psql' -X -At -h '\(socket)' -p \(port) -U postgres -d postgres -c \"\(sql)\"")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        var dsn: String { "host=\(socket) port=\(port) user=postgres dbname=postgres" }
    }

    private func requireBinaries() throws -> String {
        try #require(Self.bindir != nil, """
            PostgreSQL's programs are missing (no pg_config on PATH, no /usr/lib/postgresql/*/bin/initdb): \
            install them with Scripts/install-deps (Debian packages postgresql and postgresql-contrib)
            """)
        return Self.bindir!
    }

    @Test("a cluster written by pgbench backs up consistently; verify starts it, pg_amcheck passes, the row count holds; a restore starts")
    func backupVerifyRestore() throws {
        let bin = try requireBinaries()
        let clock = ContinuousClock.now
        let h = try CLIHarness(config: CLIHarness.config(services: """
          pg:
            tier: tier-1-critical
            source: { type: postgres, dsn: "DSN", data_directory: ./pg/data, password_env: PGPASS_TEST }
            checks:
              - { sql: "SELECT count(*) FROM pgbench_accounts", expect: 200000, name: accounts }
              - "SELECT count(*) > 0 FROM pgbench_branches"
        """))
        defer { h.remove() }
        chmod(h.root, 0o755)
        let cluster = try Cluster(h, bin: bin, folder: "\(h.root)/pg")
        defer { cluster.stop() }
        try cluster.start()
        let yaml = try String(contentsOfFile: "\(h.root)/lifeboat.yaml", encoding: .utf8).replacingOccurrences(of: "DSN", with: cluster.dsn)
        try yaml.write(toFile: "\(h.root)/lifeboat.yaml", atomically: true, encoding: .utf8)
        try h.shell("\(cluster.asOwner)'\(bin)/pgbench' -i -s 2 -q -h '\(cluster.socket)' -p \(cluster.port) -U postgres postgres 2>&1")
        try h.ok("init")

        // Back up while pgbench writes.
        let pgbench = Process()
        pgbench.executableURL = URL(fileURLWithPath: "/bin/bash")
        // pgbench -T ends on SIGALRM, which the test process's threads block (and children inherit): unblock it.
        pgbench.arguments = ["-c", "\(cluster.asOwner)python3 -c 'import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
            + "os.execv(sys.argv[1], sys.argv[1:])' '\(bin)/pgbench' -c 2 -T 4 -n -h '\(cluster.socket)' -p \(cluster.port) -U postgres postgres"]
        pgbench.standardOutput = FileHandle.nullDevice
        pgbench.standardError = FileHandle.nullDevice
        try pgbench.run()
        defer { if pgbench.isRunning { kill(pgbench.processIdentifier, SIGKILL) } }
        Thread.sleep(forTimeInterval: 1)
        let backup = try h.lifeboat("backup", "pg", environment: ["PGPASS_TEST": "not-needed-with-trust"])
        #expect(backup.status == 0, "backup: \(backup.output)")
        #expect(!backup.output.contains("not-needed-with-trust"))
        pgbench.waitUntilExit()
        #expect(pgbench.terminationStatus == 0, "pgbench failed")
        try #require(backup.status == 0)

        // Verify: a throwaway server on the restored copy, pg_amcheck, the checks.
        let verify = try h.lifeboat("verify", "pg", "--json")
        #expect(verify.status == 0, "verify: \(verify.output)")
        let history = try h.ok("verifications", "--json")
        let record = try #require(try JSONSerialization.jsonObject(with: Data((history.stdout.split(separator: "\n").first ?? "").utf8)) as? [String: Any])
        let checks = record["checks"] as? [[String: Any]] ?? []
        let summary = checks.map { "\($0["name"] ?? "?")=\($0["passed"] ?? "?"): \(String(describing: $0["output"] ?? "").prefix(300))" }
        #expect(record["outcome"] as? String == "passed", "\(summary)")
        let names = checks.compactMap { $0["name"] as? String }
        #expect(names.prefix(2) == ["server start", "pg_amcheck"] && names.contains("accounts"), "\(names)")
        #expect(checks.allSatisfy { $0["passed"] as? Bool == true }, "\(summary)")
        #expect(checks.first?["kind"] as? String == "command")
        if geteuid() == 0 {
            #expect((record["isolation"] as? String)?.hasPrefix("namespaces") == true, "\(record["isolation"] ?? "")")
        }

        // Restore, then start a server on the restored data directory by hand.
        let target = "\(h.root)/target"
        try h.ok("restore", "pg", "--target", target)
        let restoredFolder = "\(target)\(h.root)/pg"
        chmod(target, 0o755)
        let restored = try Cluster(h, bin: bin, folder: restoredFolder, socket: "\(h.root)/rsock", initialize: false)
        defer { restored.stop() }
        var status = stat()
        #expect(stat(restored.data, &status) == 0 && (geteuid() != 0 || status.st_uid == getpwnam("postgres").pointee.pw_uid),
                "the restored data directory keeps its owner")
        try restored.start()
        #expect(try restored.query("SELECT count(*) FROM pgbench_accounts") == "200000")
        print("PostgresTests.backupVerifyRestore: \(ContinuousClock.now - clock)")
    }

    @Test("a cluster that cannot be reached fails the backup with pg_basebackup's message and commits nothing")
    func unreachable() throws {
        _ = try requireBinaries()
        let h = try CLIHarness(config: CLIHarness.config(services: """
          pg:
            source: { type: postgres, dsn: "host=/nonexistent-lifeboat port=5999 user=postgres", data_directory: ./pg/data }
        """))
        defer { h.remove() }
        try h.ok("init")
        let scratch = "\(h.root)/tmp"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        chmod(h.root, 0o755)
        chmod(scratch, 0o1777)
        let failed = try h.lifeboat("backup", "pg", environment: ["TMPDIR": scratch])
        #expect(failed.status == 1 && failed.output.contains("pg_basebackup") && failed.output.contains("nothing was backed up"),
                "\(failed.output)")
        #expect(try h.backupIDs().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "the scratch copy is removed")
    }
}
