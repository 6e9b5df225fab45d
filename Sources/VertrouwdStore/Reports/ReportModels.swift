import Foundation
import FluentKit
import SQLKit
import VertrouwdCore

/// The counsellor's annual report (*jaarverslag*) for one contract year: the editable text
/// sections and, once signed off, the frozen document that every export serves.
package final class AnnualReportRecord: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "annual_reports"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "contract_year_id") package var contractYear: ContractYear
    /// The counsellor's role and availability this year.
    @Field(key: "role_text") package var roleText: String
    @Field(key: "recommendations") package var recommendations: String
    /// Focus points (*speerpunten*) proposed for next year.
    @Field(key: "focus_next") package var focusNext: String
    @OptionalField(key: "signed_off_on") package var signedOffOn: String?
    @OptionalField(key: "signed_off_by") package var signedOffBy: UUID?
    /// The signed-off `AnnualReportDocument` as JSON: protected figures only, never true counts.
    @OptionalField(key: "snapshot") package var snapshot: String?
    /// The versions `snapshot` replaced, oldest first: a JSON array of documents. Every one of them
    /// may be in a reader's hands, so a new version is checked against each.
    @OptionalField(key: "earlier_snapshots") package var earlierSnapshots: String?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}
}

package struct CreateReporting: ShippedMigration {
    package func prepare(on database: any Database) async throws {
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
        try await sql.raw(
            """
            CREATE INDEX IF NOT EXISTS cases_report ON cases \
            (organisation_id, opened_on, kind, reporter_role, channel, regime, ladder_level, outcome, id)
            """
        ).run()
        try await sql.raw("CREATE INDEX IF NOT EXISTS case_referrals_case_target ON case_referrals (case_id, target)")
            .run()
    }

    package func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX IF EXISTS case_referrals_case_target").run()
        try await sql.raw("DROP INDEX IF EXISTS cases_report").run()
        for table in ["development_entries", "advice", "annual_reports"] {
            try await database.schema(table).delete()
        }
    }
}

extension AnnualReportRecord {
    /// The contract years of an organisation whose annual report has been signed off.
    package static func signedOffYears(of orgID: UUID, on db: any Database) async throws -> [Corrections.SignedOffYear]
    {
        let years = try await ContractYear.query(on: db).filter(\.$organisation.$id == orgID).all()
        let reports = try await AnnualReportRecord.query(on: db).filter(\.$contractYear.$id ~~ years.compactMap(\.id))
            .filter(\.$signedOffOn != nil).all()
        return reports.compactMap { report in
            guard let year = years.first(where: { $0.id == report.$contractYear.id }) else { return nil }
            // Any value counts as signed off: a day we cannot read never unfreezes a year.
            return .init(
                start: year.startsOn, end: year.endsOn,
                signedOn: report.signedOffOn.flatMap(Day.init(iso:)) ?? year.endsOn)
        }
    }

    /// Why hours or an activity may not be written on `day`: a signed-off annual report covers it.
    package static func refusalToAdd(organisation orgID: UUID, on day: Day, db: any Database) async throws -> String? {
        Corrections.refusal(touching: [day], signedOff: try await AnnualReportRecord.signedOffYears(of: orgID, on: db))
    }
}
