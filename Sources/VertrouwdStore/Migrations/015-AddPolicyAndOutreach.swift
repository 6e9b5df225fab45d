import Foundation
import FluentKit
import FluentSQL
import SQLKit
import VertrouwdCore

/// 15: what the organisation and its employees read.
/// - `practice.response_workdays`: "we usually answer within N working days" on the public pages;
/// - `organisations.whistleblower_channel`: the counsellor is this organisation's channel for
///   reports under the Wet bescherming klokkenluiders (the WBK tick and the external-reporting
///   information appear only then), set for organisations of 50 or more employees, which offered
///   the tick before; `organisations.complaints_committee`: its name and address;
/// - `cases.reporter_language`: the language the reporter wrote in (`nl`/`en`), sealed, for the
///   acknowledgement (empty for older cases);
/// - `policy_templates`: the practice's own templates (the built-in ones until edited);
/// - `policy_documents`: an organisation's policy documents, one row per version.
package struct AddPolicyAndOutreach: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.transaction { try await prepareSteps(on: $0) }
    }

    private func prepareSteps(on database: any Database) async throws {
        try await database.schema("practice")
            .field("response_workdays", .int, .required, .sql(.default(2)))
            .update()
        // One column per statement: SQLite adds them one at a time.
        try await database.schema("organisations")
            .field("whistleblower_channel", .bool, .required, .sql(.default(false)))
            .update()
        // Until now every organisation offered the WBK tick; those that must have a meldregeling
        // (50 or more employees) keep it, the admin decides for the others.
        try await (database as! any SQLDatabase).update("organisations")
            .set("whistleblower_channel", to: SQLLiteral.boolean(true))
            .where("employees", .greaterThanOrEqual, SQLBind(OrganisationRules.whistleblowerProcedureThreshold))
            .run()
        try await database.schema("organisations")
            .field("complaints_committee", .string, .required, .sql(.default("")))
            .update()
        try await database.schema("cases")
            .field("reporter_language", .string, .required, .sql(.default("")))
            .update()
        try await database.schema("policy_templates")
            .field("kind", .string, .identifier(auto: false))
            .field("body", .string, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .string, .required)
            .create()
        try await database.schema("policy_documents")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("version", .int, .required)
            .field("status", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .field("adopted_on", .string)
            .field("adopted_by", .string, .required)
            .field("works_council_consent_on", .string)
            .field("no_works_council", .bool, .required, .sql(.default(false)))
            .unique(on: "organisation_id", "kind", "version")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("policy_documents").delete()
        try await database.schema("policy_templates").delete()
        try await database.schema("cases").deleteField("reporter_language").update()
        try await database.schema("organisations").deleteField("complaints_committee").update()
        try await database.schema("organisations").deleteField("whistleblower_channel").update()
        try await database.schema("practice").deleteField("response_workdays").update()
    }
}
