import Foundation
import Glibc
import Testing

/// Adds about 120 MB of incompressible data (new random bytes each call) to `srv/app/bulk`, so that a
/// backup spends a second or so writing its data archive. Faster than a 150 MB make-testdata tree.
private func writeBulk(_ h: CLIHarness) throws {
    try h.shell("mkdir -p srv/app/bulk && for i in $(seq 1 12); do head -c 10M /dev/urandom > srv/app/bulk/blob-$i.bin; done")
}

private func folders(_ h: CLIHarness) -> Set<String> {
    Set((try? FileManager.default.contentsOfDirectory(atPath: "\(h.root)/repo/services/app")) ?? [])
}

private func size(_ path: String) -> Int64? {
    var st = stat()
    return lstat(path, &st) == 0 ? Int64(st.st_size) : nil
}

/// Starts `lifeboat backup app`, waits until a new backup folder holds a `.tmp-` data archive that grows,
/// and kills the process with SIGKILL. Returns the folder the killed backup left.
private func killBackupWhileWriting(_ h: CLIHarness, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let before = folders(h)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLIHarness.binary)
    process.arguments = ["backup", "app", "--config", "\(h.root)/lifeboat.yaml"]
    process.currentDirectoryURL = URL(fileURLWithPath: h.root)
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "LIFEBOAT_CONFIG")
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()

    var folder: String?
    var growing = false
    var last: (path: String, size: Int64)?
    let deadline = Date().addingTimeInterval(10)
    while !growing && process.isRunning && Date() < deadline {
        if let id = folders(h).subtracting(before).first {
            folder = h.backupFolder(id)
            let temps = ((try? FileManager.default.contentsOfDirectory(atPath: h.backupFolder(id))) ?? [])
                .filter { $0.hasPrefix(".tmp-data-") }.sorted()
            if let name = temps.last, let bytes = size("\(h.backupFolder(id))/\(name)") {
                if let last, last.path == name, bytes > last.size { growing = true; break }
                last = (name, bytes)
            }
        }
        usleep(2_000)
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(growing, "never saw a growing .tmp- data archive (last seen: \(String(describing: last)))", sourceLocation: sourceLocation)
    #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
            "the backup was not killed: it exited \(process.terminationStatus) first (make the tree bigger)", sourceLocation: sourceLocation)
    return try #require(folder, "the killed backup made no folder", sourceLocation: sourceLocation)
}

/// Kills a backup (an incremental over a full one, or the first, full one), then checks that nothing of it
/// is visible, that the repository verifies, and that the next backup cleans up and restores exactly.
private func killAndRecover(priorFull: Bool) throws {
    let h = try CLIHarness(name: "kill\(priorFull ? "Incremental" : "Full")")
    defer { h.remove() }
    try h.makeTestData(sizeMB: 2)
    try writeBulk(h)
    try h.ok("init")
    var prior: [String] = []
    if priorFull {
        try h.ok("backup", "app", "--full")
        prior = try h.backupIDs()
        #expect(prior.count == 1)
        try h.mutate(1)
        try writeBulk(h)  // new content: the incremental has to store all of it again
    }

    let killed = try killBackupWhileWriting(h)
    let killedID = (killed as NSString).lastPathComponent
    #expect(!FileManager.default.fileExists(atPath: "\(killed)/backup.json"), "the killed backup committed")
    #expect(folders(h) == Set(prior + [killedID]))

    // Nothing of the killed backup is visible, and the repository checks out.
    #expect(try h.backupIDs() == prior)
    let objects = try h.ok("verify", "--objects")
    #expect(!objects.output.contains(killedID), "verify --objects: \(objects.output)")
    if prior.isEmpty {
        // No backup at all yet: verification must say so and fail, not pass over the service.
        let verify = try h.lifeboat("verify")
        #expect(verify.status == 1 && verify.output.contains("has no backup"), "verify: \(verify.output)")
        #expect(!verify.output.contains(killedID), "verify: \(verify.output)")
    } else {
        let verify = try h.ok("verify")
        #expect(!verify.output.contains(killedID), "verify: \(verify.output)")
    }

    // The next backup succeeds, removes the killed one's folder, and restores the source exactly.
    let source = try TreeSnapshot(h.source)
    let result = try h.ok("backup", "app", "--json")
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let id = try #require(json?["id"] as? String, "backup --json printed: \(result.output)")
    #expect(json?["kind"] as? String == (priorFull ? "incremental" : "full"))
    #expect(json?["parent"] as? String == prior.last)
    #expect(json?["status"] as? String == "complete")
    #expect(folders(h) == Set(prior + [id]), "left in services/app: \(folders(h).sorted())")
    #expect(try h.backupIDs() == prior + [id])
    let target = "\(h.root)/out"
    try h.ok("restore", "app", "--target", target)
    let restored = try TreeSnapshot(h.restored(in: target))
    #expect(source.differences(from: restored) == [])
}

