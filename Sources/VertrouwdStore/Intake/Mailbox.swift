import Foundation
import FluentKit
import VertrouwdCore

/// A reporter's anonymous mailbox (*postbus*), opened with the receipt code. One per case that
/// came in through the public channel (or that a counsellor opened one for).
package final class Mailbox: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "mailboxes"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    // relationships
    @Parent(key: "case_id") package var `case`: Case

    // data fields
    /// The first 8 digits of the receipt code: finds the mailbox, grants nothing.
    @Field(key: "locator") package var locator: String
    @Field(key: "salt") package var salt: Data
    /// scrypt of the other 20 digits with `salt`.
    @Field(key: "secret_hash") package var secretHash: Data
    /// The KDF and its parameters, e.g. `scrypt:N=16384,r=8,p=1`.
    @Field(key: "kdf") package var kdf: String
    @Field(key: "failed_attempts") package var failedAttempts: Int
    @OptionalField(key: "locked_until") package var lockedUntil: Date?
    /// The reporter's language, for what the counsellor sends (and later retention's grace period).
    @Field(key: "language") package var language: String
    /// When the reporter last wrote: retention never destroys contents within a grace period after it.
    @Field(key: "last_reporter_activity") package var lastReporterActivity: Date

    package init() {}
}

/// A message in a mailbox, in either direction. Its body is sealed with the case key.
package final class MailboxMessage: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "mailbox_messages"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @Field(key: "sender") package var sender: Sender
    /// A message, an acknowledgement, or a written record to check and approve.
    @Field(key: "kind") package var kind: Kind
    @Field(key: "body") package var bodySealed: String
    @OptionalField(key: "read_at") package var readAt: Date?
    /// For a written record: when the reporter approved it (EU directive 2019/1937 art. 18).
    @OptionalField(key: "approved_at") package var approvedAt: Date?
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
    package init(id: UUID, caseID: UUID, sender: Sender, kind: Kind, at now: Date = Date()) {
        self.id = id
        self.$case.id = caseID
        self.sender = sender
        self.kind = kind
        self.createdAt = now
    }

    package enum Sender: String, Codable, Sendable { case reporter, counsellor }
    package enum Kind: String, Codable, Sendable { case message, acknowledgement, record }
}

/// A reporter's logged-in mailbox, keyed by the hash of its cookie's token.
package final class MailboxSession: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "mailbox_sessions"

    @ID(custom: "id", generatedBy: .user) package var id: String?
    @Parent(key: "mailbox_id") package var mailbox: Mailbox
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "last_seen_at") package var lastSeenAt: Date

    package init() {}
}

package struct CreateMailboxes: ShippedMigration {
    package func prepare(on database: any Database) async throws {
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

    package func revert(on database: any Database) async throws {
        for table in ["mailbox_sessions", "mailbox_messages", "mailboxes"] { try await database.schema(table).delete() }
    }
}

package enum MailboxService {
    /// A mailbox's secret half, hashed: the scrypt work happens here, before any transaction.
    package struct Prepared: Sendable {
        package let secret: String
        package let salt: Data
        package let hash: Data
        package let kdf: String
        package let language: Language

        package init(secret: String, salt: Data, hash: Data, kdf: String, language: Language) {
            self.secret = secret
            self.salt = salt
            self.hash = hash
            self.kdf = kdf
            self.language = language
        }
    }

    /// Saves the mailbox with a free locator and returns the full receipt code — the only time
    /// it exists in full. The locator is not part of the hash, so a taken one is simply redrawn.
    package static func insert(_ prepared: Prepared, caseID: UUID, on db: any Database) async throws -> ReceiptCode {
        var code = ReceiptCode.generate().withSecret(prepared.secret)
        while try await Mailbox.query(on: db).filter(\.$locator == code.locator).count() > 0 {
            code = code.withNewLocator()
        }
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
}

/// A reporter's messages of the last 24 hours reached `MailboxThrottle.messagesPerDay` (or their
/// open corrections `ReporterRequest.openCorrections`): nothing was saved.
package struct TooManyMessages: Error {}
