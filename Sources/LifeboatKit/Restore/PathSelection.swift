import LifeboatNative

/// The paths a partial restore (`restore --path`) brings back: each selected file or folder with
/// everything below it and the folders on the way to it (for their metadata). A selected hard link
/// whose first name (where the content lives) is not selected is refused by the plan. Paths are given
/// as they were on the backed-up host (`/srv/app/etc/app.conf`); the leading `/` is optional.
public struct PathSelection: Sendable, Equatable {
    /// What was asked for, in manifest form.
    public let requested: [TreePath]

    /// - Parameter option: how the paths were given, for the error (`--path`, or a command's PATH).
    public init(_ paths: [String], option: String = "--path") throws {
        var requested: [TreePath] = []
        for path in paths {
            // `/srv//app/` is `/srv/app`, as the shell and the kernel read it.
            let components = path.split(separator: "/", omittingEmptySubsequences: true)
            let tree = TreePath(absolute: components.joined(separator: "/"))
            guard tree.isConfined else {
                throw LifeboatError(.usage, "\(option) \(path) is not a path in a backup: give it as it was on the backed-up host, e.g. /srv/app/config.yml (no '.', '..' or empty components)")
            }
            requested.append(tree)
        }
        self.requested = requested
    }

    /// Whether the entry at `path` is restored (folders on the way only with `folderOnTheWay`).
    func includes(_ path: TreePath) -> Bool { requested.contains { path.isWithin($0) } }

    /// Whether `path` is a folder on the way to a selected path.
    func leadsTo(_ path: TreePath) -> Bool { requested.contains { $0.isWithin(path) && $0 != path } }

    /// Whether a manifest entry belongs to the restore.
    func keeps(_ entry: ManifestEntry) -> Bool {
        includes(entry.path) || (entry.kind == .directory && leadsTo(entry.path))
    }

    /// Whether a stale companion of a database (`DB-wal`) goes: only when the database itself is restored.
    func includesCompanion(_ companion: TreePath) -> Bool {
        guard let dash = companion.bytes.lastIndex(of: UInt8(ascii: "-")) else { return false }
        return includes(TreePath(bytes: Array(companion.bytes[..<dash])))
    }
}

/// A manifest read through a selection: only the entries a partial restore writes (all without one),
/// from the manifest or from entries a plan kept.
final class SelectedManifest {
    private let reader: ManifestReader?
    private let selection: PathSelection?
    private let kept: [ManifestEntry]
    private var position = 0

    init(_ reader: ManifestReader, selection: PathSelection?) {
        self.reader = reader
        self.selection = selection
        kept = []
    }

    init(_ kept: [ManifestEntry]) {
        reader = nil
        selection = nil
        self.kept = kept
    }

    func next() throws -> ManifestEntry? {
        guard let reader else {
            guard position < kept.count else { return nil }
            defer { position += 1 }
            return kept[position]
        }
        while let entry = try reader.next() {
            if selection?.keeps(entry) ?? true { return entry }
        }
        return nil
    }
}
