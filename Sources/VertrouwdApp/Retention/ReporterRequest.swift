import Fluent
import Vapor
import VertrouwdCore

/// A reporter's request about their own file, made in the mailbox: to correct it or to delete it
/// (AVG art. 16 and 17). The counsellor answers within a month; both are audited.
final class ReporterRequest: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "reporter_requests"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var `case`: Case
    @Field(key: "kind") var kind: Kind
    /// What the reporter wrote with it (the correction asked for): sealed with the case key.
    @Field(key: "body") var bodySealed: String
    @Field(key: "made_at") var madeAt: Date
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "answer") var answer: Answer?
    /// The counsellor's explanation to the reporter: sealed.
    @Field(key: "answer_note") var answerNoteSealed: String
    @OptionalField(key: "answered_by") var answeredBy: UUID?

    init() {}
    init(id: UUID, caseID: UUID, kind: Kind, at now: Date = Date()) {
        self.id = id
        self.$case.id = caseID
        self.kind = kind
        self.madeAt = now
        self.answerNoteSealed = ""
    }

    enum Kind: String, Codable, Sendable { case correction, deletion }

    /// Corrections that may wait for an answer at once.
    static let openCorrections = 5
    enum Answer: String, Codable, Sendable { case granted, refused }

    /// The counsellor's note, once answered (sealed then; empty before).
    func answerNote(_ c: OpenCase) throws -> String {
        answerNoteSealed.isEmpty ? "" : try c.open(self, \.$answerNoteSealed)
    }

    /// The legal term for an answer: one month (AVG art. 12(3)).
    var dueOn: Day { Day(madeAt).adding(months: 1) }
}

/// An epoch that is being or has been deleted from the key file: no new case key is wrapped
/// with it, and a run that was interrupted finishes deleting it.
final class RetiredEpoch: Model, @unchecked Sendable { // property wrappers: see `User`
    static let schema = "retired_epochs"

    @ID(custom: "epoch", generatedBy: .user) var id: String?
    @Field(key: "retired_at") var retiredAt: Date

    init() {}
    init(_ epoch: KeyEpoch) {
        self.id = epoch.label
        self.retiredAt = Date()
    }
}
