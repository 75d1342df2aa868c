import Foundation

/// The committed seed inputs of each fuzz target, in `Fixtures/fuzz-corpus/<target>/`: real files
/// (lines of the sample repository's manifests, its `backup.json` files, the shipped plans and drills,
/// configurations from the tests) and a few tricky ones. A crashing or failing input found by a run is
/// added here once fixed, named `regression-…`, so every later run replays it first.
enum FuzzCorpus {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        url.deleteLastPathComponent()
        return url.appendingPathComponent("Fixtures/fuzz-corpus").path
    }()

    /// The worktree's root (for the shipped `Plans/` and `Drills/`).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Every file of `target`'s corpus, sorted by name.
    static func inputs(_ target: String) throws -> [[UInt8]] {
        let folder = "\(root)/\(target)"
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { name in
            Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)")))
        }
    }
}
