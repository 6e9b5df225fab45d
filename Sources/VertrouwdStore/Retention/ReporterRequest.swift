import Foundation
import FluentKit
import VertrouwdCore

/// A reporter's request about their own file, made in the mailbox: to correct it or to delete it
/// (AVG art. 16 and 17). The counsellor answers within a month; both are audited.
package final class ReporterRequest: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "reporter_requests"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "case_id") package var `case`: Case
    @Field(key: "kind") package var kind: Kind
    /// What the reporter wrote with it (the correction asked for): sealed with the case key.
    @Field(key: "body") package var bodySealed: String
    @Field(key: "made_at") package var madeAt: Date
    @OptionalField(key: "answered_at") package var answeredAt: Date?
    @OptionalField(key: "answer") package var answer: Answer?
    /// The counsellor's explanation to the reporter: sealed.
    @Field(key: "answer_note") package var answerNoteSealed: String
    @OptionalField(key: "answered_by") package var answeredBy: UUID?

    package init() {}
    package init(id: UUID, caseID: UUID, kind: Kind, at now: Date = Date()) {
        self.id = id
        self.$case.id = caseID
        self.kind = kind
        self.madeAt = now
        self.answerNoteSealed = ""
    }

    package enum Kind: String, Codable, Sendable { case correction, deletion }

    /// Corrections that may wait for an answer at once.
    package static let openCorrections = 5
    package enum Answer: String, Codable, Sendable { case granted, refused }

    /// The counsellor's note, once answered (sealed then; empty before).
    package func answerNote(_ c: OpenCase) throws -> String {
        answerNoteSealed.isEmpty ? "" : try c.open(self, \.$answerNoteSealed)
    }

    /// The legal term for an answer: one month (AVG art. 12(3)).
    package var dueOn: Day { Day(madeAt).adding(months: 1) }

    /// The requests still to answer on a counsellor's cases, the oldest first, with the case's
    /// reference. The practice's few unanswered requests are read first, then which are theirs: a
    /// join led the planner through every one of the counsellor's (thousands of) cases.
    package static func unanswered(
        counsellor userID: UUID, on db: any Database
    ) async throws -> [(request: ReporterRequest, reference: String)] {
        let waiting = try await ReporterRequest.query(on: db).filter(\.$answeredAt == nil).sort(\.$madeAt).all()
        guard !waiting.isEmpty else { return [] }
        let references = try await Case.references(of: Set(waiting.map(\.$case.id)), counsellor: userID, on: db)
        return waiting.compactMap { r in references[r.$case.id].map { (r, $0) } }
    }
}

/// An epoch that is being or has been deleted from the key file: no new case key is wrapped
/// with it, and a run that was interrupted finishes deleting it.
package final class RetiredEpoch: Model, @unchecked Sendable {  // property wrappers: see `User`
    package static let schema = "retired_epochs"

    @ID(custom: "epoch", generatedBy: .user) package var id: String?
    @Field(key: "retired_at") package var retiredAt: Date

    package init() {}
    package init(_ epoch: KeyEpoch) {
        self.id = epoch.label
        self.retiredAt = Date()
    }
}
