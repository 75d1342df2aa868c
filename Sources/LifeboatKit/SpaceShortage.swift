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

    /// `no space left on /dev/loop3 (mounted at /mnt/r): 4.0 KiB free, 18.0 MiB needed`.
    static func describe(_ path: String, needed: Int64?) -> String {
        guard let space = DiskSpace.of(path) else {
            return "no space left on the filesystem of \(path)" + (needed.map { " (\(ByteCount.text($0)) needed)" } ?? "")
        }
        let place = space.device == space.mountPoint ? space.mountPoint : "\(space.device) (mounted at \(space.mountPoint))"
        return "no space left on \(place): \(ByteCount.text(space.free)) free" + (needed.map { ", \(ByteCount.text($0)) needed" } ?? "")
    }
}

extension LifeboatError.Code {
    /// A filesystem Lifeboat writes to is full (or the quota is used up): nothing is wrong with the data.
    public static let noSpace = LifeboatError.Code("no-space")
}
