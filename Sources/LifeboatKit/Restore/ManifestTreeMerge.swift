import LifeboatNative

/// Walks a manifest and a tree on disk side by side, both in `TreePath` order, calling `visit` once per
/// path found in either: `(entry, nil)` listed but missing on disk, `(nil, found)` on disk but not
/// listed, `(entry, found)` both. `visit` returns whether to descend into a folder found on disk.
struct ManifestTreeMerge {
    let plan: RestorePlan
    let layout: RestoreLayout
    /// Paths matching these patterns are not walked (see `TreeScanner`).
    var excludes: [String] = []

    func run(_ visit: (ManifestEntry?, ScannedEntry?) throws -> Bool, problem: (String) -> Void) throws {
        let manifest = try plan.openManifest()
        var pending = try manifest.next()
        try TreeScanner(layout: layout, excludes: excludes).walk({ found in
            while let entry = pending, entry.path < found.path {
                _ = try visit(entry, nil)
                pending = try manifest.next()
            }
            if let entry = pending, entry.path == found.path {
                pending = try manifest.next()
                return try visit(entry, found)
            }
            return try visit(nil, found)
        }, problem: problem)
        while let entry = pending {
            _ = try visit(entry, nil)
            pending = try manifest.next()
        }
    }
}

extension ManifestEntry {
    /// Whether a path found on disk has the type this entry describes.
    func matchesKind(of status: FileStatus) -> Bool {
        switch kind {
        case .file, .hardlink: status.kind == .regular
        case .directory: status.kind == .directory
        case .symlink: status.kind == .symlink
        }
    }
}
