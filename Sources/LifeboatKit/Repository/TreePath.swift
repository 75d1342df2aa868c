/// A path inside a backup: the source's absolute path without its leading `/`, as raw bytes
/// (`/srv/app/a.txt` → `srv/app/a.txt`). Names are bytes, not always UTF-8.
///
/// Paths are ordered component by component (bytewise), which is the order of a depth-first walk that
/// visits siblings in bytewise order. Manifests and data archives are written in this order, so
/// backups and restores can merge two sorted streams instead of holding a tree in memory.
public struct TreePath: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// From an absolute source path (`/srv/app`): drops the leading slashes.
    public init(absolute path: String) {
        bytes = Array(path.utf8.drop { $0 == UInt8(ascii: "/") })
    }

    public func appending(_ name: [UInt8]) -> TreePath {
        TreePath(bytes: bytes.isEmpty ? name : bytes + [UInt8(ascii: "/")] + name)
    }

    /// For messages: invalid UTF-8 shown with replacement characters.
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// The UTF-8 string when the bytes are valid UTF-8.
    public var utf8String: String? { String(validating: bytes, as: UTF8.self) }

    public var components: [ArraySlice<UInt8>] { bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) }

    /// True when the path can be joined under a restore target without escaping it: relative, no
    /// empty, `.` or `..` component, no NUL byte.
    public var isConfined: Bool {
        guard !bytes.isEmpty, !bytes.contains(0) else { return false }
        return components.allSatisfy { !$0.isEmpty && $0 != [UInt8(ascii: ".")] && $0 != [UInt8(ascii: "."), UInt8(ascii: ".")] }
    }

    /// True when `self` is `other` or lies below it.
    public func isWithin(_ other: TreePath) -> Bool {
        bytes == other.bytes || (bytes.count > other.bytes.count && bytes.starts(with: other.bytes) && bytes[other.bytes.count] == UInt8(ascii: "/"))
    }

    public static func < (lhs: TreePath, rhs: TreePath) -> Bool { compare(lhs.bytes, rhs.bytes) < 0 }

    /// Component-wise order: bytewise, with `/` sorting before every other byte.
    public static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let n = min(a.count, b.count)
        var i = 0
        while i < n {
            let x = a[i], y = b[i]
            if x != y {
                let kx = x == UInt8(ascii: "/") ? 0 : Int(x) + 1
                let ky = y == UInt8(ascii: "/") ? 0 : Int(y) + 1
                return kx < ky ? -1 : 1
            }
            i += 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