@Suite("A killed backup leaves no trace")
struct InterruptTests {
    @Test("SIGKILL during the first (full) backup")
    func killedFullBackup() throws {
        try killAndRecover(priorFull: false)
    }

    @Test("SIGKILL during an incremental backup on top of a full one")
    func killedIncrementalBackup() throws {
        try killAndRecover(priorFull: true)
    }
}

@Suite("A killed restore is never taken for a complete one")
struct InterruptedRestoreTests {
    @Test("a restore killed mid-way leaves its target marked unfinished; the next restore refuses it, --force completes it")
    func killedRestore() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 2)
        try writeBulk(h)
        try h.ok("init")
        try h.ok("backup", "app")
        let target = "\(h.root)/out"
        let marker = "\(target)/.lifeboat-restore-incomplete"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIHarness.binary)
        process.arguments = ["restore", "app", "--target", target, "--config", "\(h.root)/lifeboat.yaml"]
        process.currentDirectoryURL = URL(fileURLWithPath: h.root)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once a bulk file has some of its bytes, under its final name.
        let bulk = "\(h.restored(in: target))/bulk"
        let deadline = Date().addingTimeInterval(20)
        var partial = false
        while process.isRunning && Date() < deadline && !partial {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: bulk)) ?? []
            partial = names.contains { name in size("\(bulk)/\(name)").map { $0 > 0 && $0 < 10 << 20 } ?? false }
            if !partial { usleep(1_000) }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(partial, "never saw a partly written file")
        #expect(process.terminationReason == .uncaughtSignal, "the restore finished before it was killed (make the tree bigger)")
        #expect(FileManager.default.fileExists(atPath: marker), "the killed restore left no mark")
        let mark = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: marker))) as? [String: Any]
        #expect(mark?["service"] as? String == "app" && mark?["pid"] as? Int == Int(process.processIdentifier), "\(mark ?? [:])")

        let again = try h.lifeboat("restore", "app", "--target", target)
        #expect(again.status == 2, "\(again.output)")
        #expect(again.stderr.contains("holds an unfinished restore") && again.stderr.contains("--force"), "\(again.stderr)")

        try h.ok("restore", "app", "--force", "--target", target)
        #expect(!FileManager.default.fileExists(atPath: marker), "the mark outlived the restore that completed the target")
        let source = try TreeSnapshot(h.source)
        #expect(source.differences(from: try TreeSnapshot(h.restored(in: target))) == [])
        try h.ok("restore", "app", "--target", "\(h.root)/fresh")
        #expect(!FileManager.default.fileExists(atPath: "\(h.root)/fresh/.lifeboat-restore-incomplete"))
    }
}

/// Starts `lifeboat ARGS` in the background; returns the process.
private func start(_ h: CLIHarness, _ args: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLIHarness.binary)
    process.arguments = args + ["--config", "\(h.root)/lifeboat.yaml"]
    process.currentDirectoryURL = URL(fileURLWithPath: h.root)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Waits (up to 20 s) until `condition` holds or `process` ended; returns whether it held.
private func wait(for process: Process, until condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning && Date() < deadline {
        if condition() { return true }
        usleep(1_000)
    }
    return condition()
}

