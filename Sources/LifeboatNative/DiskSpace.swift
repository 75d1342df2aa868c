import Glibc

/// The filesystem a path lives on: its free space and where it is mounted from, for messages that
/// say *where* the space ran out ("no space left on /dev/loop3 at /mnt/restore: 4.0 KiB free").
public struct DiskSpace: Sendable, Equatable {
    /// Bytes an unprivileged writer can still use (`f_bavail`; root may have a little more).
    public var free: Int64
    /// Files that can still be created, and how many the filesystem has; nil where it sets no limit.
    public var freeInodes: Int64?
    public var inodes: Int64?
    /// The mount point holding the path, and the device (or `tmpfs`, a server's export) mounted there.
    public var mountPoint: String
    public var device: String

    /// The filesystem of `path`, or of its nearest existing ancestor; nil when nothing can be read.
    public static func of(_ path: String) -> DiskSpace? {
        var probe = path.isEmpty ? "/" : path
        var status = stat()
        while stat(probe, &status) != 0 {
            guard let slash = probe.lastIndex(of: "/"), probe != "/" else { return nil }
            probe = slash == probe.startIndex ? "/" : String(probe[..<slash])
        }
        var fs = statvfs()
        guard statvfs(probe, &fs) == 0 else { return nil }
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        let resolved = realpath(probe, nil).map { pointer -> String in
            defer { Glibc.free(pointer) }
            return String(cString: pointer)
        } ?? probe
        let mount = mountEntry(device: status.st_dev, path: resolved)
        let limited = fs.f_files > 0
        return DiskSpace(free: free, freeInodes: limited ? Int64(fs.f_favail) : nil, inodes: limited ? Int64(fs.f_files) : nil,
                         mountPoint: mount?.point ?? resolved, device: mount?.source ?? "unknown device")
    }

    /// The `/proc/self/mountinfo` entry of device `dev` whose mount point is the longest prefix of `path`.
    private static func mountEntry(device dev: dev_t, path: String) -> (point: String, source: String)? {
        guard let file = fopen("/proc/self/mountinfo", "re") else { return nil }
        defer { fclose(file) }
        let wanted = "\(major(dev)):\(minor(dev))"
        var best: (point: String, source: String)?
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { Glibc.free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let fields = String(cString: line).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count > 4, fields[2] == wanted, let dash = fields.firstIndex(of: "-"), dash + 2 < fields.count else { continue }
            let point = unescape(fields[4])
            let inside = point == "/" || path == point || path.hasPrefix(point + "/")
            if inside && point.count >= (best?.point.count ?? -1) { best = (point, unescape(fields[dash + 2])) }
        }
        return best
    }

    /// mountinfo writes space, tab, newline and backslash as `\040`-style octal escapes.
    private static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        var input = Array(field.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "\\"), input.count >= 3, let value = UInt8(String(decoding: input.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                input = input.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func major(_ dev: dev_t) -> UInt64 { (UInt64(dev) >> 8) & 0xfff | (UInt64(dev) >> 32) & ~0xfff }
    private static func minor(_ dev: dev_t) -> UInt64 { UInt64(dev) & 0xff | (UInt64(dev) >> 12) & ~0xff }
}

/// Errors that mean the filesystem (or the user's quota on it) is full.
extension NativeError {
    public var isOutOfSpace: Bool { errno == ENOSPC || errno == EDQUOT }
}
