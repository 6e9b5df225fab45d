import Foundation
import FluentKit
import VertrouwdCore

/// A client organisation (*opdrachtgever*).
package final class Organisation: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "organisations"

    // managed fields
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    // data fields
    @Field(key: "name") package var name: String
    /// The public address `/o/{slug}`, printed on posters: never changes once published.
    @Field(key: "slug") package var slug: String
    @Field(key: "sector") package var sector: String
    @Field(key: "employees") package var employees: Int
    /// Coarse departments, one per line: only for trend signals.
    @Field(key: "departments") package var departments: String
    @Field(key: "phone") package var phone: String
    @Field(key: "whatsapp") package var whatsapp: String
    @Field(key: "email") package var email: String
    /// When the counsellor can be reached (workdays and hours), shown on the public page.
    @Field(key: "availability") package var availability: String
    /// The counsellor is this organisation's channel for reports of suspected wrongdoing under
    /// the Wet bescherming klokkenluiders: only then does the public form offer the WBK tick.
    @Field(key: "whistleblower_channel") package var whistleblowerChannel: Bool
    /// The complaints committee (*klachtencommissie*): its name and address, for the public page
    /// and the complaints procedure.
    @Field(key: "complaints_committee") package var complaintsCommittee: String

    // relationships
    @Children(for: \.$organisation) package var contacts: [OrganisationContact]
    @Children(for: \.$organisation) package var phases: [EngagementPhaseRecord]
    @Children(for: \.$organisation) package var contractYears: [ContractYear]
    @Siblings(through: OrganisationCounsellor.self, from: \.$organisation, to: \.$user) package var counsellors: [User]

    package init() {}

    package var departmentList: [String] {
        departments.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }

    package var sectorValue: Sector? { Sector(rawValue: sector) }
}

/// A contact person at the organisation: directie, HR, OR, internal counsellor.
package final class OrganisationContact: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "organisation_contacts"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "organisation_id") package var organisation: Organisation
    @Field(key: "role") package var role: ContactRole
    @Field(key: "name") package var name: String
    @Field(key: "email") package var email: String
    @Field(key: "phone") package var phone: String

    package init() {}
}

/// A dated phase of the engagement pipeline.
package final class EngagementPhaseRecord: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "organisation_phases"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "organisation_id") package var organisation: Organisation
    @Field(key: "phase") package var phase: EngagementPhase
    @Field(key: "on_day") package var onDay: Day
    @Field(key: "note") package var note: String

    package init() {}
}

/// A counsellor assigned to an organisation.
package final class OrganisationCounsellor: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "organisation_counsellors"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "organisation_id") package var organisation: Organisation
    @Parent(key: "user_id") package var user: User

    package init() {}
}

/// A contract year (*abonnementsjaar*) with its budget of hours (*tegoed aan uren*).
package final class ContractYear: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "contract_years"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "organisation_id") package var organisation: Organisation
    @Field(key: "starts_on") package var startsOn: Day
    @Field(key: "ends_on") package var endsOn: Day
    @Field(key: "budget_minutes") package var budgetMinutes: Int
    /// Focus points (*speerpunten*) agreed for the next year.
    @Field(key: "focus_points") package var focusPoints: String
    /// The hourly rate agreed, in euro cents (nil: none), for the hours statement.
    @OptionalField(key: "hourly_rate_cents") package var hourlyRateCents: Int?

    package init() {}

    package var start: Day { startsOn }
    package var end: Day { endsOn }

    package func contains(_ day: Day) -> Bool { start <= day && day <= end }
}

/// Time spent, in quarter hours: on a case, or on other work for an organisation. Work outside a
/// case with a kind is an *activity* (a workshop, an information session, an advice).
package final class TimeEntry: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "time_entries"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "organisation_id") package var organisation: Organisation
    @Parent(key: "user_id") package var user: User
    @OptionalField(key: "case_id") package var caseID: UUID?
    @Field(key: "on_day") package var onDay: Day
    @Field(key: "minutes") package var minutes: Int
    /// What the work was, for work outside a case (never case content).
    @Field(key: "description") package var description: String
    /// For an activity: its `ActivityKind`.
    @OptionalField(key: "activity_kind") package var activityKind: ActivityKind?
    @OptionalField(key: "participants") package var participants: Int?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}
    package init(
        organisationID: UUID, userID: UUID, caseID: UUID? = nil, on day: Day, minutes: Int, description: String
    ) {
        self.$organisation.id = organisationID
        self.$user.id = userID
        self.caseID = caseID
        self.onDay = day
        self.minutes = minutes
        self.description = description
    }
}

package struct CreateOrganisations: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("organisations")
            .id()
            .field("name", .string, .required)
            .field("slug", .string, .required)
            .field("sector", .string, .required)
            .field("employees", .int, .required)
            .field("departments", .string, .required)
            .field("phone", .string, .required)
            .field("whatsapp", .string, .required)
            .field("email", .string, .required)
            .field("availability", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "slug")
            .create()
        try await database.schema("organisation_contacts")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("name", .string, .required)
            .field("email", .string, .required)
            .field("phone", .string, .required)
            .create()
        try await database.schema("organisation_phases")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("phase", .string, .required)
            .field("on_day", .string, .required)
            .field("note", .string, .required)
            .create()
        try await database.schema("organisation_counsellors")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .unique(on: "organisation_id", "user_id")
            .create()
        try await database.schema("contract_years")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("starts_on", .string, .required)
            .field("ends_on", .string, .required)
            .field("budget_minutes", .int, .required)
            .field("focus_points", .string, .required)
            .unique(on: "organisation_id", "starts_on")
            .create()
    }

    package func revert(on database: any Database) async throws {
        for table in [
            "contract_years", "organisation_counsellors", "organisation_phases", "organisation_contacts",
            "organisations"
        ] {
            try await database.schema(table).delete()
        }
    }
}

package struct CreateTimeEntries: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("time_entries")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("case_id", .uuid, .references("cases", "id", onDelete: .setNull))
            .field("on_day", .string, .required)
            .field("minutes", .int, .required)
            .field("description", .string, .required)
            .field("created_at", .datetime)
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("time_entries").delete()
    }
}

/// Activities are time entries with a kind and, for sessions, a number of participants.
package struct AddActivityFields: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("time_entries").field("activity_kind", .string).update()
        try await database.schema("time_entries").field("participants", .int).update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("time_entries").deleteField("participants").update()
        try await database.schema("time_entries").deleteField("activity_kind").update()
    }
}
