import Crypto
import Foundation

/// The practice's master key (*hoofdsleutel*). It never encrypts case data itself: it wraps the
/// random key of each case, so destroying one case key shreds that case and nothing else.
public struct MasterKey: Sendable {
    public let key: SymmetricKey
    /// Identifies which master key wrapped a case key, so keys can be rotated later.
    public let id: String

    public init(key: SymmetricKey) {
        self.key = key
        let digest = SHA256.hash(data: Data("vertrouwd-key-id".utf8) + key.withUnsafeBytes { Data($0) })
        self.id = "mk-" + digest.prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    public static func generate() -> MasterKey { MasterKey(key: SymmetricKey(size: .bits256)) }

    /// The key file's contents: base64 of 32 bytes, one line.
    public var fileContents: String { key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n" }

    public init?(fileContents: String) {
        guard let data = Data(base64Encoded: fileContents.trimmingCharacters(in: .whitespacesAndNewlines)),
            data.count == 32
        else { return nil }
        self.init(key: SymmetricKey(data: data))
    }

    /// Wraps a case key, bound to the case it belongs to: a wrapped key copied to another case
    /// does not open.
    public func wrap(_ caseKey: CaseKey, caseID: String) throws -> Data {
        try AES.GCM.seal(
            caseKey.key.withUnsafeBytes { Data($0) }, using: key,
            authenticating: Data("vertrouwd/case-key/v1/\(caseID)".utf8)
        ).combined!
    }

    public func unwrap(_ wrapped: Data, caseID: String) throws -> CaseKey {
        let box = try AES.GCM.SealedBox(combined: wrapped)
        let raw = try AES.GCM.open(box, using: key, authenticating: Data("vertrouwd/case-key/v1/\(caseID)".utf8))
        return CaseKey(key: SymmetricKey(data: raw))
    }

    /// Seals a value that belongs to no case (an account's TOTP secret), bound to its place.
    public func seal(_ plaintext: String, context: FieldContext) throws -> String {
        try FieldCipher.seal(plaintext, key: key, context: context)
    }

    public func open(_ sealed: String, context: FieldContext) throws -> String {
        try FieldCipher.open(sealed, key: key, context: context)
    }
}

/// The random key of one case (*dossiersleutel*): encrypts every free text of that case.
public struct CaseKey: Sendable {
    public let key: SymmetricKey
    public static func generate() -> CaseKey { CaseKey(key: SymmetricKey(size: .bits256)) }

    public func seal(_ plaintext: String, context: FieldContext) throws -> String {
        try FieldCipher.seal(plaintext, key: key, context: context)
    }

    public func open(_ sealed: String, context: FieldContext) throws -> String {
        try FieldCipher.open(sealed, key: key, context: context)
    }

    /// Seals bytes (an attachment): nonce | ciphertext | tag, bound to its place like text.
    public func seal(data: Data, context: FieldContext) throws -> Data {
        try AES.GCM.seal(data, using: key, authenticating: context.associatedData).combined!
    }

    public func open(data sealed: Data, context: FieldContext) throws -> Data {
        do {
            return try AES.GCM.open(
                AES.GCM.SealedBox(combined: sealed), using: key, authenticating: context.associatedData)
        } catch {
            throw EnvelopeError.unreadable
        }
    }
}

/// Where a ciphertext lives: table, row and field. It is the associated data of the seal, so a
/// ciphertext moved to another row or field fails to open instead of showing the wrong text.
public struct FieldContext: Sendable, Equatable {
    public let table: String
    public let row: String
    public let field: String

    public init(table: String, row: String, field: String) {
        self.table = table; self.row = row; self.field = field
    }

    var associatedData: Data { Data("vertrouwd/v1/\(table)/\(row)/\(field)".utf8) }
}

public enum EnvelopeError: Error, Equatable, Sendable {
    /// The ciphertext was altered, moved or sealed with another key.
    case unreadable
}

/// AES-256-GCM with a random 96-bit nonce per seal; stored as `v1.<base64(nonce|ciphertext|tag)>`.
enum FieldCipher {
    static let prefix = "v1."

    static func seal(_ plaintext: String, key: SymmetricKey, context: FieldContext) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: context.associatedData)
        return prefix + box.combined!.base64EncodedString()
    }

    static func open(_ sealed: String, key: SymmetricKey, context: FieldContext) throws -> String {
        guard sealed.hasPrefix(prefix), let data = Data(base64Encoded: String(sealed.dropFirst(prefix.count))) else {
            throw EnvelopeError.unreadable
        }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plain = try AES.GCM.open(box, using: key, authenticating: context.associatedData)
            guard let text = String(data: plain, encoding: .utf8) else { throw EnvelopeError.unreadable }
            return text
        } catch {
            throw EnvelopeError.unreadable
        }
    }
}
