import Fluent
import Foundation
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The reporter's side of the mailbox: the receipt code hashed and checked on the hashing
/// threads, and the throttle on wrong codes.
extension MailboxService {
    /// scrypt runs on the hashing threads (`Hashing`): on an event loop its tens of milliseconds
    /// would stall every request on that loop, and on Vapor's shared pool it would queue SQLite's
    /// queries. A report being filed is never refused for it (the flood guard limits reports).
    static func prepare(language: Language, kdf: ReceiptHash.Parameters, app: Application) async throws -> Prepared {
        let secret = ReceiptCode.generate().secret
        let salt = ReceiptHash.newSalt()
        let hash = try await app.hashing.run(bounded: false) {
            try ReceiptHash.hash(secret: secret, salt: salt, parameters: kdf)
        }
        return Prepared(secret: secret, salt: salt, hash: hash, kdf: kdf.description, language: language)
    }

    enum Outcome { case opened(Mailbox), wrong, wait(TimeInterval) }

    /// Checks a typed code. Every wrong answer looks the same to the reporter; a locator under
    /// attack makes its next attempt wait.
    static func check(
        _ code: ReceiptCode, kdf: ReceiptHash.Parameters, app: Application, source: Source? = nil, on db: any Database
    ) async throws -> Outcome {
        guard let mailbox = try await Mailbox.query(on: db).filter(\.$locator == code.locator).first() else {
            // Spend the same time as a real check, so timing does not reveal which locators exist.
            _ = try await app.hashing.run(source: source) {
                ReceiptHash.verify(
                    secret: code.secret, salt: Data(count: 16), expected: Data(count: 32), parameters: kdf)
            }
            await EvenTiming.settle(since: .now)
            return .wrong
        }
        let now = Date()
        let parameters = ReceiptHash.Parameters(stored: mailbox.kdf) ?? .standard
        let (salt, expected) = (mailbox.salt, mailbox.secretHash)
        // The hash is worked out for a locked locator too: it answers in the same time as any
        // other, so timing does not tell a locked locator (one that exists) from others.
        let matches = try await app.hashing.run(source: source) {
            ReceiptHash.verify(secret: code.secret, salt: salt, expected: expected, parameters: parameters)
        }
        let hashed = ContinuousClock.now
        let lockedUntil = mailbox.lockedUntil.flatMap { $0 > now ? $0 : nil }
        guard matches, lockedUntil == nil else {
            let outcome = try await countFailure(mailbox, lockedUntil: lockedUntil, now: now, on: db)
            await EvenTiming.settle(since: hashed)
            return outcome
        }
        if mailbox.failedAttempts != 0 || mailbox.lockedUntil != nil {
            mailbox.failedAttempts = 0
            mailbox.lockedUntil = nil
            try await mailbox.save(on: db)
        }
        return .opened(mailbox)
    }

    /// A wrong code (or any code while locked) counts, and may lock the locator.
    private static func countFailure(
        _ mailbox: Mailbox, lockedUntil: Date?, now: Date, on db: any Database
    ) async throws -> Outcome {
        // One atomic step: concurrent wrong codes each count (a read-add-save lost them).
        // An attempt while locked counts too.
        let failures = try await Counters.increment("mailboxes", "failed_attempts", id: mailbox.requireID(), on: db)
        if let wait = MailboxThrottle.wait(afterFailures: failures) {
            // A locator locked now stays locked until then: an attempt during the wait counts
            // but cannot lengthen it, so a stranger cannot keep a reporter out for good.
            try await Mailbox.query(on: db).filter(\.$id == mailbox.requireID())
                .group(.or) { $0.filter(\.$lockedUntil == nil).filter(\.$lockedUntil < now) }
                .set(\.$lockedUntil, to: now.addingTimeInterval(wait)).update()
            return .wait(wait)
        }
        return lockedUntil.map { .wait($0.timeIntervalSince(now)) } ?? .wrong
    }
}
