import Foundation
import Glibc
import Testing

/// Browsing recovery points and partial restores, through the binary, on a tree with every kind of
/// entry: a config file, a folder, a symlink, hard links, a sparse file, a log that grows between
/// backups (stored as tails) and a name with a space and a newline.
@Suite("Browse and partial restore")
struct BrowseTests {
    /// A full backup of the tree, then an incremental after a known change set; returns both ids.
    private func chain(_ h: CLIHarness) throws -> (full: String, incremental: String) {
        try h.shell("""
            cd srv/app && mkdir -p etc data/deep empty && echo 'port = 80' > etc/app.conf && echo keep > etc/other.conf
            for i in 1 2 3; do echo "row $i" > data/deep/$i.csv; done
            ln -s etc/app.conf current.conf && echo shared > a.txt && ln a.txt b.txt
            truncate -s 8M sparse.img && printf data | dd of=sparse.img bs=1 seek=4M conv=notrunc 2>/dev/null
            for i in $(seq 1 4000); do echo "log line $i of the first day"; done > app.log
            printf 'odd\\n' > "$(printf 'name with space\\nand newline')"
            echo gone > old.txt
            """)
        try h.ok("init")
        try h.ok("backup", "app")
        try h.shell("""
            cd srv/app && echo 'port = 8080' > etc/app.conf && chmod 600 etc/other.conf && rm old.txt && echo new > new.txt
            for i in $(seq 1 100); do echo "log line $i of the second day"; done >> app.log
            """)
        try h.ok("backup", "app")
        let ids = try h.backupIDs()
        return (ids[0], ids[1])
    }

    private func lines(_ result: CLIHarness.Result) -> [String] { result.stdout.split(separator: "\n").map(String.init) }

    /// `lifeboat ARGS` with an argument list built at run time.
    private func lifeboat(_ h: CLIHarness, _ args: [String]) throws -> CLIHarness.Result {
        try h.run(CLIHarness.binary, args + ["--config", "\(h.root)/lifeboat.yaml"])
    }

    @Test("restore --path brings back a file, a folder, a symlink, a hard link, a sparse file, a grown file, and nothing else")
    func partialRestore() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        _ = try chain(h)
        let src = h.source
        let cases: [(paths: [String], expected: [String])] = [
            (["\(src)/etc/app.conf"], ["etc", "etc/app.conf"]),
            (["\(src)/data"], ["data", "data/deep", "data/deep/1.csv", "data/deep/2.csv", "data/deep/3.csv"]),
            (["\(src)/current.conf"], ["current.conf"]),
            (["\(src)/a.txt", "\(src)/b.txt"], ["a.txt", "b.txt"]),
            (["\(src)/sparse.img", "\(src)/app.log"], ["app.log", "sparse.img"]),
            ([String(src.dropFirst()) + "/name with space\nand newline"], ["name with space\nand newline"]),
        ]
        for (index, item) in cases.enumerated() {
            let target = "\(h.root)/out\(index)"
            let result = try lifeboat(h, ["restore", "app", "--target", target, "--json"] + item.paths.flatMap { ["--path", $0] })
            #expect(result.status == 0, "\(item.paths): \(result.output)")
            let restored = h.restored(in: target)
            let found = try h.shell("cd '\(restored)' && find . -mindepth 1 -print0 | sort -z | tr '\\0' '|'").stdout
                .split(separator: "|").map { String($0.dropFirst(2)) }
            #expect(found == item.expected, "\(item.paths) restored \(found)")
            for path in item.expected {
                var status = stat()
                guard lstat("\(restored)/\(path)", &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
                let cmp = try h.run("/usr/bin/cmp", ["\(src)/\(path)", "\(restored)/\(path)"])
                #expect(cmp.status == 0, "\(path): \(cmp.output)")
            }
        }
        // The sparse file kept its holes, the hard link is one inode, the symlink points where it did.
        let out = h.restored(in: "\(h.root)/out4")
        #expect(try h.shell("du -k '\(out)/sparse.img' | cut -f1").stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "8192")
        var a = stat(), b = stat()
        #expect(lstat("\(h.restored(in: "\(h.root)/out3"))/a.txt", &a) == 0 && lstat("\(h.restored(in: "\(h.root)/out3"))/b.txt", &b) == 0 && a.st_ino == b.st_ino)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(h.restored(in: "\(h.root)/out2"))/current.conf") == "etc/app.conf")
        let restoredLog = try Data(contentsOf: URL(fileURLWithPath: "\(out)/app.log"))
        #expect(restoredLog == (try Data(contentsOf: URL(fileURLWithPath: "\(src)/app.log"))))
    }

