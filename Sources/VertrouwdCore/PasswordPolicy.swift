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
            case .tooShort: "Kies een wachtwoord van minstens \(PasswordPolicy.minimumLength) tekens. Een zin van een paar woorden werkt goed."
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
        if common.contains(lowered) || common.contains(folded) || isSequence(folded) { return .common }
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
        let sequences = ["0123456789012345678901234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "azertyuiop"]
        return sequences.contains { $0.contains(s) } || sequences.contains { String($0.reversed()).contains(s) }
    }

    /// Words that, with only digits after them, make the passwords tried first.
    static let commonWords = ["password", "wachtwoord", "welkom", "welcome", "qwerty", "azerty", "letmein",
                              "iloveyou", "admin", "administrator", "vertrouwd", "geheim", "secret",
                              "changeme", "voorjaar", "zomer", "herfst", "winter", "lente", "monkey",
                              "dragon", "football", "voetbal", "ajax", "feyenoord", "psv", "sunshine",
                              "princess", "master", "computer", "test", "gebruiker", "user", "login"]

    /// A short list of the most used long-enough passwords (from public breach top lists).
    static let common: Set<String> = [
        "password1234", "password12345", "password123456", "wachtwoord123", "wachtwoord1234",
        "qwertyuiop12", "1q2w3e4r5t6y", "1qaz2wsx3edc", "iloveyou1234", "welkom123456",
        "welcome12345", "letmein12345", "abcd12345678", "a1b2c3d4e5f6", "qwerty123456",
        "123456789012", "111111111111", "000000000000", "123123123123", "123412341234",
        "passwordpassword", "correcthorsebatterystaple", "trustno1trustno1", "zaq12wsxcde3",
        "1234qwerasdf", "qwerasdfzxcv", "asdfghjkl123", "vertrouwenspersoon", "vertrouwenspersoon1",
    ]
}

/// Slows down guessing of a staff password without knowing anyone's IP address: the account
/// itself counts failures and locks for longer after each one past the fifth.
public enum LoginThrottle {
    public static let freeAttempts = 5
    public static let maximumLock: TimeInterval = 3600

    /// How long the account locks after `failures` consecutive failures (nil: no lock yet).
    /// 5 free attempts, then 1 minute, doubling per failure, at most an hour.
    public static func lock(afterFailures failures: Int) -> TimeInterval? {
        guard failures >= freeAttempts else { return nil }
        let exponent = min(failures - freeAttempts, 6)
        return min(60 * pow(2, Double(exponent)), maximumLock)
    }
}
