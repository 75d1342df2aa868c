import CZstd

/// Compresses a byte stream with zstd into a `ByteSink` (used for manifests; data archives are
/// compressed by libarchive's own zstd filter).
public final class ZstdStreamWriter {
    private let sink: any ByteSink
    private let context: OpaquePointer
    private var output: [UInt8]

    public init(sink: any ByteSink, level: Int32) throws {
        self.sink = sink
        guard let context = ZSTD_createCCtx() else { throw NativeError(.zstd, "create compressor", "out of memory") }
        self.context = context
        output = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level), "set level")
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1), "enable checksum")
    }

    deinit { ZSTD_freeCCtx(context) }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try compress($0, mode: ZSTD_e_continue) }
    }

    /// Ends the zstd frame; the sink stays open for the caller to finish.
    public func finish() throws {
        try compress(UnsafeRawBufferPointer(start: nil, count: 0), mode: ZSTD_e_end)
    }

    private func compress(_ bytes: UnsafeRawBufferPointer, mode: ZSTD_EndDirective) throws {
        var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        while true {
            let (remaining, produced) = try output.withUnsafeMutableBytes { out -> (Int, Int) in
                var buffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let r = ZSTD_compressStream2(context, &buffer, &input, mode)
                try check(r, "compress")
                return (r, buffer.pos)
            }
            if produced > 0 {
                try output.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            let done = mode == ZSTD_e_end ? remaining == 0 : input.pos == input.size
            if done { return }
        }
    }

    private func check(_ code: Int, _ operation: String) throws {
        if ZSTD_isError(code) != 0 {
            throw NativeError(.zstd, operation, String(cString: ZSTD_getErrorName(code)))
        }
    }
}

/// Decompresses a zstd stream read from a `ByteSource` and hands it out line by line (manifests are
/// JSON Lines). A stream that ends inside a frame is reported as truncated.
public final class ZstdLineReader {
    private let source: any ByteSource
    private let context: OpaquePointer
    private var input: [UInt8]
    private var inputPos = 0
    private var inputEnd = 0
    private var output: [UInt8]
    private var pending: [UInt8] = []
    private var start = 0
    private var lastHint = 0
    private var finished = false

    public init(source: any ByteSource) throws {
        self.source = source
        guard let context = ZSTD_createDCtx() else { throw NativeError(.zstd, "create decompressor", "out of memory") }
        self.context = context
        input = [UInt8](repeating: 0, count: ZSTD_DStreamInSize())
        output = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
    }

    deinit { ZSTD_freeDCtx(context) }

    /// The next line without its newline; nil at the end of the stream.
    public func nextLine() throws -> [UInt8]? {
        while true {
            if let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[start..<newline])
                start = newline + 1
                return line
            }
            if start > 0 {
                pending.removeSubrange(0..<start)
                start = 0
            }
            if finished {
                if pending.isEmpty { return nil }
                defer { pending.removeAll() }
                return pending
            }
            try fill()
        }
    }

    private func fill() throws {
        if inputPos == inputEnd {
            let n = try input.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 {
                if lastHint != 0 {
                    throw NativeError(.zstd, "decompress \(source.name)", "the stream ends in the middle of a frame (truncated)")
                }
                finished = true
                return
            }
            inputPos = 0
            inputEnd = n
        }
        let produced = try input.withUnsafeBytes { inBytes in
            try output.withUnsafeMutableBytes { outBytes -> Int in
                var inBuffer = ZSTD_inBuffer(src: inBytes.baseAddress, size: inputEnd, pos: inputPos)
                var outBuffer = ZSTD_outBuffer(dst: outBytes.baseAddress, size: outBytes.count, pos: 0)
                let hint = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                if ZSTD_isError(hint) != 0 {
                    throw NativeError(.zstd, "decompress \(source.name)", String(cString: ZSTD_getErrorName(hint)))
                }
                lastHint = hint
                inputPos = inBuffer.pos
                return outBuffer.pos
            }
        }
        pending.append(contentsOf: output[0..<produced])
    }
}
