import Crypto
import Foundation

/// Random tokens and their stored form. Tokens that grant access (sessions, setup links,
/// calendar feeds) are stored only as SHA-256 hashes: a copy of the database opens nothing.
package enum Tokens {
    /// 256 random bits, URL-safe base64 without padding.
    package static func random(bytes: Int = 32) -> String {
        let data = Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max) })
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    package static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares without an early exit, so timing does not tell how much of a token was right.
    package static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// RFC 4648 base32, as authenticator apps expect TOTP secrets.
    package static func base32(_ data: Data) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = "", buffer = 0, bits = 0
        for byte in data {
            buffer = (buffer << 8) | Int(byte); bits += 8
            while bits >= 5 { out.append(alphabet[(buffer >> (bits - 5)) & 31]); bits -= 5 }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }

    package static func base32Decode(_ text: String) -> Data? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = Data(), buffer = 0, bits = 0
        for ch in text.uppercased() where ch != "=" {
            guard let v = alphabet.firstIndex(of: ch) else { return nil }
            buffer = (buffer << 5) | v; bits += 5
            if bits >= 8 { out.append(UInt8((buffer >> (bits - 8)) & 255)); bits -= 8 }
        }
        return out
    }
}

extension Store {
    /// Our signature over values a page carries and posts back (HMAC-SHA256 with a key derived
    /// for `purpose` from the key file, so every instance and restart knows it): a page we did
    /// not make cannot have us act on its values.
    package func signature(_ purpose: String, of text: String) -> String {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: keys.auditChainKey, info: Data("vertrouwd/\(purpose)".utf8), outputByteCount: 32)
        return Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)).base64EncodedString()
    }
}

extension Store {
    /// The secret draw of one contract year's report (`Disclosure.protect`): which cell of k or
    /// more joins the hidden ones. Derived from the key file, so a reader of the reports cannot
    /// redo it, and the same for every version and format of that report.
    package func disclosureSeed(_ contractYearID: UUID) -> UInt64 {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: keys.auditChainKey, info: Data("vertrouwd/disclosure-draw".utf8), outputByteCount: 32)
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Data(contractYearID.uuidString.utf8), using: key))
        return mac.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
