import Foundation
import Glibc
import LifeboatNative
import LifeboatTestSupport
import Testing

@Suite("pax tar + zstd through libarchive")
struct TarRoundTripTests {
    @Test("a sparse file, a symlink and a hard link survive archive and extraction, holes included")
    func roundTrip() throws {
        let temp = try TempFolder()
        let setup = try temp.shell("""
        mkdir -p src out && cd src && printf 'hello\\n' > small.txt && ln small.txt twin.txt &&
        ln -s small.txt link && truncate -s 32M sparse.img &&
        printf 'data' | dd of=sparse.img bs=1 seek=1048576 conv=notrunc status=none &&
        setfattr -n user.test -v value small.txt 2>/dev/null || true
        """)
        #expect(setup.status == 0, "\(setup.output)")
        let src = Array("\(temp.path)/src".utf8)

        let sink = try FileSink(creating: "\(temp.path)/data.tar.zst")
        let writer = try TarWriter(sink: sink, compressionLevel: 3)
        let small = try writer.appendRegularFile(sourcePath: src + Array("/small.txt".utf8), archivePath: Array("src/small.txt".utf8))
        try writer.appendHardlink(sourcePath: src + Array("/twin.txt".utf8), archivePath: Array("src/twin.txt".utf8), linkTarget: Array("src/small.txt".utf8))
        let link = try writer.appendMetadata(sourcePath: src + Array("/link".utf8), archivePath: Array("src/link".utf8))
        let sparse = try writer.appendRegularFile(sourcePath: src + Array("/sparse.img".utf8), archivePath: Array("src/sparse.img".utf8))
        try writer.finish()
        let objectDigest = try sink.finish()

        #expect(small.sha256 == SHA256Hasher.digest(Array("hello\n".utf8)))
        #expect(small.consistent)
        #expect(link.symlinkTarget == Array("small.txt".utf8))
        #expect(sparse.sparse)
        #expect(sparse.status.size == 32 << 20)

        // Our reader: headers in order, content digests equal, object digest equal to the sink's.
        let reader = try TarReader(source: try FileSource(path: "\(temp.path)/data.tar.zst"))
        let disk = DiskWriter(restoreOwnership: false, targetHadContent: false)
        var names: [String] = []
        while let header = try reader.next() {
            names.append(String(decoding: header.path, as: UTF8.self))
            if header.kind == .regular && header.hardlink == nil {
                let written = try disk.writeFile(from: reader, to: Array("\(temp.path)/out/".utf8) + header.path)
                #expect(written.sha256 == (header.path.last == UInt8(ascii: "g") ? sparse.sha256 : small.sha256))
            }
        }
        try disk.close()
        #expect(names == ["src/small.txt", "src/twin.txt", "src/link", "src/sparse.img"])
        #expect(try reader.finish() == objectDigest)

        // Holes kept on extraction.
        var st = stat()
        #expect(stat("\(temp.path)/out/src/sparse.img", &st) == 0)
        #expect(Int64(st.st_size) == 32 << 20)
        #expect(Int64(st.st_blocks) * 512 < 1 << 20)

        // GNU tar reads the same archive.
        let gnu = try temp.shell("zstd -dc data.tar.zst | tar -tv")
        #expect(gnu.status == 0)
        #expect(gnu.output.contains("src/twin.txt link to src/small.txt"))
        #expect(gnu.output.contains("src/link -> small.txt"))
    }

    @Test("a damaged archive fails with libarchive's message, not silently")
    func damaged() throws {
        let temp = try TempFolder()
        _ = try temp.shell("head -c 300000 /dev/urandom > blob")
        let sink = try FileSink(creating: "\(temp.path)/data.tar.zst")
        let writer = try TarWriter(sink: sink, compressionLevel: 3)
        _ = try writer.appendRegularFile(sourcePath: Array("\(temp.path)/blob".utf8), archivePath: Array("blob".utf8))
        try writer.finish()
        _ = try sink.finish()
        #expect(truncate("\(temp.path)/data.tar.zst", off_t(sink.bytesWritten / 2)) == 0)

        let reader = try TarReader(source: try FileSource(path: "\(temp.path)/data.tar.zst"))
        #expect(throws: (any Error).self) {
            _ = try reader.next()
            _ = try reader.digestContent(size: 300000)
            _ = try reader.finish()
        }
    }
}
