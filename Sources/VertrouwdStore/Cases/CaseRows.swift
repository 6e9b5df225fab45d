import FluentKit
import Foundation

/// What the case page and the case file read besides the case row, one query per kind of row,
/// each bounded by the one case (and its people loaded with it). The rows stay sealed: the page
/// opens them with `OpenCase.open`.
package struct CaseRows {
    package let doneSteps: [CaseStep]
    package let escalations: [CaseEscalation]
    package let referrals: [CaseReferral]
    package let reports: [CaseReportOnBehalf]
    package let appointments: [CaseAppointment]
    /// Newest first.
    package let notes: [CaseNote]
    /// Newest first.
    package let entries: [TimeEntry]
    package let shares: [CaseShare]
    /// The counsellors the case may be shared with; read for its owner only.
    package let substitutes: [User]

    /// Reads them for a case opened through `CaseAccess` (so the reader may read it), and loads
    /// the case's organisation and categories on its row.
    package static func read(_ c: OpenCase, on db: any Database) async throws -> CaseRows {
        let id = c.id
        let r = c.record
        try await r.$organisation.load(on: db)
        try await r.$categories.load(on: db)
        return CaseRows(
            doneSteps: try await CaseStep.query(on: db).filter(\.$case.$id == id).all(),
            escalations: try await CaseEscalation.query(on: db).filter(\.$case.$id == id).with(\.$consent)
                .sort(\.$onDay).all(),
            referrals: try await CaseReferral.query(on: db).filter(\.$case.$id == id).with(\.$consent)
                .sort(\.$onDay).all(),
            reports: try await CaseReportOnBehalf.query(on: db).filter(\.$case.$id == id).with(\.$consent)
                .sort(\.$onDay).all(),
            appointments: try await CaseAppointment.query(on: db).filter(\.$case.$id == id).sort(\.$startsAt).all(),
            notes: try await CaseNote.query(on: db).filter(\.$case.$id == id).with(\.$author)
                .sort(\.$createdAt, .descending).all(),
            entries: try await TimeEntry.query(on: db).filter(\.$caseID == id).with(\.$user)
                .sort(\.$onDay, .descending).all(),
            shares: try await CaseShare.query(on: db).filter(\.$case.$id == id).with(\.$user).all(),
            substitutes: c.isOwner ? try await User.substitutes(for: r, on: db) : [])
    }
}
