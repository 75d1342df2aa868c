import Foundation
import LifeboatNative
import Testing

/// An object held in memory, hashed as it is written, like `FileSink`.
final class MemorySink: ByteSink {
    private(set) var bytes: [UInt8] = []
    private let hasher = SHA256Hasher()

    init(reserving capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    func write(_ buffer: UnsafeRawBufferPointer) throws {
        hasher.update(buffer)
        bytes.append(contentsOf: buffer)
    }

    func finish() -> SHA256Digest { hasher.finalize() }
}

/// An object read from memory, hashed as it is read, like `FileSource`.
final class MemorySource: ByteSource {
    let name: String
    private let bytes: [UInt8]
    private var offset = 0
    private let hasher = SHA256Hasher()
    private(set) var bytesRead: Int64 = 0

    init(_ bytes: [UInt8], name: String = "memory") {
        self.bytes = bytes
        self.name = name
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        offset += count
        bytesRead += Int64(count)
        return count
    }

    func drainAndDigest() throws -> SHA256Digest {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
        return hasher.finalize()
    }
}

enum Fixture {
    static let dataKey = (0..<32).map { UInt8($0 * 7 + 3) }
    static let objectName = "services/web/20250131T120000Z/data-0001.tar.zst"

    /// Deterministic, non-repeating-looking bytes.
    static func plaintext(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    /// The stored bytes of `plaintext`, written in pieces of `writeSize`.
    static func encrypt(_ plaintext: [UInt8], frameSize: Int, name: String = objectName, key: [UInt8] = dataKey, writeSize: Int = 10_000) throws -> [UInt8] {
        let sink = MemorySink()
        let encrypting = try FrameEncryptingSink(inner: sink, dataKey: key, objectName: name, frameSize: frameSize)
        var offset = 0
        while offset < plaintext.count {
            let end = min(offset + writeSize, plaintext.count)
            try encrypting.write(Array(plaintext[offset..<end]))
            offset = end
        }
        try encrypting.finish()
        return sink.bytes
    }

    /// The plaintext of `stored`, read in pieces of `readSize`.
    static func decrypt(_ stored: [UInt8], name: String = objectName, key: [UInt8] = dataKey, readSize: Int = 65_536) throws -> [UInt8] {
        let source = try FrameDecryptingSource(inner: MemorySource(stored), dataKey: key, objectName: name)
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: readSize)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// The message of the `NativeError` that decrypting `stored` throws (reading to the end).
    static func decryptionFailure(_ stored: [UInt8], name: String = objectName, key: [UInt8] = dataKey) -> String {
        do {
            _ = try decrypt(stored, name: name, key: key)
            Issue.record("decryption succeeded where it should fail")
            return ""
        } catch let error as NativeError {
            return error.message
        } catch {
            Issue.record("unexpected error type: \(error)")
            return ""
        }
    }
}

extension Array where Element == UInt8 {
    init(hex: String) {
        let chars = Array(hex.utf8)
        self = stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
