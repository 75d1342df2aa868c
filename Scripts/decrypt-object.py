#!/usr/bin/env python3
"""Decrypts one Lifeboat object (format LBENC001) without Lifeboat.

    LIFEBOAT_PASSPHRASE=... decrypt-object.py KEY.json OBJECT-NAME < object.enc > object

KEY.json is a wrapped-key record (see docs/encryption-format.md); OBJECT-NAME is the name the object was stored under
(for example services/web/20250131T120000Z/data-0001.tar.zst). Needs Python 3 and the `cryptography`
package. An independent implementation of docs/encryption-format.md: the test suite runs it against Lifeboat's output.
"""
import base64, hashlib, hmac, json, os, struct, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def check_record(record):
    """Exits when the record's "check" (a SHA-256 of its fields) does not match: the file is damaged,
    whatever the passphrase. Records written before "check" existed have none and are not checked."""
    if "check" not in record:
        return
    fields = [record["id"], record["kdf"], str(record["n"]), str(record["r"]), str(record["p"])] + [
        base64.b64encode(base64.b64decode(record[name], validate=True)).decode() for name in ("salt", "nonce", "wrapped")]
    text = "lifeboat key check v1\n" + "".join(field + "\n" for field in fields)
    if hashlib.sha256(text.encode()).hexdigest() != record["check"]:
        sys.exit("the key file is damaged: its salt, nonce, wrapped key or parameters do not match its check")


def unwrap(record, passphrase):
    kek = hashlib.scrypt(passphrase, salt=base64.b64decode(record["salt"]), n=record["n"], r=record["r"],
                         p=record["p"], maxmem=256 * record["n"] * record["r"] * record["p"] + (1 << 24), dklen=32)
    aad = b"lifeboat data key v1" + record["id"].encode()
    return AESGCM(kek).decrypt(base64.b64decode(record["nonce"]), base64.b64decode(record["wrapped"]), aad)


def hkdf_sha256(ikm, salt, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out, counter = out + block, counter + 1
    return out[:length]


def decrypt(data_key, name, read, write):
    header = read(32)
    if len(header) != 32 or header[:8] != b"LBENC001":
        sys.exit("not an encrypted Lifeboat object")
    (frame_size,) = struct.unpack(">I", header[8:12])
    aead = AESGCM(hkdf_sha256(data_key, header[16:32], b"lifeboat object v1", 32))
    index = 0
    while True:
        stored = read(frame_size + 16)
        if len(stored) < 16:
            sys.exit(f"truncated before frame {index} ends")
        final = len(stored) < frame_size + 16
        nonce = b"\0" * 4 + struct.pack(">Q", index)
        aad = header + name.encode() + struct.pack(">QB", index, 1 if final else 0)
        write(aead.decrypt(nonce, stored, aad))  # raises InvalidTag on any damage
        if final:
            return
        index += 1


def read_exactly(stream):
    def read(count):
        chunks = []
        while count > 0:
            chunk = stream.read(count)
            if not chunk:
                break
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)
    return read


if __name__ == "__main__":
    record = json.load(open(sys.argv[1]))
    check_record(record)
    key = unwrap(record, os.environb[b"LIFEBOAT_PASSPHRASE"])
    decrypt(key, sys.argv[2], read_exactly(sys.stdin.buffer), sys.stdout.buffer.write)
