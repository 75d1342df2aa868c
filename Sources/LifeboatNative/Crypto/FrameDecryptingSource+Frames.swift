/// Reading the header and frames, and the diagnoses a damaged object gets.
extension FrameDecryptingSource {
    /// Reads up to `buffer.count` bytes, stopping early only at the end of `source`.
    static func readFully(_ source: any ByteSource, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    static func readHeader(from source: any ByteSource, objectName: String) throws -> [UInt8] {
        var header = [UInt8](repeating: 0, count: EncryptedObject.headerSize)
        let count = try header.withUnsafeMutableBytes { try readFully(source, into: $0) }
        let magic = EncryptedObject.magic
        let fail = { (message: String) in NativeError(.openssl, "decrypt \(source.name)", "object \"\(objectName)\" \(message)") }
        if count == 0 { throw fail("is empty: not an encrypted Lifeboat object") }
        guard count >= magic.count, header.starts(with: magic) else {
            if count >= magic.count, header.starts(with: magic.prefix(5)) {
                let found = String(decoding: header[0..<magic.count], as: UTF8.self)
                throw fail("is in encrypted format \(found), which this version of Lifeboat does not read (only LBENC001)")
            }
            throw fail("is not an encrypted Lifeboat object: it does not start with LBENC001")
        }
        guard count == EncryptedObject.headerSize else {
            throw fail("is truncated: its header ends after \(count) of \(EncryptedObject.headerSize) bytes")
        }
        return header
    }

    /// Reads the next stored frame into `buffer`: `frameSize + 16` bytes, or fewer when it is the final
    /// frame (the only one that ends the stored bytes early). Returns its size.
    func readStoredFrame() throws -> Int {
        let full = frameSize + AESGCM.tagSize
        let stored = try Self.readFully(inner, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<full]))
        if stored == 0 {
            let after = index == 0 ? "right after its header" : "after frame \(index - 1)"
            throw failure("is truncated: it ends \(after), without its final frame")
        }
        if stored < AESGCM.tagSize {
            throw failure("is truncated: frame \(index) has \(stored) bytes, less than its \(AESGCM.tagSize)-byte tag")
        }
        return stored
    }

    /// Authenticates and decrypts the frame of `stored` bytes in `buffer` into `output` (which may be
    /// `buffer` itself); returns the plaintext size.
    func open(_ stored: Int, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let final = stored < frameSize + AESGCM.tagSize
        frame.set(index: index, final: final)
        let sealed = UnsafeRawBufferPointer(rebasing: buffer[0..<stored])
        let opened = try frame.withNonceAndAAD { nonce, aad in
            try cipher.open(nonce: nonce, aad: aad, sealed: sealed, into: output)
        }
        guard let opened else {
            let which = final ? "frame \(index) (the last)" : "frame \(index)"
            let causes = final
                ? "it was altered, cut short or appended to"
                : "it was altered or moved (frames reordered)"
            throw failure("fails authentication at \(which): \(causes), or the object is not \"\(objectName)\" under this data key")
        }
        if final { sawFinalFrame = true }
        index += 1
        return opened
    }

    private func failure(_ message: String) -> NativeError {
        NativeError(.openssl, "decrypt \(name)", "object \"\(objectName)\" \(message)")
    }
}
