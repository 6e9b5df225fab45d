import Fluent
import SQLKit
import Vapor
import VertrouwdCore

/// The counsellor's annual report (*jaarverslag*) for one contract year: the editable text
/// sections and, once signed off, the frozen document that every export serves.
final class AnnualReportRecord: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "annual_reports"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_year_id") var contractYear: ContractYear
    /// The counsellor's role and availability this year.
    @Field(key: "role_text") var roleText: String
    @Field(key: "recommendations") var recommendations: String
    /// Focus points (*speerpunten*) proposed for next year.
    @Field(key: "focus_next") var focusNext: String
    @OptionalField(key: "signed_off_on") var signedOffOn: String?
    @OptionalField(key: "signed_off_by") var signedOffBy: UUID?
    /// The signed-off `AnnualReportDocument` as JSON: protected figures only, never true counts.
    @OptionalField(key: "snapshot") var snapshot: String?
    /// The versions `snapshot` replaced, oldest first: a JSON array of documents. Every one of them
    /// may be in a reader's hands, so a new version is checked against each.
    @OptionalField(key: "earlier_snapshots") var earlierSnapshots: String?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

struct CreateReporting: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("annual_reports")
            .id()
            .field("contract_year_id", .uuid, .required, .references("contract_years", "id", onDelete: .cascade))
            .field("role_text", .string, .required)
            .field("recommendations", .string, .required)
            .field("focus_next", .string, .required)
            .field("signed_off_on", .string)
            .field("signed_off_by", .uuid)
            .field("snapshot", .string)
            .field("updated_at", .datetime)
            .unique(on: "contract_year_id")
            .create()
        try await database.schema("advice")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("solicited", .bool, .required)
            .field("category", .string)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("given_on", .string, .required)
            .field("response", .string, .required)
            .field("follow_up", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("development_entries")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("on_day", .string, .required)
            .field("minutes", .int, .required)
            .field("description", .string, .required)
            .field("created_at", .datetime)
            .create()
        // The annual report counts one organisation's cases of one year per dimension: a covering
        // index holds every column it groups by, so no count has to read the case rows.
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            CREATE INDEX IF NOT EXISTS cases_report ON cases \
            (organisation_id, opened_on, kind, reporter_role, channel, regime, ladder_level, outcome, id)
            """).run()
        try await sql.raw("CREATE INDEX IF NOT EXISTS case_referrals_case_target ON case_referrals (case_id, target)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX IF EXISTS case_referrals_case_target").run()
        try await sql.raw("DROP INDEX IF EXISTS cases_report").run()
        for table in ["development_entries", "advice", "annual_reports"] {
            try await database.schema(table).delete()
        }
    }
}
