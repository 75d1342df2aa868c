import Foundation
import LifeboatNative
import Testing

/// Throughput of the encryption layer over 256 MiB held in memory, so the figures are the cost of the
/// layer and not of a disk. Run in release: `LIFEBOAT_BENCH=1 swift test -c release --filter Throughput`.
@Suite("Encrypted objects: throughput", .serialized, .enabled(if: ProcessInfo.processInfo.environment["LIFEBOAT_BENCH"] != nil))
struct ThroughputTests {
    static let size = 256 << 20

    @Test("encrypt and decrypt 256 MiB through in-memory sinks and sources, reporting MB/s")
    func throughput() throws {
        let plaintext = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.size, alignment: 64)
        defer { plaintext.deallocate() }
        for i in stride(from: 0, to: Self.size, by: 8) { plaintext.storeBytes(of: UInt64(i) &* 0x9E37_79B9_7F4A_7C15, toByteOffset: i, as: UInt64.self) }
        let expected = SHA256Hasher()
        expected.update(UnsafeRawBufferPointer(plaintext))
        let plaintextDigest = expected.finalize()

        report("baseline: SHA-256 alone", best { let h = SHA256Hasher(); h.update(UnsafeRawBufferPointer(plaintext)); _ = h.finalize() })
        let store = StoredObject(capacity: Int(EncryptedObject.storedSize(plaintextSize: Int64(Self.size), frameSize: 1 << 20)))
        for (label, hashing, piece) in [("encrypt, 128 KiB writes, discarding sink", false, 128 << 10),
                                        ("encrypt, 1 MiB writes, discarding sink", false, 1 << 20),
                                        ("encrypt, 128 KiB writes, FileSink-like sink (SHA-256 + copy)", true, 128 << 10),
                                        ("encrypt, 1 MiB writes, FileSink-like sink (SHA-256 + copy)", true, 1 << 20)] {
            report(label, try best {
                let sink = StoredObjectSink(store, hashing: hashing)
                let encrypting = try FrameEncryptingSink(inner: sink, dataKey: Fixture.dataKey, objectName: Fixture.objectName)
                for offset in stride(from: 0, to: Self.size, by: piece) {
                    try encrypting.write(UnsafeRawBufferPointer(rebasing: plaintext[offset..<min(offset + piece, Self.size)]))
                }
                try encrypting.finish()
            })
        }
        #expect(store.count == Int(EncryptedObject.storedSize(plaintextSize: Int64(Self.size), frameSize: 1 << 20)))

        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { output.deallocate() }
        for (label, hashing, piece) in [("decrypt, 128 KiB reads, plain memory source", false, 128 << 10),
                                        ("decrypt, 1 MiB reads, plain memory source", false, 1 << 20),
                                        ("decrypt, 128 KiB reads, FileSource-like source (SHA-256)", true, 128 << 10),
                                        ("decrypt, 1 MiB reads, FileSource-like source (SHA-256)", true, 1 << 20)] {
            var digest: SHA256Digest?
            report(label, try best {
                let source = try FrameDecryptingSource(inner: StoredObjectSource(store, hashing: hashing), dataKey: Fixture.dataKey, objectName: Fixture.objectName)
                let check = SHA256Hasher()
                let buffer = UnsafeMutableRawBufferPointer(rebasing: output[0..<piece])
                var total = 0
                while case let n = try source.read(into: buffer), n > 0 {
                    if total < 4 << 20 { check.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }  // spot check, outside the hot path
                    total += n
                }
                #expect(total == Self.size)
                _ = check
                digest = hashing ? try source.drainAndDigest() : nil
            })
            if hashing { #expect(digest == store.digest()) }
        }
        // Correctness of the whole stream, once, outside the timings.
        let source = try FrameDecryptingSource(inner: StoredObjectSource(store, hashing: false), dataKey: Fixture.dataKey, objectName: Fixture.objectName)
        let all = SHA256Hasher()
        while case let n = try source.read(into: output), n > 0 { all.update(UnsafeRawBufferPointer(rebasing: output[0..<n])) }
        #expect(all.finalize() == plaintextDigest)
    }

    @Test("per-object cost: HKDF, context set-up, header and final frame for 2000 small objects")
    func perObject() throws {
        let objects = 2000
        let store = StoredObject(capacity: 4096)
        let payload = [UInt8](repeating: 7, count: 1024)
        let seconds = try best {
            for index in 0..<objects {
                let encrypting = try FrameEncryptingSink(inner: StoredObjectSink(store, hashing: false), dataKey: Fixture.dataKey, objectName: "object-\(index)")
                try encrypting.write(payload)
                try encrypting.finish()
            }
        }
        print("THROUGHPUT per-object set-up + 1 KiB: \(Int(seconds / Double(objects) * 1e6)) µs per object")
    }

    /// Best of three runs, in seconds.
    private func best(_ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<3 {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return times.min()!
    }

    private func report(_ label: String, _ seconds: Double) {
        print("THROUGHPUT \(label): \(Int(Double(Self.size) / seconds / 1e6)) MB/s")
    }
}

/// A preallocated in-memory object, reused across runs so allocation is not measured.
final class StoredObject {
    let bytes: UnsafeMutableRawBufferPointer
    var count = 0
    init(capacity: Int) { bytes = .allocate(byteCount: capacity, alignment: 64) }
    deinit { bytes.deallocate() }
    func digest() -> SHA256Digest {
        let hasher = SHA256Hasher()
        hasher.update(UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
        return hasher.finalize()
    }
}

/// Writes into a `StoredObject`, hashing like `FileSink` when asked, or only counting.
final class StoredObjectSink: ByteSink {
    private let store: StoredObject
    private let hasher: SHA256Hasher?
    init(_ store: StoredObject, hashing: Bool) {
        self.store = store
        hasher = hashing ? SHA256Hasher() : nil
        store.count = 0
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard let hasher else { store.count += buffer.count; return }
        hasher.update(buffer)
        (store.bytes.baseAddress! + store.count).copyMemory(from: buffer.baseAddress!, byteCount: buffer.count)
        store.count += buffer.count
    }
}

/// Reads a `StoredObject`, hashing like `FileSource` when asked.
final class StoredObjectSource: ByteSource {
    let name = "memory"
    private let store: StoredObject
    private let hasher = SHA256Hasher()
    private let hashing: Bool
    private(set) var bytesRead: Int64 = 0

    init(_ store: StoredObject, hashing: Bool) {
        self.store = store
        self.hashing = hashing
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, store.count - Int(bytesRead))
        guard count > 0 else { return 0 }
        let from = UnsafeRawBufferPointer(rebasing: store.bytes[Int(bytesRead)..<Int(bytesRead) + count])
        buffer.baseAddress!.copyMemory(from: from.baseAddress!, byteCount: count)
        if hashing { hasher.update(from) }
        bytesRead += Int64(count)
        return count
    }

    func drainAndDigest() throws -> SHA256Digest {
        bytesRead = Int64(store.count)
        return hasher.finalize()
    }
}
