import Foundation

/// Lexical path arithmetic for configuration values: no file system access, no symlink resolution.
enum ConfigPath {
    /// `path` made absolute against `base` (an absolute folder) and normalised: no empty, `.` or `..`
    /// components and no trailing slash (`..` at the root stays at the root).
    static func absolute(_ path: String, relativeTo base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [String] = []
        for component in components(of: joined) {
            switch component {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(component)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The non-empty parts of `path` between slashes. Split on the byte `/`, not on characters: a
    /// combining mark after a slash (or a prepended mark before it) makes one character of both, and
    /// a `..` next to it would be missed.
    static func components(of path: String) -> [String] {
        path.utf8.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The folder holding `file` (an absolute path).
    static func directory(of file: String) -> String {
        let normalised = absolute(file, relativeTo: "/")
        guard let slash = normalised.lastIndex(of: "/"), slash != normalised.startIndex else { return "/" }
        return String(normalised[..<slash])
    }

    /// The folder holding `file`, which may be relative to the current folder.
    static func absoluteDirectory(of file: String) -> String {
        directory(of: absolute(file, relativeTo: FileManager.default.currentDirectoryPath))
    }

    /// Whether `path` is `ancestor` or lies inside it (both normalised absolute paths).
    static func isSameOrInside(_ path: String, _ ancestor: String) -> Bool {
        path == ancestor || ancestor == "/" || path.hasPrefix(ancestor + "/")
    }
}
