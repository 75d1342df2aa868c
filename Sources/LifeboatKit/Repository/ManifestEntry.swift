import LifeboatNative

/// One line of a manifest: everything needed to recreate one path, and where its content lives.
public struct ManifestEntry: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case file, directory = "dir", symlink, hardlink
    }

    public var path: TreePath
    public var kind: Kind
    /// Permission bits (`0o7777` mask).
    public var permissions: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var user: String?
    public var group: String?
    public var mtimeNs: Int64
    public var ctimeNs: Int64
    public var inode: UInt64
    public var device: UInt64
    /// Logical size of a regular file (holes included); 0 for other kinds.
    public var size: Int64
    /// SHA-256 of a regular file's content.
    public var sha256: String?
    /// A symlink's target, as stored (never followed).
    public var symlinkTarget: [UInt8]?
    /// A hard link's first path in this manifest, whose content it shares.
    public var hardlinkTarget: TreePath?
    /// The backup whose data archive holds this file's content (with `tails`: its first `tails[0].offset` bytes).
    public var ref: String?
    /// The data archive (in backup `ref`) that holds the content, e.g. `data-0001.tar.zst`.
    public var archive: String?
    /// A file that only grew since earlier backups: the bytes appended, in offset order, each stored in a
    /// `tail-NNNN.tar.zst` archive of the backup that saw them. Empty for a file stored whole.
    public var tails: [ContentPiece] = []
    /// With `tails`: the SHA-256 of the base, the first `tails[0].offset` bytes stored in `ref`/`archive`.
    public var baseSHA256: String?
    public var sparse: Bool = false
    /// The file changed while it was read: the stored bytes may mix old and new content.
    public var inconsistent: Bool = false
    public var xattrs: [Xattr] = []

    public init(path: TreePath, kind: Kind, status: FileStatus) {
        self.path = path
        self.kind = kind
        permissions = status.permissions
        uid = status.uid
        gid = status.gid
        mtimeNs = status.mtimeNs
        ctimeNs = status.ctimeNs
        inode = status.inode
        device = status.device
        size = kind == .file ? status.size : 0
    }

    init(path: TreePath, kind: Kind) {
        self.path = path
        self.kind = kind
        permissions = 0
        uid = 0
        gid = 0
        mtimeNs = 0
        ctimeNs = 0
        inode = 0
        device = 0
        size = 0
    }

    /// Where every byte of a regular file lives, in offset order: the base in `ref`/`archive`, then the
    /// tails. Empty for other kinds.
    public var pieces: [ContentPiece] {
        guard kind == .file, let ref, let archive, let sha256 else { return [] }
        guard let first = tails.first else { return [ContentPiece(ref: ref, archive: archive, offset: 0, size: size, sha256: sha256)] }
        return [ContentPiece(ref: ref, archive: archive, offset: 0, size: first.offset, sha256: baseSHA256 ?? "")] + tails
    }

    /// Metadata to give a restored folder or symlink.
    public var metadata: EntryMetadata {
        EntryMetadata(permissions: permissions, uid: uid, gid: gid, user: user, group: group, mtimeNs: mtimeNs, xattrs: xattrs)
    }
}

/// A stretch of a regular file's content: `size` bytes at `offset`, stored as an entry of the file's
/// path in archive `archive` of backup `ref`, with the SHA-256 of those bytes.
public struct ContentPiece: Sendable, Equatable {
    public var ref: String
    public var archive: String
    public var offset: Int64
    public var size: Int64
    public var sha256: String

    public init(ref: String, archive: String, offset: Int64, size: Int64, sha256: String) {
        self.ref = ref
        self.archive = archive
        self.offset = offset
        self.size = size
        self.sha256 = sha256
    }

    var archiveRef: ArchiveRef { ArchiveRef(backup: ref, archive: archive) }
}