/// A harness whose service holds about 120 MB of fresh random data, backed up once.
private func bulkBackup(name: String = #function) throws -> CLIHarness {
    let h = try CLIHarness(name: name)
    do {
        try writeBulk(h)
        try h.ok("init")
        try h.ok("backup", "app")
    } catch {
        h.remove()
        throw error
    }
    return h
}

@Suite("Restores into one target never overlap")
struct OverlappingRestoreTests {
    @Test("a second restore into a target a live restore is writing is refused (exit 5), even with --force; the first completes")
    func concurrentRestores() throws {
        let h = try bulkBackup()
        defer { h.remove() }
        let target = "\(h.root)/out"
        let first = try start(h, ["restore", "app", "--target", target])
        #expect(wait(for: first) { FileManager.default.fileExists(atPath: "\(h.restored(in: target))/bulk") })
        kill(first.processIdentifier, SIGSTOP)
        defer { kill(first.processIdentifier, SIGCONT) }
        for mode in ["--force", "--exact"] {
            let second = try h.lifeboat("restore", "app", mode, "--target", target)
            #expect(second.status == 5, "\(mode): \(second.output)")
            #expect(second.stderr.contains("is writing into") && second.stderr.contains("pid \(first.processIdentifier)"), "\(second.stderr)")
        }
        kill(first.processIdentifier, SIGCONT)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(try TreeSnapshot(h.source).differences(from: try TreeSnapshot(h.restored(in: target))) == [])
        #expect(!FileManager.default.fileExists(atPath: "\(target)/.lifeboat-restore-incomplete"))
    }

    @Test("a target a killed restore of one backup left is not --force'd with another; --exact makes it equal that one")
    func otherBackupOverUnfinished() throws {
        let h = try bulkBackup()
        defer { h.remove() }
        let older = try h.backupIDs()[0]
        try h.shell("head -c 30M /dev/urandom > srv/app/bulk/zz-late.bin")
        try h.ok("backup", "app")
        let target = "\(h.root)/out"
        let killed = try start(h, ["restore", "app", "--target", target])
        let late = "\(h.restored(in: target))/bulk/zz-late.bin"
        _ = wait(for: killed) { (try? FileManager.default.attributesOfItem(atPath: late)[.size] as? Int).map { $0 > 0 } ?? false }
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        try #require(FileManager.default.fileExists(atPath: "\(target)/.lifeboat-restore-incomplete"), "the restore finished before it was killed")

        let force = try h.lifeboat("restore", "app", "--backup", older, "--force", "--target", target)
        #expect(force.status == 2 && force.stderr.contains("--exact"), "\(force.output)")
        try h.ok("restore", "app", "--backup", older, "--exact", "--target", target)
        #expect(!FileManager.default.fileExists(atPath: late), "a file the older backup does not hold was kept")
        #expect(!FileManager.default.fileExists(atPath: "\(target)/.lifeboat-restore-incomplete"))
    }

    @Test("a --force restore killed mid-way marks the target; the next --force completes it and removes the temporaries it left")
    func killedForceRestore() throws {
        let h = try bulkBackup()
        defer { h.remove() }
        let target = "\(h.root)/out"
        try h.ok("restore", "app", "--target", target)
        try writeBulk(h)
        try h.ok("backup", "app")
        let bulk = "\(h.restored(in: target))/bulk"
        let killed = try start(h, ["restore", "app", "--force", "--target", target])
        _ = wait(for: killed) {
            ((try? FileManager.default.contentsOfDirectory(atPath: bulk)) ?? []).contains { $0.hasPrefix(".lifeboat-restore-") }
        }
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: "\(target)/.lifeboat-restore-incomplete"), "a killed --force left no mark")
        let plain = try h.lifeboat("restore", "app", "--target", target)
        #expect(plain.status == 2 && plain.stderr.contains("a mix of files it replaced"), "\(plain.output)")
        try h.ok("restore", "app", "--force", "--target", target)
        let temps = ((try? FileManager.default.contentsOfDirectory(atPath: bulk)) ?? []).filter { $0.hasPrefix(".lifeboat-restore-") }
        #expect(temps.isEmpty, "temporaries left: \(temps)")
        #expect(try TreeSnapshot(h.source).differences(from: try TreeSnapshot(h.restored(in: target))) == [])
    }
}
