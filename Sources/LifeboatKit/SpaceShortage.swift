import Foundation
import Glibc
import LifeboatNative

/// A full filesystem (or an exhausted quota), said the same way by backup, restore and verify: which
/// device, where it is mounted, what is free and what was needed — so the reader knows what to clean.
enum SpaceShortage {
    /// A full disk or an exhausted quota anywhere in the error's chain.
    static func isOutOfSpace(_ error: any Error) -> Bool {
        if let native = error as? NativeError { return native.isOutOfSpace }
        if let lifeboat = error as? LifeboatError {
            return lifeboat.code == .noSpace || lifeboat.cause.map(isOutOfSpace) ?? false
        }
        return false
    }

    /// `no space left on /dev/loop3 (mounted at /mnt/r): 4.0 KiB free, 18.0 MiB needed`; when files, not
    /// bytes, ran out: `no inodes left on tmpfs (mounted at /mnt/r): all 400 files it can hold exist (11.2 MiB free)`.
    /// `atFailure`: the filesystem as it was when the write failed, before a clean-up freed room: it
    /// tells inodes from bytes (the failed file is already gone by then, so its free bytes say little);
    /// the figures given are those of now, which is what the reader has to work with.
    static func describe(_ path: String, needed: Int64?, atFailure: DiskSpace? = nil) -> String {
        guard let space = DiskSpace.of(path) else {
            return "no space left on the filesystem of \(path)" + (needed.map { " (\(ByteCount.text($0)) needed)" } ?? "")
        }
        let place = space.device == space.mountPoint ? space.mountPoint : "\(space.device) (mounted at \(space.mountPoint))"
        if let inodes = space.inodes, (atFailure ?? space).freeInodes == 0 {
            return "no inodes left on \(place): all \(inodes) files it can hold existed (\(ByteCount.text(space.free)) free"
                + (atFailure == nil ? ")" : " now)")
        }
        return "no space left on \(place): \(ByteCount.text(space.free)) free" + (needed.map { ", \(ByteCount.text($0)) needed" } ?? "")
    }

    /// The filesystem is (all but) full: under 1 MiB, or no inode, left.
    static func isFull(_ space: DiskSpace?) -> Bool {
        guard let space else { return false }
        return space.free < 1 << 20 || space.freeInodes == 0
    }
}

extension LifeboatError.Code {
    /// A filesystem Lifeboat writes to is full (or the quota is used up): nothing is wrong with the data.
    public static let noSpace = LifeboatError.Code("no-space")
}
