import Foundation
import LifeboatNative

/// `manifest.json.zst`: zstd-compressed JSON Lines. The first line is a `ManifestHeader`; every other
/// line is one `ManifestEntry`, in `TreePath` order. It lists the whole tree, also for incrementals.
public enum ManifestFile {
    public static let objectName = "manifest.json.zst"
}

public struct ManifestHeader: Codable, Sendable, Equatable {
    public var format = "lifeboat-manifest"
    public var version = 1
    public var backup: String
    public var service: String
    /// The backed-up source paths as tree paths (`srv/app`), in tree order.
    public var roots: [String]

    public init(backup: String, service: String, roots: [String]) {
        self.backup = backup
        self.service = service
        self.roots = roots
    }
}

/// Streams manifest lines into a zstd-compressed object.
final class ManifestWriter {
    private let zstd: ZstdStreamWriter
    private var buffer: [UInt8] = []
    private var last: TreePath?

    init(sink: any ByteSink, level: Int, header: ManifestHeader) throws {
        zstd = try ZstdStreamWriter(sink: sink, level: Int32(level))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        buffer = Array(try encoder.encode(header)) + [UInt8(ascii: "\n")]
    }

    func append(_ entry: ManifestEntry) throws {
        precondition(last.map { $0 < entry.path } ?? true, "manifest entries must be written in tree order")
        last = entry.path
        buffer.append(contentsOf: entry.jsonLine())
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 256 * 1024 { try flush() }
    }

    func finish() throws {
        try flush()
        try zstd.finish()
    }

    private func flush() throws {
        try zstd.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Reads a manifest line by line. Every byte read is hashed: after `next()` returns nil,
/// `objectDigest()` is the SHA-256 of the whole object, to compare with `backup.json`.
final class ManifestReader {
    let header: ManifestHeader
    let path: String
    private let source: any ByteSource
    private let lines: ZstdLineReader
    private var lineNumber = 1

    init(source: any ByteSource) throws {
        path = source.name
        self.source = source
        lines = try ZstdLineReader(source: source)
        guard let first = try lines.nextLine(),
              let header = try? JSONDecoder().decode(ManifestHeader.self, from: Data(first)),
              header.format == "lifeboat-manifest"
        else { throw ManifestFormatError("line 1 is not a manifest header") }
        guard header.version == 1 else {
            throw ManifestFormatError("manifest format version \(header.version) is newer than this Lifeboat understands (1); upgrade Lifeboat")
        }
        self.header = header
    }

    /// The next entry; nil at the end.
    func next() throws -> ManifestEntry? {
        guard let line = try lines.nextLine() else { return nil }
        lineNumber += 1
        if line.isEmpty { return try next() }
        do {
            return try ManifestEntry(jsonLine: line)
        } catch {
            throw ManifestFormatError("line \(lineNumber): \(error)")
        }
    }

    func objectDigest() throws -> SHA256Digest { try source.drainAndDigest() }
}
