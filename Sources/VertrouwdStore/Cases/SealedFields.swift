import FluentKit
import Foundation
import VertrouwdCore

/// A row that holds what a person wrote, sealed with its case's key (the `…Sealed` fields).
///
/// Each such model names its sealed columns here, once. Destroying a case (`CaseWriter.destroy`)
/// goes through `SealedRows.all` and empties or deletes every row by that list; the benchmark and
/// report fixtures fill them by it. `SealedFieldTests` reads a filled database and fails when a
/// column holds sealed values that no list names, or a model has a `…Sealed` field left out.
package protocol CaseSealedRow: Model where IDValue == UUID {
    /// Every sealed text column of the row.
    static var sealedText: [KeyPath<Self, FieldProperty<Self, String>>] { get }
    /// Every sealed binary column (an attachment's bytes).
    static var sealedData: [KeyPath<Self, FieldProperty<Self, Data>>] { get }
    /// What destroying its case does to the row.
    static var whenDestroyed: WhenDestroyed { get }
    /// The row's case.
    static var caseColumn: FieldKey { get }
}

/// What destroying a case does to one of its sealed rows.
package enum WhenDestroyed: Sendable {
    /// The row stays (it is counted: a consent, a step on the ladder, a referral); its sealed
    /// text is emptied.
    case emptied
    /// The row goes (a note, a message, an attachment, an appointment, a share).
    case deleted
}

extension CaseSealedRow {
    package static var sealedData: [KeyPath<Self, FieldProperty<Self, Data>>] { [] }
    package static var caseColumn: FieldKey { "case_id" }

    /// The columns as the schema names them (`case_notes.body`).
    package static var sealedColumns: [String] {
        let row = Self()
        return sealedText.map { "\(schema).\(row[keyPath: $0].key.description)" }
            + sealedData.map { "\(schema).\(row[keyPath: $0].key.description)" }
    }

    /// Every sealed text of `row` set to the empty string (a fixture's row without contents).
    package static func clearSealedText(of row: Self) {
        for field in sealedText { row[keyPath: field].value = "" }
        for field in sealedData { row[keyPath: field].value = Data() }
    }

    /// Empties or deletes this model's rows of case `caseID`, as `whenDestroyed` says.
    package static func destroyContents(ofCase caseID: UUID, on db: any Database) async throws {
        let rows = query(on: db).filter(.path([caseColumn], schema: schema), .equal, .bind(caseID))
        switch whenDestroyed {
        case .deleted:
            try await rows.delete()
        case .emptied:
            for field in sealedText { rows.set(field, to: "") }
            for field in sealedData { rows.set(field, to: Data()) }
            try await rows.update()
        }
    }
}

/// Every model with sealed case contents, the case itself first.
package enum SealedRows {
    /// (A row before the rows it refers to: an attachment's pieces before the attachment.)
    package static let all: [any CaseSealedRow.Type] = [
        Case.self, CaseNote.self, AttachmentChunk.self, Attachment.self, MailboxMessage.self, CaseAppointment.self,
        CaseShare.self, CaseConsent.self, CaseEscalation.self, CaseReferral.self, CaseReportOnBehalf.self,
        ReporterRequest.self
    ]

    /// Sealed with the master key rather than a case key: a second factor's secret, the key check.
    package static let masterSealedColumns = ["users.totp_secret", "practice.key_check"]

    /// Every column that holds sealed values, as the schema names them.
    package static var columns: Set<String> {
        Set(all.flatMap { $0.sealedColumns } + masterSealedColumns)
    }
}

extension Case: CaseSealedRow {
    package static var sealedText: [KeyPath<Case, FieldProperty<Case, String>>] {
        [
            \.$summarySealed, \.$reporterWordsSealed, \.$reporterNameSealed, \.$reporterContactSealed, \.$accusedSealed,
            \.$peerSummarySealed, \.$closingNoteSealed, \.$legalHoldReasonSealed, \.$reporterLanguageSealed
        ]
    }
    /// The case row stays with its plain facts (the annual report counts them).
    package static let whenDestroyed = WhenDestroyed.emptied
    package static var caseColumn: FieldKey { "id" }
}

extension CaseConsent: CaseSealedRow {
    package static var sealedText: [KeyPath<CaseConsent, FieldProperty<CaseConsent, String>>] { [\.$remarkSealed] }
    package static let whenDestroyed = WhenDestroyed.emptied
}

extension CaseEscalation: CaseSealedRow {
    package static var sealedText: [KeyPath<CaseEscalation, FieldProperty<CaseEscalation, String>>] { [\.$noteSealed] }
    package static let whenDestroyed = WhenDestroyed.emptied
}

extension CaseReferral: CaseSealedRow {
    package static var sealedText: [KeyPath<CaseReferral, FieldProperty<CaseReferral, String>>] { [\.$noteSealed] }
    package static let whenDestroyed = WhenDestroyed.emptied
}

extension CaseReportOnBehalf: CaseSealedRow {
    package static var sealedText: [KeyPath<CaseReportOnBehalf, FieldProperty<CaseReportOnBehalf, String>>] {
        [\.$noteSealed]
    }
    package static let whenDestroyed = WhenDestroyed.emptied
}

extension CaseAppointment: CaseSealedRow {
    package static var sealedText: [KeyPath<CaseAppointment, FieldProperty<CaseAppointment, String>>] {
        [\.$placeSealed]
    }
    package static let whenDestroyed = WhenDestroyed.deleted
}

extension CaseNote: CaseSealedRow {
    package static var sealedText: [KeyPath<CaseNote, FieldProperty<CaseNote, String>>] { [\.$bodySealed] }
    package static let whenDestroyed = WhenDestroyed.deleted
}

extension CaseShare: CaseSealedRow {
    package static var sealedText: [KeyPath<CaseShare, FieldProperty<CaseShare, String>>] { [\.$reasonSealed] }
    package static let whenDestroyed = WhenDestroyed.deleted
}

extension MailboxMessage: CaseSealedRow {
    package static var sealedText: [KeyPath<MailboxMessage, FieldProperty<MailboxMessage, String>>] { [\.$bodySealed] }
    package static let whenDestroyed = WhenDestroyed.deleted
}

extension Attachment: CaseSealedRow {
    package static var sealedText: [KeyPath<Attachment, FieldProperty<Attachment, String>>] { [\.$filenameSealed] }
    package static var sealedData: [KeyPath<Attachment, FieldProperty<Attachment, Data>>] { [\.$dataSealed] }
    package static let whenDestroyed = WhenDestroyed.deleted
}

extension AttachmentChunk: CaseSealedRow {
    package static var sealedText: [KeyPath<AttachmentChunk, FieldProperty<AttachmentChunk, String>>] { [] }
    package static var sealedData: [KeyPath<AttachmentChunk, FieldProperty<AttachmentChunk, Data>>] { [\.$dataSealed] }
    package static let whenDestroyed = WhenDestroyed.deleted
}

extension ReporterRequest: CaseSealedRow {
    package static var sealedText: [KeyPath<ReporterRequest, FieldProperty<ReporterRequest, String>>] {
        [
            \.$bodySealed, \.$answerNoteSealed
        ]
    }
    /// The request and its answer stay (the reporter's rights are on record); their words go.
    package static let whenDestroyed = WhenDestroyed.emptied
}