    @Test("restore --path reads only the archives that hold the paths and says when a path is not in the backup")
    func partialRestoreArchivesAndErrors() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        _ = try chain(h)
        let one = try lifeboat(h, ["restore", "app", "--target", "\(h.root)/one", "--json"] + ["--path", "\(h.source)/new.txt"])
        let summary = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any]
        #expect(summary?["files"] as? Int == 1 && summary?["archivesRead"] as? Int == 1, "\(one.output)")

        let missing = try lifeboat(h, ["restore", "app", "--target", "\(h.root)/none"] + ["--path", "\(h.source)/nope.txt"])
        #expect(missing.status == 2 && missing.stderr.contains("holds nothing at") && missing.stderr.contains("lifeboat ls"), "\(missing.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(h.root)/none/\(h.source)"))
        // A hard link alone would rewrite its first name too: refused, saying which path to add.
        let link = try lifeboat(h, ["restore", "app", "--target", "\(h.root)/link", "--path", "\(h.source)/b.txt"])
        #expect(link.status == 2 && link.stderr.contains("hard link to \(h.source)/a.txt") && link.stderr.contains("--path \(h.source)/a.txt"), "\(link.output)")
        for hostile in ["\(h.source)/../../etc/passwd", "\(h.source)/./etc", ""] {
            let refused = try lifeboat(h, ["restore", "app", "--target", "\(h.root)/bad"] + ["--path", hostile])
            #expect(refused.status == 2, "\(hostile): \(refused.output)")
        }
    }

    @Test("--force --path replaces only the selected file; --exact --path removes extras only inside the selected folder")
    func partialRestoreInPlace() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let ids = try chain(h)
        try h.shell("echo broken > srv/app/etc/app.conf && echo local > srv/app/etc/local.conf && echo stray > srv/app/data/stray.csv && echo mine > srv/app/new.txt")
        #expect(try lifeboat(h, ["restore", "app", "--backup", ids.full, "--force", "--target", "/"] + ["--path", "\(h.source)/etc/app.conf"]).status == 0)
        #expect(try String(contentsOfFile: "\(h.source)/etc/app.conf", encoding: .utf8) == "port = 80\n")
        #expect(try String(contentsOfFile: "\(h.source)/new.txt", encoding: .utf8) == "mine\n", "a path not selected was touched")
        #expect(FileManager.default.fileExists(atPath: "\(h.source)/etc/local.conf"))

        #expect(try lifeboat(h, ["restore", "app", "--exact", "--target", "/"] + ["--path", "\(h.source)/data"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(h.source)/data/stray.csv"), "--exact left an extra inside the selected folder")
        #expect(FileManager.default.fileExists(atPath: "\(h.source)/etc/local.conf"), "--exact removed an extra outside the selected folder")
    }

    @Test("ls lists the top, a folder, a file, everything below with --recursive, and --long and --json give every field")
    func ls() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let ids = try chain(h)
        let top = try h.ok("ls", "app")
        #expect(lines(top) == [h.source + "/"], "\(top.output)")
        let etc = try h.ok("ls", "app", "\(h.source)/etc")
        #expect(lines(etc) == ["\(h.source)/etc/app.conf", "\(h.source)/etc/other.conf"], "\(etc.output)")
        let old = try h.ok("ls", "app", "--backup", ids.full, "\(h.source)/old.txt")
        #expect(lines(old) == ["\(h.source)/old.txt"])
        let all = try h.ok("ls", "app", "-r", "\(h.source)/data")
        #expect(lines(all) == ["\(h.source)/data/deep/", "\(h.source)/data/deep/1.csv", "\(h.source)/data/deep/2.csv", "\(h.source)/data/deep/3.csv"], "\(all.output)")
        let long = try h.ok("ls", "app", "--long", "\(h.source)/etc/other.conf")
        let sha = try h.shell("sha256sum '\(h.source)/etc/other.conf' | cut -d' ' -f1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(long.stdout.hasPrefix("-rw-------  ") && long.stdout.contains(sha) && long.stdout.contains("  5  "), "\(long.output)")
        let link = try h.ok("ls", "app", "--json", "\(h.source)/current.conf")
        let object = try JSONSerialization.jsonObject(with: Data(link.stdout.utf8)) as? [String: Any]
        #expect(object?["type"] as? String == "symlink" && object?["target"] as? String == "etc/app.conf", "\(link.output)")
        let missing = try h.lifeboat("ls", "app", "\(h.source)/nope")
        #expect(missing.status == 2 && missing.stderr.contains("holds nothing at"), "\(missing.output)")
        let everything = try h.ok("ls", "app", "--recursive")
        #expect(lines(everything).count > 15 && everything.stdout.contains("name with space\nand newline"))
    }

    @Test("find lists each distinct version of a path across the chain, with the points that hold it")
    func find() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let ids = try chain(h)
        let result = try h.ok("find", "app", "app.conf", "--json")
        let versions = try lines(result).map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(versions.count == 2, "\(result.output)")
        #expect(versions.map { $0["firstBackup"] as? String } == [ids.full, ids.incremental])
        #expect(versions.allSatisfy { $0["path"] as? String == "\(h.source)/etc/app.conf" })
        let unchanged = try h.ok("find", "app", "\(h.source)/data/deep/*", "--json")
        #expect(lines(unchanged).count == 3, "\(unchanged.output)")
        let spans = try lines(unchanged).map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(spans.allSatisfy { $0["backups"] as? Int == 2 && $0["lastBackup"] as? String == ids.incremental })
        let since = try h.lifeboat("find", "app", "old.txt", "--since", "2999-01-01T00:00:00Z")
        #expect(since.status == 2 && since.stderr.contains("no complete backup"), "\(since.output)")
        let text = try h.ok("find", "app", "*.conf")
        #expect(text.stdout.contains("\(h.source)/etc/app.conf\n") && text.stdout.contains("\(h.source)/etc/other.conf\n"), "\(text.output)")
    }

    @Test("diff names what was added, removed and changed between two points, and --stat counts it")
    func diff() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let ids = try chain(h)
        let result = try h.ok("diff", "app", ids.full, ids.incremental)
        let out = lines(result)
        #expect(out.contains("+ \(h.source)/new.txt"), "\(result.output)")
        #expect(out.contains("- \(h.source)/old.txt"))
        #expect(out.contains { $0.hasPrefix("M \(h.source)/etc/app.conf (content") }, "\(result.output)")
        #expect(out.contains { $0.hasPrefix("M \(h.source)/etc/other.conf (mode") })
        #expect(out.contains { $0.hasPrefix("M \(h.source)/app.log (content") })
        #expect(!out.contains { $0.contains("data/deep/1.csv") })
        let stat = try h.ok("diff", "app", ids.full, ids.incremental, "--stat", "--json")
        let counts = try JSONSerialization.jsonObject(with: Data(stat.stdout.utf8)) as? [String: Any]
        #expect(counts?["added"] as? Int == 1 && counts?["removed"] as? Int == 1, "\(stat.output)")
        #expect(counts?["contentChanged"] as? Int == 2 && counts?["metadataOnly"] as? Int == 1, "\(stat.output)")
    }

    @Test("dump writes a file, a grown file and a hard link exactly; a folder is refused; a damaged archive fails after saying so")
    func dump() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        let ids = try chain(h)
        for (path, backup) in [("etc/app.conf", ids.full), ("app.log", ids.incremental), ("b.txt", ids.incremental), ("sparse.img", ids.incremental)] {
            try h.shell("'\(CLIHarness.binary)' dump app '\(h.source)/\(path)' --backup \(backup) --config '\(h.root)/lifeboat.yaml' > dumped")
            if backup == ids.incremental {
                try h.shell("cmp dumped '\(h.source)/\(path)'")
            } else {
                #expect(try String(contentsOfFile: "\(h.root)/dumped", encoding: .utf8) == "port = 80\n")
            }
        }
        let folder = try h.lifeboat("dump", "app", "\(h.source)/etc")
        #expect(folder.status == 2 && folder.stderr.contains("is a folder"), "\(folder.output)")
        // Damage the archive holding the first day's log and the old config: both dumps fail, exit 1.
        let archive = try h.shell("grep -l . '\(h.backupFolder(ids.full))'/data-*.tar.zst | head -n 1").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try h.shell("printf 'XXXXXXXX' | dd of='\(archive)' bs=1 seek=200 conv=notrunc 2>/dev/null")
        var failures = 0
        for path in ["etc/app.conf", "app.log", "etc/other.conf", "a.txt"] {
            let result = try h.lifeboat("dump", "app", "\(h.source)/\(path)", "--backup", ids.full)
            if result.status != 0 {
                failures += 1
                #expect(result.status == 1 && result.stderr.contains("damaged"), "\(path): \(result.output)")
            }
        }
        #expect(failures > 0, "a damaged archive went unnoticed by every dump")
    }
}
