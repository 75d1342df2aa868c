import Foundation
import Glibc
import Testing

/// The chain recipe is `Scripts/restore-without-lifeboat`, which docs/repository-format.md shows: the
/// test runs that very file. Plain tar reproduces everything TreeSnapshot compares (content, type,
/// mode, mtime with nanoseconds, symlink targets, hard links, holes) and the extended attributes (GNU
/// tar reads the SCHILY.xattr records that libarchive writes next to its own LIBARCHIVE.xattr ones).
/// Ownership is restored as tar does for root; the tests do not compare it.
private let xattrName = "user.lifeboat.test"

/// `lgetxattr(2)`, looked up in libc (Glibc's Swift module does not include <sys/xattr.h>).
private let lgetxattrFunction: (@convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int)? = {
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "lgetxattr") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int).self)
}()

/// The value of extended attribute `name` of `path` (not following symlinks), or nil.
private func xattr(_ path: String, _ name: String) -> [UInt8]? {
    guard let getter = lgetxattrFunction else { return nil }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = buffer.withUnsafeMutableBytes { getter(path, name, $0.baseAddress, $0.count) }
    return n < 0 ? nil : Array(buffer.prefix(n))
}

private func backupID(_ result: CLIHarness.Result) throws -> String {
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    return try #require(object?["id"] as? String, "backup --json printed: \(result.output)")
}

/// The manifest's entries (header checked and dropped), read with plain zstd.
private func manifestEntries(_ h: CLIHarness, _ id: String) throws -> [[String: Any]] {
    let text = try h.shell("zstd -dc '\(h.backupFolder(id))/manifest.json.zst'").stdout
    let lines = text.split(separator: "\n")
    let header = try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any]
    #expect(header?["format"] as? String == "lifeboat-manifest", "manifest header: \(lines.first ?? "")")
    return try lines.dropFirst().map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
}

/// Every object in the repository passes `zstd -t`; every data archive is a POSIX pax tar that `tar -tvf`
/// lists; together a backup's archives hold every folder (each archive all of them), symlink and hard link of
/// its manifest and the files whose content it stores.
private func checkObjects(_ h: CLIHarness, ids: [String]) throws {
    let objects = try h.shell("find repo -type f -name '*.zst' | sort").stdout.split(separator: "\n")
    #expect(objects.count >= 2 * ids.count, "objects: \(objects)")
    for object in objects { try h.shell("zstd -t -q '\(object)'") }

    for id in ids {
        let entries = try manifestEntries(h, id)
        let archives = try h.shell("cd '\(h.backupFolder(id))' && ls data-*.tar.zst").stdout.split(separator: "\n")
        #expect(!archives.isEmpty)
        var listed: [Substring] = []
        for archive in archives {
            let path = "\(h.backupFolder(id))/\(archive)"
            listed += try h.shell("zstd -dc '\(path)' | tar -tvf -").stdout.split(separator: "\n")
            // First header: a pax extended header (typeflag 'x') with the POSIX magic "ustar\0" version "00".
            let header = try h.run("/bin/bash", ["-c", "zstd -dc '\(path)' | head -c 512 | od -An -tx1 -v"]).stdout
                .split(whereSeparator: { $0 == " " || $0 == "\n" })
            #expect(header.count == 512, "\(archive): \(header.count) header bytes")
            if header.count == 512 {
                #expect(header[156] == "78", "\(archive): first typeflag is 0x\(header[156]), not 'x' (pax)")
                #expect(Array(header[257..<265]) == ["75", "73", "74", "61", "72", "00", "30", "30"], "\(archive): not ustar/pax magic")
            }
        }
        func count(_ type: String) -> Int { entries.filter { $0["type"] as? String == type }.count }
        let stored = entries.filter { $0["type"] as? String == "file" && $0["ref"] as? String == id }.count
        // Every archive of a backup holds every folder; symlinks, hard links and files are in one each.
        #expect(listed.count == count("dir") * archives.count + count("symlink") + count("hardlink") + stored,
                "\(id): tar lists \(listed.count) entries")
        #expect(listed.filter { $0.hasPrefix("d") }.count == count("dir") * archives.count)
        #expect(listed.filter { $0.hasPrefix("l") && $0.contains(" -> ") }.count == count("symlink"))
        #expect(listed.filter { $0.hasPrefix("h") && $0.contains(" link to ") }.count == count("hardlink"))
        #expect(listed.filter { $0.hasPrefix("-") }.count == stored)
    }
}

@Suite("Plain tar and zstd read Lifeboat archives")
struct InteropTests {
    @Test("a full backup's data archive extracts with zstd and GNU tar to the source tree")
    func fullBackupExtractsWithTar() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 2)
        let source = try TreeSnapshot(h.source)
        try h.ok("init")
        let id = try backupID(try h.ok("backup", "app", "--json"))

        // GNU tar sets each folder's time after extracting its contents, so folder times match too.
        try h.shell("mkdir x && for a in repo/services/app/'\(id)'/data-*.tar.zst; do zstd -dc \"$a\" | tar -x -C x --xattrs --sparse; done")
        let extracted = h.restored(in: "\(h.root)/x")
        let extractedTree = try TreeSnapshot(extracted)
        #expect(source.differences(from: extractedTree) == [])
        if let value = xattr("\(h.source)/attrs/tagged.txt", xattrName) {
            #expect(xattr("\(extracted)/attrs/tagged.txt", xattrName) == value, "tar did not restore \(xattrName)")
        }
        try checkObjects(h, ids: [id])
    }

    @Test("an incremental chain restores with plain tools: extract oldest to newest, delete what the newest manifest omits")
    func incrementalChainExtractsWithTar() throws {
        let h = try CLIHarness()
        defer { h.remove() }
        try h.makeTestData(sizeMB: 2)
        try h.ok("init")
        var ids = [try backupID(try h.ok("backup", "app", "--json"))]
        let first = try TreeSnapshot(h.source)
        for k in 1...3 {
            try h.mutate(k)
            ids.append(try backupID(try h.ok("backup", "app", "--json")))
        }
        let newest = try TreeSnapshot(h.source)
        // Extracting the older archives leaves paths the newest tree no longer has: step 3 has work to do.
        #expect(!Set(first.entries.keys).subtracting(newest.entries.keys).isEmpty)

        try h.shell("bash '\(CLIHarness.repositoryRoot)/Scripts/restore-without-lifeboat' repo/services/app '\(ids[3])' chain")
        let restored = h.restored(in: "\(h.root)/chain")
        let chainTree = try TreeSnapshot(restored)
        #expect(newest.differences(from: chainTree) == [])
        if let value = xattr("\(h.source)/attrs/tagged.txt", xattrName) {
            #expect(xattr("\(restored)/attrs/tagged.txt", xattrName) == value, "tar did not restore \(xattrName)")
        }
        try checkObjects(h, ids: ids)
    }
}
