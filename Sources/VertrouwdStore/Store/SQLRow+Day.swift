import SQLKit
import VertrouwdCore

extension SQLRow {
    /// A day column (`yyyy-MM-dd` text): nil when NULL, an error when it does not read as a day.
    package func day(_ column: String) throws -> Day? {
        guard let iso = try decode(column: column, as: String?.self) else { return nil }
        guard let day = Day(iso: iso) else { throw StoreError.inconsistent("\(column) is not a day") }
        return day
    }

    /// A day column that may not be NULL.
    package func requiredDay(_ column: String) throws -> Day {
        guard let day = try day(column) else { throw StoreError.inconsistent("\(column) is empty") }
        return day
    }
}
