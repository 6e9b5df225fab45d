import Crypto
import Foundation
import Vapor
import VertrouwdCore
import VertrouwdStore

/// TOTP (RFC 6238, SHA-1, 6 digits, 30 s) through Vapor's implementation, as every
/// authenticator app speaks it. A code is accepted for the step before and after now
/// (clock drift), and each time step only once per account.
enum SecondFactor {
    static let interval = 30

    static func newSecret() -> Data {
        Data((0..<20).map { _ in UInt8.random(in: .min ... .max) })
    }

    static func uri(secret: Data, email: String, issuer: String = "Vertrouwd") -> String {
        let label =
            "\(issuer):\(email)".addingPercentEncoding(
                withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: ":@"))) ?? email
        return
            "otpauth://totp/\(label)?secret=\(Tokens.base32(secret))&issuer=\(issuer)&algorithm=SHA1&digits=6&period=\(interval)"
    }

    /// The time step the code belongs to, or nil when it matches none near `now`.
    static func step(for code: String, secret: Data, now: Date = Date()) -> Int? {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let totp = TOTP(key: SymmetricKey(data: secret), digest: .sha1, digits: .six, interval: interval)
        let current = Int(now.timeIntervalSince1970) / interval
        for step in [current, current - 1, current + 1] {
            let code = totp.generate(time: Date(timeIntervalSince1970: TimeInterval(step * interval)))
            if Tokens.constantTimeEqual(code, digits) { return step }
        }
        return nil
    }

    static func code(secret: Data, at time: Date) -> String {
        TOTP(key: SymmetricKey(data: secret), digest: .sha1, digits: .six, interval: interval).generate(time: time)
    }

    static func context(userID: UUID) -> FieldContext { User.secondFactorContext(userID: userID) }

    /// Gives the user a new secret (sealed with the master key) and returns it.
    static func enrol(_ user: User, masterKey: MasterKey) throws -> Data {
        let secret = newSecret()
        user.totpSecretSealed = try masterKey.seal(
            Tokens.base32(secret), context: context(userID: try user.requireID()))
        user.totpLastStep = 0
        return secret
    }

    static func secret(of user: User, masterKey: MasterKey) throws -> Data {
        let text = try masterKey.open(user.totpSecretSealed, context: context(userID: try user.requireID()))
        guard let data = Tokens.base32Decode(text) else { throw EnvelopeError.unreadable }
        return data
    }
}
