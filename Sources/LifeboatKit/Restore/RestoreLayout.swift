import Glibc
import LifeboatNative

/// Where each backed-up root lands under a restore target. A root `srv/app` lands at `TARGET/srv/app`;
/// when a folder on the way there is a symlink that resolves inside the target (in place, `/var/run` →
/// `/run`), the root is placed at the resolved path, so the restore follows the system's layout
/// instead of replacing the link with a folder. A link that leads out of the target is not followed:
/// it is replaced by a real folder when the restore writes there.
struct RestoreLayout: Sendable {
    /// The resolved target, without a trailing slash (empty for `/`).
    let target: [UInt8]
    let placements: [(root: TreePath, disk: [UInt8])]

    init(target: [UInt8], roots: [TreePath]) {
        self.target = target
        placements = roots.map { root in
            let components = root.components
            var disk = target
            for (index, component) in components.dropLast().enumerated() {
                let next = disk + [UInt8(ascii: "/")] + component
                if let status = try? FileStatus.lstat(next), status.kind == .symlink,
                   let resolved = Self.resolve(next), Self.isInside(resolved, target) {
                    disk = resolved
                } else {
                    disk = next
                    if (try? FileStatus.lstat(next)) == nil {
                        // Nothing exists from here on: the rest of the path is created as it is.
                        for rest in components.dropLast().dropFirst(index + 1) { disk += [UInt8(ascii: "/")] + rest }
                        break
                    }
                }
            }
            return (root, disk + [UInt8(ascii: "/")] + (components.last.map(Array.init) ?? []))
        }
    }

    /// Where `path` (inside one of the roots) is written.
    func disk(_ path: TreePath) -> [UInt8] {
        for placement in placements where path.isWithin(placement.root) {
            return placement.disk + path.bytes.dropFirst(placement.root.bytes.count)
        }
        return target + [UInt8(ascii: "/")] + path.bytes
    }

    private static func resolve(_ path: [UInt8]) -> [UInt8]? {
        guard let resolved = withCPath(path, { realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return Array(UnsafeBufferPointer(start: UnsafeRawPointer(resolved).assumingMemoryBound(to: UInt8.self), count: strlen(resolved)))
    }

    private static func isInside(_ path: [UInt8], _ target: [UInt8]) -> Bool {
        target.isEmpty || path.starts(with: target + [UInt8(ascii: "/")])
    }
}
