import Foundation
import FluentKit
import FluentSQL
import SQLKit

/// 14: retention and the reporter's rights.
/// - `practice`: the retention period and the reporter's grace period, in months;
/// - `cases`: a legal hold (the day it was placed, plain; its reason, sealed) and the deletion
///   record (`destroyed_on`, `destroyed_by`: what triggered it — no content);
/// - `retired_epochs`: epochs whose key is being or was deleted from the key file, so no instance
///   wraps a new case key with one;
/// - `reporter_requests`: a reporter's request to correct or delete their file, and its answer.
package struct AddRetention: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.transaction { try await prepareSteps(on: $0) }
    }

    private func prepareSteps(on database: any Database) async throws {
        try await database.schema("practice")
            .field("retention_months", .int, .required, .sql(.default(24)))
            .update()
        try await database.schema("practice")
            .field("grace_months", .int, .required, .sql(.default(3)))
            .update()
        // One column per statement: SQLite adds them one at a time.
        for field in ["legal_hold_on", "destroyed_on", "destroyed_by"] {
            try await database.schema("cases").field(.string(field), .string).update()
        }
        try await database.schema("cases")
            .field("legal_hold_reason", .string, .required, .sql(.default("")))
            .update()
        try await database.schema("retired_epochs")
            .field("epoch", .string, .identifier(auto: false))
            .field("retired_at", .datetime, .required)
            .create()
        try await database.schema("reporter_requests")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("body", .string, .required)
            .field("made_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("answer", .string)
            .field("answer_note", .string, .required)
            .field("answered_by", .uuid)
            .create()
        try await (database as! any SQLDatabase).raw(
            "CREATE INDEX cases_retention ON cases (status, destroyed_on, closed_on)"
        ).run()
    }

    package func revert(on database: any Database) async throws {
        try await database.transaction { db in
            try await (db as! any SQLDatabase).raw("DROP INDEX IF EXISTS cases_retention").run()
            try await db.schema("reporter_requests").delete()
            try await db.schema("retired_epochs").delete()
            for field in ["legal_hold_on", "destroyed_on", "destroyed_by", "legal_hold_reason"] {
                try await db.schema("cases").deleteField(.string(field)).update()
            }
            for field in ["retention_months", "grace_months"] {
                try await db.schema("practice").deleteField(.string(field)).update()
            }
        }
    }
}
