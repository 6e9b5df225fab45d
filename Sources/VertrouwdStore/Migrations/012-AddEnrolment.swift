import Foundation
import FluentKit

/// Migration 12 (it lived beside the enrolment pages until the store became its own target).
package struct AddEnrolment: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("users").field("enrol_token_hash", .string).update()
        try await database.schema("users").field("enrol_purpose", .string).update()
        try await database.schema("users").field("enrol_expires_at", .datetime).update()
        try await database.schema("users").field("renew_credentials", .bool).update()
        // Every account made before this: its password and second factor may have been shown
        // to an admin. Each chooses new ones at its next login.
        try await User.query(on: database).set(\.$renewCredentials, to: true).update()
    }

    package func revert(on database: any Database) async throws {
        for field in ["enrol_token_hash", "enrol_purpose", "enrol_expires_at", "renew_credentials"] {
            try await database.schema("users").deleteField(.string(field)).update()
        }
    }
}
