import FluentKit

/// 24: the hourly rate agreed for a contract year (`contract_years.hourly_rate_cents`, euro
/// cents; empty: none agreed), for the hours statement the practice invoices from.
package struct AddHourlyRate: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("contract_years").field("hourly_rate_cents", .int64).update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("contract_years").deleteField("hourly_rate_cents").update()
    }
}
