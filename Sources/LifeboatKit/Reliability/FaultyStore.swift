import Foundation
import LifeboatNative

/// A store that fails as `StoreFaults` says, in front of a real one (local folder or S3). Only the
/// tests turn it on (`LIFEBOAT_STORE_FAULTS`, debug builds).
struct FaultyStore: StoreLayer {
    let inner: any ObjectStore
    let faults: StoreFaults

    func create(_ key: String) throws -> any ObjectUpload {
        let upload = try inner.create(key)
        if faults.strikes(.writeError) { return FaultyUpload(inner: upload, key: key, failing: true, short: false) }
        if faults.strikes(.shortWrite) { return FaultyUpload(inner: upload, key: key, failing: false, short: true) }
        return upload
    }

    func open(_ key: String) throws -> (any ByteSource)? {
        guard let source = try inner.open(key) else { return nil }
        if faults.strikes(.readError) { return FaultySource(inner: source, failing: true) }
        if faults.strikes(.garbledRead) { return FaultySource(inner: source, failing: false) }
        return source
    }

    // Whole-object reads (records, descriptions) are not faulted: the faults aim at object streams.

    func list(_ folder: String) throws -> [StoreEntry] {
        let entries = try inner.list(folder)
        guard faults.strikes(.listLag), let newest = entries.filter({ !$0.name.hasPrefix(".") }).max(by: { $0.name < $1.name }) else { return entries }
        return entries.filter { $0 != newest }
    }
}

/// An upload that fails part-way, or that drops the last piece it is given and says nothing.
private final class FaultyUpload: ObjectUpload, ByteSink {
    let inner: any ObjectUpload
    let key: String
    let failing: Bool
    let short: Bool
    private var pieces = 0
    private var held: [UInt8]?

    init(inner: any ObjectUpload, key: String, failing: Bool, short: Bool) {
        self.inner = inner
        self.key = key
        self.failing = failing
        self.short = short
    }

    var sink: any ByteSink { self }
    var bytesWritten: Int64 { inner.bytesWritten }

    func write(_ buffer: UnsafeRawBufferPointer) throws {
        pieces += 1
        if failing && pieces >= 2 { throw LifeboatError(.io, "injected write error while storing \(key)") }
        if short {
            // Keep one piece back; it is never passed on (the store silently loses the end).
            if let held { try inner.sink.write(held) }
            held = Array(buffer)
            return
        }
        try inner.sink.write(buffer)
    }

    func commit() throws -> BackupRecord.Object {
        if failing && pieces < 2 { throw LifeboatError(.io, "injected write error while storing \(key)") }
        return try inner.commit()
    }

    func discard() { inner.discard() }
}

/// A source that fails after its first read, or flips one byte of its first read. It hashes what it
/// hands out, so a flipped byte shows as a SHA-256 that does not match `backup.json`, as bytes garbled
/// on their way from the store would.
private final class FaultySource: ByteSource {
    let inner: any ByteSource
    let failing: Bool
    private var reads = 0
    private let hasher = SHA256Hasher()

    init(inner: any ByteSource, failing: Bool) {
        self.inner = inner
        self.failing = failing
    }

    var name: String { inner.name }
    var bytesRead: Int64 { inner.bytesRead }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        reads += 1
        if failing && reads >= 2 { throw LifeboatError(.io, "injected read error in \(name)") }
        let n = try inner.read(into: buffer)
        if !failing && reads == 1 && n > 0 { buffer[n / 2] ^= 0x20 }
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        return n
    }

    func drainAndDigest() throws -> SHA256Digest {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
        return hasher.finalize()
    }
}
