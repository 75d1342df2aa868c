import Glibc

/// What `lstat` says about a file, as a value that can cross task boundaries.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case regular, directory, symlink, fifo, socket, charDevice, blockDevice, unknown
    }

    /// `st_mode`, type bits included.
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var size: Int64
    public var mtimeNs: Int64
    public var ctimeNs: Int64
    public var inode: UInt64
    public var device: UInt64
    public var links: UInt64
    /// 512-byte blocks allocated; less than `size / 512` for a sparse file.
    public var blocks: Int64

    public init(_ st: stat) {
        mode = st.st_mode
        uid = st.st_uid
        gid = st.st_gid
        size = Int64(st.st_size)
        mtimeNs = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        ctimeNs = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
        inode = UInt64(st.st_ino)
        device = UInt64(st.st_dev)
        links = UInt64(st.st_nlink)
        blocks = Int64(st.st_blocks)
    }

    public var kind: Kind {
        switch mode & S_IFMT {
        case S_IFREG: .regular
        case S_IFDIR: .directory
        case S_IFLNK: .symlink
        case S_IFIFO: .fifo
        case S_IFSOCK: .socket
        case S_IFCHR: .charDevice
        case S_IFBLK: .blockDevice
        default: .unknown
        }
    }

    /// Permission bits only (including setuid, setgid, sticky).
    public var permissions: UInt32 { mode & 0o7777 }

    /// `lstat` of a path given as raw bytes; nil when nothing exists there.
    public static func lstat(_ path: [UInt8]) throws -> FileStatus? {
        var st = stat()
        let rc = withCPath(path) { Glibc.lstat($0, &st) }
        if rc != 0 {
            if errno == ENOENT { return nil }
            throw NativeError.posix("lstat", path: String(decoding: path, as: UTF8.self))
        }
        return FileStatus(st)
    }
}

/// Calls `body` with `bytes` as a NUL-terminated C string (paths are bytes, not always UTF-8).
public func withCPath<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
    var terminated = bytes
    terminated.append(0)
    return try terminated.withUnsafeBufferPointer { buffer in
        try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
    }
}
