import Foundation
import FluentKit
import VertrouwdCore

/// A staff account: a counsellor (*vertrouwenspersoon*), a practice admin, or both.
///
/// `@unchecked Sendable`: Fluent's property wrappers are mutable classes; a model instance is only
/// ever used by the request that loaded it.
package final class User: Model, @unchecked Sendable {
    package static let schema = "users"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    // data fields
    @Field(key: "email") package var email: String
    @Field(key: "name") package var name: String
    @Field(key: "is_admin") package var isAdmin: Bool
    @Field(key: "is_counsellor") package var isCounsellor: Bool
    @Field(key: "password_hash") package var passwordHash: String
    /// The TOTP secret, sealed with the master key (bound to this row).
    @Field(key: "totp_secret") package var totpSecretSealed: String
    /// The last TOTP time step accepted: a code is used once.
    @Field(key: "totp_last_step") package var totpLastStep: Int
    @Field(key: "failed_logins") package var failedLogins: Int
    @OptionalField(key: "locked_until") package var lockedUntil: Date?
    @Field(key: "active") package var active: Bool
    /// SHA-256 of the secret in the counsellor's private calendar feed address.
    @OptionalField(key: "calendar_token_hash") package var calendarTokenHash: String?
    /// Short public introduction and LVV registration, for the organisation's page.
    @OptionalField(key: "introduction") package var introduction: String?
    /// An open enrolment link (`Enrolment`): the hash of its token, what it is for, until when.
    @OptionalField(key: "enrol_token_hash") package var enrolTokenHash: String?
    @OptionalField(key: "enrol_purpose") package var enrolPurpose: String?
    @OptionalField(key: "enrol_expires_at") package var enrolExpiresAt: Date?
    /// When the account's first enrolment was completed (migration 17; nil for older accounts).
    @OptionalField(key: "enrolled_at") package var enrolledAt: Date?
    /// Set for every account that existed before enrolment links: an admin may have seen its
    /// password and TOTP secret, so it chooses new ones at its next login (`Enrolment.renew`).
    @OptionalField(key: "renew_credentials") package var renewCredentials: Bool?

    package init() {}

    package init(
        id: UUID = UUID(), email: String, name: String, isAdmin: Bool, isCounsellor: Bool, passwordHash: String
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.isAdmin = isAdmin
        self.isCounsellor = isCounsellor
        self.passwordHash = passwordHash
        self.totpSecretSealed = ""
        self.totpLastStep = 0
        self.failedLogins = 0
        self.active = true
    }

    package var roleLabel: String {
        switch (isAdmin, isCounsellor) {
        case (true, true): "Beheerder en vertrouwenspersoon"
        case (true, false): "Beheerder"
        default: "Vertrouwenspersoon"
        }
    }
}

package struct CreateUsers: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("is_admin", .bool, .required)
            .field("is_counsellor", .bool, .required)
            .field("password_hash", .string, .required)
            .field("totp_secret", .string, .required)
            .field("totp_last_step", .int64, .required)
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("active", .bool, .required)
            .field("calendar_token_hash", .string)
            .field("introduction", .string)
            .field("created_at", .datetime)
            .unique(on: "email")
            .unique(on: "calendar_token_hash")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("users").delete()
    }
}

extension User {
    /// The additional data a second factor's secret is sealed with (by the master key).
    package static func secondFactorContext(userID: UUID) -> FieldContext {
        FieldContext(table: "users", row: userID.uuidString, field: "totp_secret")
    }
}
