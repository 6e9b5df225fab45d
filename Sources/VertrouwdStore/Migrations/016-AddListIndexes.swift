import Foundation
import FluentKit
import SQLKit

/// 16: indexes for a practice of a hundred thousand cases (`vertrouwd benchmark-pages`). Every
/// page reads a case's rows by `case_id`, a counsellor's cases by `counsellor_id`, and an
/// organisation's rows by `organisation_id`; without these each of those reads a whole table.
/// (Unique constraints already index `case_categories`, `case_steps`, `case_shares (case_id, …)`,
/// `mailboxes`, `contract_years`, `organisation_counsellors (organisation_id, …)` and
/// `policy_documents`; `cases_report` leads with `organisation_id, opened_on`.)
package struct AddListIndexes: ShippedMigration {
    package static let indexes: [(name: String, table: String, columns: String)] = [
        // The case list, newest first, picked from the index alone; a counsellor's cases by
        // state (the dashboard's open cases, its retention list by closing day).
        ("cases_counsellor", "cases", "counsellor_id, opened_on, reference, id"),
        (
            "cases_counsellor_status", "cases",
            "counsellor_id, status, destroyed_on, closed_on, opened_on, reference, id"
        ),
        // Open cases per organisation (dashboard, organisation page).
        ("cases_organisation_status", "cases", "organisation_id, status"),
        // The case page's rows.
        ("case_consents_case", "case_consents", "case_id"),
        ("case_escalations_case", "case_escalations", "case_id"),
        ("case_reports_on_behalf_case", "case_reports_on_behalf", "case_id"),
        ("case_appointments_case", "case_appointments", "case_id"),
        ("case_notes_case", "case_notes", "case_id"),
        ("case_attachments_case", "case_attachments", "case_id"),
        ("mailbox_messages_case", "mailbox_messages", "case_id, created_at"),
        ("mailbox_sessions_mailbox", "mailbox_sessions", "mailbox_id"),
        ("reporter_requests_case", "reporter_requests", "case_id"),
        ("time_entries_case", "time_entries", "case_id"),
        // A counsellor's appointments (dashboard, calendar feed), shares and organisations.
        ("case_appointments_counsellor", "case_appointments", "counsellor_id, starts_at"),
        ("case_shares_user", "case_shares", "user_id"),
        ("organisation_counsellors_user", "organisation_counsellors", "user_id"),
        ("staff_sessions_user", "staff_sessions", "user_id"),
        ("development_entries_user", "development_entries", "user_id"),
        // An organisation's rows: hours in a contract year (summed from the index alone),
        // contacts, phases, advice.
        ("time_entries_organisation", "time_entries", "organisation_id, on_day, minutes"),
        ("organisation_contacts_organisation", "organisation_contacts", "organisation_id"),
        ("organisation_phases_organisation", "organisation_phases", "organisation_id, on_day"),
        ("advice_organisation", "advice", "organisation_id")
    ]

    package func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for index in Self.indexes {
            try await sql.raw(
                """
                    CREATE INDEX IF NOT EXISTS \(unsafeRaw: index.name) ON \(unsafeRaw: index.table) \
                    (\(unsafeRaw: index.columns))
                    """
            ).run()
        }
    }

    package func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for index in Self.indexes.reversed() {
            try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: index.name)").run()
        }
    }
}
