import Foundation
import LifeboatNative
import LifeboatTestSupport
import Testing

@Suite("zstd line streams")
struct ZstdStreamTests {
    @Test("lines written compressed read back identically, and the zstd tool agrees")
    func roundTrip() throws {
        let temp = try TempFolder()
        let path = "\(temp.path)/lines.zst"
        let sink = try FileSink(creating: path)
        let writer = try ZstdStreamWriter(sink: sink, level: 3)
        let lines = (0..<5000).map { "line \($0) " + String(repeating: "x", count: $0 % 300) }
        for line in lines { try writer.write(Array((line + "\n").utf8)) }
        try writer.finish()
        let digest = try sink.finish()

        let source = try FileSource(path: path)
        let reader = try ZstdLineReader(source: source)
        var read: [String] = []
        while let line = try reader.nextLine() { read.append(String(decoding: line, as: UTF8.self)) }
        #expect(read == lines)
        #expect(try source.drainAndDigest() == digest)

        let tool = try temp.shell("zstd -t lines.zst && zstd -dc lines.zst | wc -l")
        #expect(tool.status == 0)
        #expect(tool.output.contains("5000"))
    }

    @Test("a truncated stream is reported as truncated, not read as shorter data")
    func truncated() throws {
        let temp = try TempFolder()
        let path = "\(temp.path)/lines.zst"
        let sink = try FileSink(creating: path)
        let writer = try ZstdStreamWriter(sink: sink, level: 3)
        for i in 0..<20000 { try writer.write(Array("entry \(i) \(i * 7919)\n".utf8)) }
        try writer.finish()
        _ = try sink.finish()
        #expect(truncate(path, off_t(sink.bytesWritten / 2)) == 0)

        let reader = try ZstdLineReader(source: try FileSource(path: path))
        #expect(throws: NativeError.self) {
            while try reader.nextLine() != nil {}
        }
    }
}
