import Fluent
import Vapor
import VertrouwdCore

/// A reporter's anonymous mailbox (*postbus*), opened with the receipt code. One per case that
/// came in through the public channel (or that a counsellor opened one for).
final class Mailbox: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "mailboxes"

    // managed fields
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // relationships
    @Parent(key: "case_id") var `case`: Case

    // data fields
    /// The first 8 digits of the receipt code: finds the mailbox, grants nothing.
    @Field(key: "locator") var locator: String
    @Field(key: "salt") var salt: Data
    /// scrypt of the other 20 digits with `salt`.
    @Field(key: "secret_hash") var secretHash: Data
    /// The KDF and its parameters, e.g. `scrypt:N=16384,r=8,p=1`.
    @Field(key: "kdf") var kdf: String
    @Field(key: "failed_attempts") var failedAttempts: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    /// The reporter's language, for what the counsellor sends (and later retention's grace period).
    @Field(key: "language") var language: String
    /// When the reporter last wrote: retention never destroys contents within a grace period after it.
    @Field(key: "last_reporter_activity") var lastReporterActivity: Date

    init() {}
}

/// A message in a mailbox, in either direction. Its body is sealed with the case key.
final class MailboxMessage: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "mailbox_messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @Field(key: "sender") var sender: Sender
    /// A message, an acknowledgement, or a written record to check and approve.
    @Field(key: "kind") var kind: Kind
    @Field(key: "body") var bodySealed: String
    @OptionalField(key: "read_at") var readAt: Date?
    /// For a written record: when the reporter approved it (EU directive 2019/1937 art. 18).
    @OptionalField(key: "approved_at") var approvedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
    init(id: UUID, caseID: UUID, sender: Sender, kind: Kind, at now: Date = Date()) {
        self.id = id
        self.$case.id = caseID
        self.sender = sender
        self.kind = kind
        self.createdAt = now
    }

    enum Sender: String, Codable, Sendable { case reporter, counsellor }
    enum Kind: String, Codable, Sendable { case message, acknowledgement, record }
}

/// A reporter's logged-in mailbox, keyed by the hash of its cookie's token.
final class MailboxSession: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "mailbox_sessions"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Parent(key: "mailbox_id") var mailbox: Mailbox
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date

    init() {}
}

struct CreateMailboxes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("mailboxes")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("locator", .string, .required)
            .field("salt", .data, .required)
            .field("secret_hash", .data, .required)
            .field("kdf", .string, .required)
            .field("failed_attempts", .int, .required)
            .field("locked_until", .datetime)
            .field("language", .string, .required)
            .field("last_reporter_activity", .datetime, .required)
            .field("created_at", .datetime)
            .unique(on: "locator")
            .unique(on: "case_id")
            .create()
        try await database.schema("mailbox_messages")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("sender", .string, .required)
            .field("kind", .string, .required)
            .field("body", .string, .required)
            .field("read_at", .datetime)
            .field("approved_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("mailbox_sessions")
            .field("id", .string, .identifier(auto: false))
            .field("mailbox_id", .uuid, .required, .references("mailboxes", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["mailbox_sessions", "mailbox_messages", "mailboxes"] { try await database.schema(table).delete() }
    }
}

enum MailboxService {
    /// A mailbox's secret half, hashed: the scrypt work happens here, before any transaction.
    struct Prepared: Sendable {
        let secret: String
        let salt: Data
        let hash: Data
        let kdf: String
        let language: Language
    }

    /// scrypt runs on the hashing threads (`Hashing`): on an event loop its tens of milliseconds
    /// would stall every request on that loop, and on Vapor's shared pool it would queue SQLite's
    /// queries. A report being filed is never refused for it (the flood guard limits reports).
    static func prepare(language: Language, kdf: ReceiptHash.Parameters, app: Application) async throws -> Prepared {
        let secret = ReceiptCode.generate().secret
        let salt = ReceiptHash.newSalt()
        let hash = try await app.hashing.run(bounded: false) { try ReceiptHash.hash(secret: secret, salt: salt, parameters: kdf) }
        return Prepared(secret: secret, salt: salt, hash: hash, kdf: kdf.description, language: language)
    }

    /// Saves the mailbox with a free locator and returns the full receipt code — the only time
    /// it exists in full. The locator is not part of the hash, so a taken one is simply redrawn.
    static func insert(_ prepared: Prepared, caseID: UUID, on db: any Database) async throws -> ReceiptCode {
        var code = ReceiptCode.generate().withSecret(prepared.secret)
        while try await Mailbox.query(on: db).filter(\.$locator == code.locator).count() > 0 { code = code.withNewLocator() }
        let mailbox = Mailbox()
        mailbox.$case.id = caseID
        mailbox.locator = code.locator
        mailbox.salt = prepared.salt
        mailbox.secretHash = prepared.hash
        mailbox.kdf = prepared.kdf
        mailbox.failedAttempts = 0
        mailbox.language = prepared.language.rawValue
        mailbox.lastReporterActivity = Date()
        try await mailbox.create(on: db)
        return code
    }

    enum Outcome { case opened(Mailbox), wrong, wait(TimeInterval) }

    /// Checks a typed code. Every wrong answer looks the same to the reporter; a locator under
    /// attack makes its next attempt wait.
    static func check(_ code: ReceiptCode, kdf: ReceiptHash.Parameters, app: Application, source: Source? = nil, on db: any Database) async throws -> Outcome {
        guard let mailbox = try await Mailbox.query(on: db).filter(\.$locator == code.locator).first() else {
            // Spend the same time as a real check, so timing does not reveal which locators exist.
            _ = try await app.hashing.run(source: source) {
                ReceiptHash.verify(secret: code.secret, salt: Data(count: 16), expected: Data(count: 32), parameters: kdf)
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
    private static func countFailure(_ mailbox: Mailbox, lockedUntil: Date?, now: Date, on db: any Database) async throws -> Outcome {
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
