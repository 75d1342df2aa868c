/// JSON form: the binary fields as base64 strings, the rest as they are; `check` only when present.
extension WrappedKey: Codable {
    enum CodingKeys: String, CodingKey {
        case id, created, kdf, n, r, p, salt, nonce, wrapped, check
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func bytes(_ key: CodingKeys) throws -> [UInt8] {
            guard let bytes = Base64.decode(try container.decode(String.self, forKey: key)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not base64")
            }
            return bytes
        }
        self.init(
            id: try container.decode(String.self, forKey: .id),
            created: try container.decode(String.self, forKey: .created),
            kdf: try container.decode(String.self, forKey: .kdf),
            n: try container.decode(UInt64.self, forKey: .n),
            r: try container.decode(UInt64.self, forKey: .r),
            p: try container.decode(UInt64.self, forKey: .p),
            salt: try bytes(.salt), nonce: try bytes(.nonce), wrapped: try bytes(.wrapped),
            check: try container.decodeIfPresent(String.self, forKey: .check))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(created, forKey: .created)
        try container.encode(kdf, forKey: .kdf)
        try container.encode(n, forKey: .n)
        try container.encode(r, forKey: .r)
        try container.encode(p, forKey: .p)
        try container.encode(Base64.encode(salt), forKey: .salt)
        try container.encode(Base64.encode(nonce), forKey: .nonce)
        try container.encode(Base64.encode(wrapped), forKey: .wrapped)
        try container.encodeIfPresent(check, forKey: .check)
    }
}
