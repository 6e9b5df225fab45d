import Crypto
import CryptoExtras
import Foundation

/// A receipt code (*ontvangstcode*): the reporter's only key to their mailbox.
///
/// 28 digits from the system's CSPRNG, shown as seven groups of four (93 bits in all). The first
/// 8 digits are the *locator*: they find the mailbox row and are stored as they are. The other
/// 20 digits (66 bits) are the secret: stored only as a salted scrypt hash with a salt of its own,
/// so a stolen database must be attacked mailbox by mailbox, each at scrypt's cost.
public struct ReceiptCode: Sendable, Equatable, CustomStringConvertible {
    public static let locatorDigits = 8
    public static let secretDigits = 20
    public static let totalDigits = locatorDigits + secretDigits

    public let locator: String
    public let secret: String

    public init(locator: String, secret: String) {
        self.locator = locator
        self.secret = secret
    }

    /// A new code. `SystemRandomNumberGenerator` reads the kernel's CSPRNG (getrandom on Linux);
    /// `random(in:)` draws without modulo bias.
    public static func generate() -> ReceiptCode {
        ReceiptCode(locator: randomDigits(locatorDigits), secret: randomDigits(secretDigits))
    }

    /// A new locator for the same secret, when the drawn one is taken (the secret's hash does not
    /// depend on it, so nothing needs hashing again).
    public func withNewLocator() -> ReceiptCode {
        ReceiptCode(locator: Self.randomDigits(Self.locatorDigits), secret: secret)
    }

    public func withSecret(_ secret: String) -> ReceiptCode {
        ReceiptCode(locator: locator, secret: secret)
    }

    static func randomDigits(_ count: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(UInt8.random(in: 0...9, using: &rng)) }.joined()
    }

    /// Reads what a reporter typed: spaces, dashes and dots are ignored; anything else, or the
    /// wrong number of digits, is nil.
    public init?(typed: String) {
        var digits = ""
        for ch in typed {
            if ch == " " || ch == "-" || ch == "." || ch == "\u{00A0}" || ch == "\t" { continue }
            guard ch.isASCII, ch.isNumber else { return nil }
            digits.append(ch)
            if digits.count > Self.totalDigits { return nil }
        }
        guard digits.count == Self.totalDigits else { return nil }
        self.init(
            locator: String(digits.prefix(Self.locatorDigits)), secret: String(digits.dropFirst(Self.locatorDigits)))
    }

    public var digits: String { locator + secret }

    /// `1234 5678 9012 …`: groups of four, easy to copy onto paper.
    public var grouped: String {
        stride(from: 0, to: digits.count, by: 4).map { i -> String in
            let start = digits.index(digits.startIndex, offsetBy: i)
            return String(digits[start..<digits.index(start, offsetBy: 4)])
        }.joined(separator: " ")
    }

    public var description: String { "ReceiptCode(locator: \(locator), secret: hidden)" }
}

/// The stored form of a receipt code's secret: scrypt with a per-mailbox salt.
public enum ReceiptHash {
    public struct Parameters: Sendable, Equatable, CustomStringConvertible {
        public let rounds: Int
        public let blockSize: Int
        public let parallelism: Int

        public init(rounds: Int, blockSize: Int, parallelism: Int) {
            self.rounds = rounds; self.blockSize = blockSize; self.parallelism = parallelism
        }

        /// N = 2^13, r = 8, p = 1: 8 MiB and ~23 ms per hash on one core of the target machine.
        /// The 20-digit secret carries the strength (66 bits); scrypt makes each guess cost memory
        /// and time on top. See docs/RECEIPT-CODES.md for the figures behind this choice.
        public static let standard = Parameters(rounds: 1 << 13, blockSize: 8, parallelism: 1)

        /// Stored beside each hash, so the cost can be raised later without breaking old codes.
        public var description: String { "scrypt:N=\(rounds),r=\(blockSize),p=\(parallelism)" }

        public init?(stored: String) {
            guard stored.hasPrefix("scrypt:") else { return nil }
            var values: [String: Int] = [:]
            for part in stored.dropFirst(7).split(separator: ",") {
                let kv = part.split(separator: "=")
                guard kv.count == 2, let v = Int(kv[1]) else { return nil }
                values[String(kv[0])] = v
            }
            guard let n = values["N"], let r = values["r"], let p = values["p"], n > 1, n & (n - 1) == 0, r > 0, p > 0
            else { return nil }
            self.init(rounds: n, blockSize: r, parallelism: p)
        }
    }

    public static func newSalt() -> Data {
        var rng = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
    }

    public static func hash(secret: String, salt: Data, parameters: Parameters = .standard) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Data(secret.utf8), salt: salt, outputByteCount: 32,
            rounds: parameters.rounds, blockSize: parameters.blockSize,
            parallelism: parameters.parallelism)
        return key.withUnsafeBytes { Data($0) }
    }

    /// Constant-time comparison of the recomputed hash with the stored one.
    public static func verify(secret: String, salt: Data, expected: Data, parameters: Parameters = .standard) -> Bool {
        guard let actual = try? hash(secret: secret, salt: salt, parameters: parameters), actual.count == expected.count
        else { return false }
        return zip(actual, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
