import Glibc

/// Hashes a file's content exactly as the pax writer archives it. For a sparse file the writer keeps
/// only the data regions mapped before reading and drops the bytes of the holes, which a reader gets
/// back as zeros: so the hash takes zeros for hole bytes, and any non-zero byte read inside a hole
/// (written while the file was being read) marks the stored copy as inconsistent instead of making its
/// SHA-256 disagree with what a restore produces.
final class ArchivedContentHasher {
    private let hasher = SHA256Hasher()
    private let regions: [(offset: Int64, length: Int64)]?
    private var index = 0
    private(set) var dataInHoles = false
    private static let zeros = [UInt8](repeating: 0, count: 1 << 16)

    init(dataRegions: [(offset: Int64, length: Int64)]?) {
        regions = dataRegions
    }

    /// `bytes` are the file's content starting at `offset`; calls come in increasing offset order.
    func update(_ bytes: UnsafeRawBufferPointer, at offset: Int64) {
        guard let regions else {
            hasher.update(bytes)
            return
        }
        var cursor = offset
        let end = offset + Int64(bytes.count)
        while cursor < end {
            while index < regions.count && regions[index].offset + regions[index].length <= cursor { index += 1 }
            let slice: (from: Int, to: Int)
            if index < regions.count && regions[index].offset <= cursor {
                let stop = min(end, regions[index].offset + regions[index].length)
                slice = (Int(cursor - offset), Int(stop - offset))
                hasher.update(UnsafeRawBufferPointer(rebasing: bytes[slice.from..<slice.to]))
                cursor = stop
            } else {
                let stop = min(end, index < regions.count ? regions[index].offset : end)
                slice = (Int(cursor - offset), Int(stop - offset))
                if !Self.isZero(UnsafeRawBufferPointer(rebasing: bytes[slice.from..<slice.to])) { dataInHoles = true }
                hasher.updateZeros(stop - cursor)
                cursor = stop
            }
        }
    }

    func finalize() -> SHA256Digest { hasher.finalize() }

    private static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var position = 0
        return zeros.withUnsafeBytes { zero in
            while position < bytes.count {
                let n = min(zero.count, bytes.count - position)
                if memcmp(bytes.baseAddress! + position, zero.baseAddress!, n) != 0 { return false }
                position += n
            }
            return true
        }
    }
}
