import Foundation

/// What makes a password acceptable (NIST SP 800-63B): long enough, not too long for bcrypt,
/// not a known common one, not the user's own e-mail or name. No composition rules.
public enum PasswordPolicy {
    public static let minimumLength = 12
    /// bcrypt reads at most 72 bytes; longer passwords would be silently cut.
    public static let maximumBytes = 72

    public enum Problem: Error, Equatable, Sendable {
        case tooShort, tooLong, common, containsIdentity

        public var message: String {
            switch self {
            case .tooShort:
                """
                    Kies een wachtwoord van minstens \(PasswordPolicy.minimumLength) tekens. Een zin van een paar \
                    woorden werkt goed.
                    """
            case .tooLong: "Dit wachtwoord is te lang (maximaal \(PasswordPolicy.maximumBytes) bytes)."
            case .common: "Dit wachtwoord is te bekend en wordt als eerste geprobeerd door aanvallers. Kies een ander."
            case .containsIdentity: "Gebruik niet je e-mailadres of naam als wachtwoord."
            }
        }
    }

    public static func check(_ password: String, email: String = "", name: String = "") -> Problem? {
        if password.count < minimumLength { return .tooShort }
        if password.utf8.count > maximumBytes { return .tooLong }
        let lowered = password.lowercased()
        let folded = lowered.filter { $0.isLetter || $0.isNumber }
        if Set(lowered).count <= 2 { return .common }
        if isCommon(lowered) || isCommon(folded) || isSequence(folded) { return .common }
        if commonWords.contains(where: { folded.hasPrefix($0) && folded.dropFirst($0.count).allSatisfy(\.isNumber) }) {
            return .common
        }
        let local = email.lowercased().split(separator: "@").first.map(String.init) ?? ""
        if local.count >= 4, lowered.contains(local) { return .containsIdentity }
        let nameFolded = name.lowercased().filter { $0.isLetter }
        if nameFolded.count >= 4, folded.contains(nameFolded) { return .containsIdentity }
        return nil
    }

    static func isSequence(_ s: String) -> Bool {
        let sequences = [
            "0123456789012345678901234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "azertyuiop"
        ]
        return sequences.contains { $0.contains(s) } || sequences.contains { String($0.reversed()).contains(s) }
    }

    /// Words that, with only digits after them, make the passwords tried first.
    static let commonWords = [
        "password", "wachtwoord", "welkom", "welcome", "qwerty", "azerty", "letmein",
        "iloveyou", "admin", "administrator", "vertrouwd", "geheim", "secret",
        "changeme", "voorjaar", "zomer", "herfst", "winter", "lente", "monkey",
        "dragon", "football", "voetbal", "ajax", "feyenoord", "psv", "sunshine",
        "princess", "master", "computer", "test", "gebruiker", "user", "login",
        "vertrouwenspersoon", "correcthorsebatterystaple"
    ]

    /// A common password as it is, or with digits and signs after it ("sunshine1234!"), or twice
    /// over ("monkeymonkey").
    static func isCommon(_ password: String) -> Bool {
        if common.contains(password) { return true }
        let stem = String(password.reversed().drop { !$0.isLetter }.reversed())
        if stem.count >= 6, stem != password, common.contains(stem) { return true }
        let half = password.count / 2
        if password.count % 2 == 0, password.prefix(half) == password.suffix(half),
            common.contains(String(password.prefix(half)))
        {
            return true
        }
        return false
    }

    /// The 10,000 most common passwords (Have I Been Pwned's top list, as shipped by Django,
    /// lowercased): `Resources/common-passwords.txt`, made by `scripts/make-common-passwords.sh`.
    static let common: Set<String> = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            preconditionFailure("common-passwords.txt is missing from the build")
        }
        return Set(text.split(separator: "\n").lazy.filter { !$0.hasPrefix("# ") }.map { String($0) })
    }()
}

/// Slows down guessing of a staff password without knowing anyone's IP address: the account
/// itself counts failures and locks for longer after each one past the fifth.
public enum LoginThrottle {
    public static let freeAttempts = 5
    public static let maximumLock: TimeInterval = 3600
    /// A lock that ended this long ago no longer counts: the next failure starts from one.
    public static let forgetAfter: TimeInterval = 15 * 60

    /// How long the account locks after `failures` consecutive failures (nil: no lock yet).
    /// 5 free attempts, then 1 minute, doubling per failure, at most an hour.
    public static func lock(afterFailures failures: Int) -> TimeInterval? {
        guard failures >= freeAttempts else { return nil }
        let exponent = min(failures - freeAttempts, 6)
        return min(60 * pow(2, Double(exponent)), maximumLock)
    }
}
