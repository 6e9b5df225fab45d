import Foundation
import FluentKit
import SQLKit
import VertrouwdCore

/// A refusal for one field of a form, found inside the unit of work (e.g. a share that exists).
package struct FieldRefusal: Error {
    package let field: String
    package let message: String
}

/// The one way to create or change a case (*melding*) and its sealed rows: the staff forms, the
/// public channel, the reporter's mailbox, the demo and the CLI all come through here.
///
/// Every method is one unit of work: it runs in a transaction, reads the case row again inside
/// it (locked on PostgreSQL, under the write lock on SQLite), applies the rules of
/// `CaseLifecycle` and the consent rules (`ConsentRule`, `RegimeRule`), seals what a person
/// wrote with the case key (the additional data is taken from the model's schema, the row id and
/// the column), and appends its audit entry **in the same transaction**: the change and its entry
/// are saved together, or neither is.
package struct CaseWriter: Sendable {
    package let store: Store
    /// Who the audit log names: `user:<id>`, `reporter` or `cli`.
    package let actor: String
    /// The staff member who records consents, notes, shares and hours; nil for the reporter.
    package let userID: UUID?

    package init(store: Store, actor: String, userID: UUID?) {
        self.store = store
        self.actor = actor
        self.userID = userID
    }

    /// A writer acting as a staff member.
    package init(store: Store, staff userID: UUID) {
        self.init(store: store, actor: "user:\(userID.uuidString)", userID: userID)
    }

    /// A writer for the anonymous reporter (the public form and the mailbox).
    package static func reporter(_ store: Store) -> CaseWriter {
        CaseWriter(store: store, actor: "reporter", userID: nil)
    }

    /// Consent (or a legal duty) for a step towards a third party, with its remark.
    package struct Consent: Sendable {
        package let basis: ConsentBasis
        package let remark: String

        package init(basis: ConsentBasis, remark: String) {
            self.basis = basis
            self.remark = remark
        }
    }

    // MARK: the unit of work

    /// What a closed case still takes: only these changes, everything else is refused.
    private enum OnClosedCase { case refuse, allow }

    /// Runs `body` on the case as it is now in the database, in one transaction with the audit
    /// entry `action` (chosen from that row). A closed case is refused unless `closed` allows it.
    /// (`c.record` keeps the values it was opened with: handlers redirect after.)
    @discardableResult
    private func change<T: Sendable>(
        _ c: OpenCase, _ action: String, detail: String = "", closed: OnClosedCase = .refuse,
        _ body: @escaping @Sendable (Case, any Database) async throws -> T
    ) async throws -> T {
        try await change(id: c.id, { _ in action }, detail: detail, closed: closed, body)
    }

    @discardableResult
    private func change<T: Sendable>(
        id: UUID, _ action: @escaping @Sendable (Case) -> String, detail: String = "", closed: OnClosedCase = .refuse,
        _ body: @escaping @Sendable (Case, any Database) async throws -> T
    ) async throws -> T {
        try await store.transaction { db in
            if store.dialect == .postgres, let sql = db as? any SQLDatabase {
                try await sql.raw("SELECT id FROM cases WHERE id = \(bind: id) FOR UPDATE").run()
            }
            guard let row = try await Case.find(id, on: db) else { throw StoreError.notFound }
            // A destroyed case takes nothing more: its key is gone.
            if row.destroyedOn != nil { throw Keyring.KeyError.destroyed }
            if closed == .refuse { try row.lifecycle.requireChangeable() }
            let action = action(row)
            let result = try await body(row, db)
            if row.hasChanges { try await row.save(on: db) }
            Writes.current?.touch(organisation: row.$organisation.id)
            try await Audit.record(action, subject: "case:\(id)", detail: detail, actor: actor, store: store, db: db)
            return result
        }
    }

    /// Applies a transition of the lifecycle to the row: it changes, or the refusal is thrown and
    /// nothing is saved.
    private func transition(_ row: Case, _ rule: (inout CaseLifecycle) throws -> Void) throws {
        var life = row.lifecycle
        try rule(&life)
        row.lifecycle = life
    }

    // MARK: creating a case

    /// Creates the case with a fresh key and the next reference of its year, audited as `action`.
    package func create(_ intake: CaseIntake, action: String = "case.create") async throws -> OpenCase {
        try await create(intake, action: action) { _, _ in }.0
    }

    /// Creates the case and runs `also` (say, opening its mailbox) in the same transaction, and
    /// returns what it made. Two intakes at the same moment may pick the same number; the unique
    /// reference refuses one and it retries.
    package func create<T: Sendable>(
        _ intake: CaseIntake, action: String,
        also: @escaping @Sendable (OpenCase, any Database) async throws -> T
    ) async throws -> (OpenCase, T) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await store.transaction { db in
                    let c = try await insert(intake, on: db)
                    Writes.current?.touch(organisation: intake.organisationID)
                    let made = try await also(c, db)
                    try await Audit.record(action, subject: "case:\(c.id)", actor: actor, store: store, db: db)
                    return (c, made)
                }
            } catch let error as any DatabaseError where error.isConstraintFailure && attempt < 8 {
                continue
            }
        }
    }

    private func insert(_ intake: CaseIntake, on db: any Database) async throws -> OpenCase {
        // Numbering takes turns across instances (SQLite writers already do, see
        // `Store.transaction`); the unique reference stays the last guard.
        try await AdvisoryLock.numbering.holdUntilCommit(on: db)
        let id = UUID()
        let epoch = try await CaseKeys.epochForNewCase(openedOn: intake.openedOn, keys: store.keys, on: db)
        let (key, keyID, wrapped) = try store.keys.newCaseKey(for: id, epoch: epoch)
        let highest = try await Case.query(on: db).filter(\.$referenceYear == intake.openedOn.year)
            .sort(\.$referenceNumber, .descending).field(\.$referenceNumber).first()?.referenceNumber
        let reference = CaseReference.next(year: intake.openedOn.year, highestUsed: highest)
        let record = Case(id: id, reference: reference, intake: intake, keyID: keyID, wrappedKey: wrapped)
        let c = try OpenCase(record: record, key: key, isOwner: true)
        let texts: [KeyPath<Case, FieldProperty<Case, String>>: String] = [
            \.$summarySealed: intake.summary, \.$reporterWordsSealed: intake.reporterWords?.stored ?? "",
            \.$reporterNameSealed: intake.reporterName, \.$reporterContactSealed: intake.reporterContact,
            \.$accusedSealed: intake.accused, \.$reporterLanguageSealed: intake.reporterLanguage?.rawValue ?? ""
        ]
        // Every sealed field of the list, those the intake leaves empty too: none is left in the clear.
        for field in Case.sealedText { try c.seal(texts[field] ?? "", into: record, field) }
        try await record.create(on: db)
        for category in Set(intake.categories) {
            try await CaseCategoryRecord(caseID: id, category: category).create(on: db)
        }
        return c
    }

    // MARK: the case's own fields

    /// What the details form sets.
    package struct Details: Sendable {
        package var kind: CaseKind
        package var categories: [CaseCategory]
        package var reporterRole: ReporterRole
        package var channel: IntakeChannel
        package var department: String
        package var relation: AccusedRelation
        package var regime: Regime
        package var summary: String
        package var accused: String

        package init(
            kind: CaseKind, categories: [CaseCategory], reporterRole: ReporterRole, channel: IntakeChannel,
            department: String, relation: AccusedRelation, regime: Regime, summary: String, accused: String
        ) {
            self.kind = kind
            self.categories = categories
            self.reporterRole = reporterRole
            self.channel = channel
            self.department = department
            self.relation = relation
            self.regime = regime
            self.summary = summary
            self.accused = accused
        }
    }

    /// Sets the details; a case that came in through the website is accepted with it (audited as
    /// `case.accept`). Turning a confidential conversation into a whistleblower report needs the
    /// reporter's consent (`RegimeRule`), which is stored with it.
    package func updateDetails(_ c: OpenCase, _ d: Details, regimeConsent: Consent?, today: Day) async throws {
        try await change(id: c.id, { $0.status == .new ? "case.accept" : "case.details" }) { row, db in
            if row.status == .new { try transition(row) { try $0.accept() } }
            let problem = RegimeRule.check(from: row.regime, to: d.regime, basis: regimeConsent?.basis, today: today)
            if let problem { throw problem }
            let becomesReport = row.regime == .confidential && d.regime == .whistleblower
            if becomesReport {
                try await record(regimeConsent, step: "regime:whistleblower", c, on: db)
                row.whistleblowerReceivedOn = today
            }
            row.kind = d.kind; row.reporterRole = d.reporterRole; row.channel = d.channel; row.department = d.department
            row.relation = d.relation; row.regime = d.regime
            try c.seal(d.summary, into: row, \.$summarySealed)
            try c.seal(d.accused, into: row, \.$accusedSealed)
            try await CaseCategoryRecord.query(on: db).filter(\.$case.$id == c.id).delete()
            for category in Set(d.categories) {
                try await CaseCategoryRecord(caseID: c.id, category: category).create(on: db)
            }
        }
    }

    package func setPeerSummary(_ c: OpenCase, _ text: String) async throws {
        try await change(c, "case.peer_summary") { row, _ in
            try c.seal(text, into: row, \.$peerSummarySealed)
        }
    }

    /// The reporter's name and contact details, sealed apart from the story. Allowed on a closed
    /// case too: a reporter may ask for them to be corrected or removed.
    package func setIdentity(_ c: OpenCase, name: String, contact: String) async throws {
        try await change(c, "case.identity", closed: .allow) { row, _ in
            try c.seal(name, into: row, \.$reporterNameSealed)
            try c.seal(contact, into: row, \.$reporterContactSealed)
        }
    }

    // MARK: the lifecycle

    package func recordWhistleblowerDates(
        _ c: OpenCase, acknowledgedOn: Day?, feedbackOn: Day?, today: Day
    ) async throws {
        try await change(c, "case.wbk") { row, _ in
            try transition(row) {
                try $0.recordWhistleblowerDates(acknowledgedOn: acknowledgedOn, feedbackOn: feedbackOn, today: today)
            }
        }
    }

    package func planAftercare(_ c: OpenCase, on day: Day) async throws {
        try await change(c, "case.aftercare") { row, _ in try transition(row) { try $0.planAftercare(on: day) } }
    }

    package func close(_ c: OpenCase, _ outcome: Outcome, on day: Day, note: String, today: Day) async throws {
        try await change(c, "case.close", detail: outcome.rawValue) { row, _ in
            try transition(row) { try $0.close(outcome, on: day, today: today) }
            try c.seal(note, into: row, \.$closingNoteSealed)
        }
    }

    package func reopen(_ c: OpenCase) async throws {
        try await change(c, "case.reopen", closed: .allow) { row, _ in try transition(row) { try $0.reopen() } }
    }

    /// A step on the ladder; from level 2 on, with the consent that covers it.
    package func escalate(
        _ c: OpenCase, to level: LadderLevel, on day: Day, note: String, consent: Consent?, today: Day
    ) async throws {
        try await change(c, "case.escalation", detail: String(level.rawValue)) { row, db in
            try transition(row) { try $0.escalate(to: level, on: day, today: today) }
            if let problem = ConsentRule.check(.escalation(level), basis: consent?.basis, today: today) {
                throw problem
            }
            let escalation = CaseEscalation(id: UUID(), caseID: c.id, level: level, on: day)
            escalation.$consent.id =
                level.involvesThirdParty
                ? try await record(consent, step: "escalation:\(level.rawValue)", c, on: db) : nil
            try c.seal(note, into: escalation, \.$noteSealed)
            try await escalation.create(on: db)
        }
    }

    /// A referral; passing on the reporter's personal data needs consent.
    package func refer(
        _ c: OpenCase, to target: ReferralTarget, on day: Day, passesPersonalData: Bool, note: String,
        consent: Consent?, today: Day
    ) async throws {
        try await change(c, "case.referral", detail: target.rawValue) { row, db in
            try row.lifecycle.checkDone(on: day, today: today)
            let step = ThirdPartyStep.referral(target, passesPersonalData: passesPersonalData)
            if let problem = ConsentRule.check(step, basis: consent?.basis, today: today) { throw problem }
            let referral = CaseReferral(
                id: UUID(), caseID: c.id, target: target, on: day, passesPersonalData: passesPersonalData)
            referral.$consent.id =
                passesPersonalData ? try await record(consent, step: "referral:\(target.rawValue)", c, on: db) : nil
            try c.seal(note, into: referral, \.$noteSealed)
            try await referral.create(on: db)
        }
    }

    /// A report to management on the reporter's behalf: always with consent or a legal duty.
    package func reportOnBehalf(
        _ c: OpenCase, on day: Day, anonymous: Bool, note: String, consent: Consent?, today: Day
    ) async throws {
        try await change(c, "case.report_on_behalf") { row, db in
            try row.lifecycle.checkDone(on: day, today: today)
            if let problem = ConsentRule.check(.reportOnBehalf, basis: consent?.basis, today: today) { throw problem }
            guard let consentID = try await record(consent, step: "report_on_behalf", c, on: db) else {
                throw StoreError.inconsistent("a consent was recorded but has no id")
            }
            let report = CaseReportOnBehalf(
                id: UUID(), caseID: c.id, on: day, anonymous: anonymous, consentID: consentID)
            try c.seal(note, into: report, \.$noteSealed)
            try await report.create(on: db)
        }
    }

    /// Ticks a step of the checklist off on a day (once), or undoes it.
    package func tick(_ c: OpenCase, step: WorkflowStep, on day: Day, today: Day) async throws {
        try await change(c, "case.step", detail: step.code) { row, db in
            try row.lifecycle.checkDone(on: day, today: today)
            if try await CaseStep.query(on: db).filter(\.$case.$id == c.id).filter(\.$step == step.code).count() == 0 {
                try await CaseStep(caseID: c.id, step: step.code, on: day).create(on: db)
            }
        }
    }

    package func untick(_ c: OpenCase, step: WorkflowStep) async throws {
        try await change(c, "case.step.undo", detail: step.code) { _, db in
            try await CaseStep.query(on: db).filter(\.$case.$id == c.id).filter(\.$step == step.code).delete()
        }
    }

    // MARK: the case's other rows

    package func addNote(_ c: OpenCase, _ body: String) async throws {
        try await change(c, "case.note") { _, db in
            let note = CaseNote(id: UUID(), caseID: c.id, authorID: try staffID())
            try c.seal(body, into: note, \.$bodySealed)
            try await note.create(on: db)
        }
    }

    package func addAppointment(
        _ c: OpenCase, startsAt: String, minutes: Int, mode: AppointmentMode, place: String
    ) async throws {
        try await change(c, "case.appointment") { row, db in
            let appointment = CaseAppointment(
                id: UUID(), caseID: c.id, counsellorID: row.$counsellor.id,
                startsAt: startsAt, minutes: minutes, mode: mode)
            try c.seal(place, into: appointment, \.$placeSealed)
            try await appointment.create(on: db)
        }
    }

    /// Hours on the case, counted against its organisation's contract year.
    package func logTime(_ c: OpenCase, on day: Day, minutes: Int, today: Day) async throws {
        try await change(c, "case.time", detail: String(minutes)) { row, db in
            if day > today { throw CaseLifecycle.Refusal.inTheFuture(.day) }
            if let frozen = try await AnnualReportRecord.refusalToAdd(
                organisation: row.$organisation.id, on: day, db: db)
            {
                throw FieldRefusal(field: "day", message: frozen)
            }
            try await TimeEntry(
                organisationID: row.$organisation.id, userID: try staffID(), caseID: c.id, on: day,
                minutes: minutes, description: "Melding \(row.reference)"
            ).create(on: db)
        }
    }

    /// Corrects an hour entry of the case — a new day and minutes, or nil to remove it — audited
    /// with the reason. Allowed on a closed case; refused (`FieldRefusal` "general") where a
    /// signed-off annual report counts the entry as it is or would become.
    package func correctTime(
        _ c: OpenCase, entryID: UUID, to change: (day: Day, minutes: Int)?, changed fields: [String] = [],
        reason: String,
        today: Day
    ) async throws {
        let action = change == nil ? "correction.remove" : "correction.change"
        let detail =
            "case-time:\(entryID)" + (fields.isEmpty ? "" : " " + fields.joined(separator: ",")) + " · \(reason)"
        try await self.change(c, action, detail: detail, closed: .allow) { row, db in
            guard
                let entry = try await TimeEntry.query(on: db).filter(\.$id == entryID).filter(\.$caseID == c.id).first()
            else {
                throw StoreError.notFound
            }
            let signed = try await AnnualReportRecord.signedOffYears(of: row.$organisation.id, on: db)
            if let refused = Corrections.refusal(
                touching: [entry.onDay] + (change.map { [$0.day] } ?? []), signedOff: signed)
            {
                throw FieldRefusal(field: "", message: refused)
            }
            guard let change else { return try await entry.delete(on: db) }
            if change.day > today { throw CaseLifecycle.Refusal.inTheFuture(.day) }
            entry.onDay = change.day
            entry.minutes = change.minutes
            try await entry.save(on: db)
        }
    }

    /// Hands the case over to another counsellor (an admin's act, when its counsellor leaves or is
    /// ill): the new one owns it, the old one no longer opens it, a share the new one had ends.
    /// Nothing of the case is opened: the admin holds no key to it. Allowed on a closed case (its
    /// retention and the reporter's mailbox still need an owner).
    package func handOver(caseID: UUID, from previous: UUID, to userID: UUID) async throws {
        try await change(
            id: caseID, { _ in "case.handover" }, detail: "from:user:\(previous) to:user:\(userID)", closed: .allow
        ) { row, db in
            // Read inside the lock: a case another hand-over moved meanwhile is not taken along.
            guard row.$counsellor.id == previous else { throw HandOverMoved() }
            row.$counsellor.id = userID
            try await CaseShare.query(on: db).filter(\.$case.$id == caseID).filter(\.$user.$id == userID).delete()
        }
    }

    /// The case was no longer the previous counsellor's when its hand-over came.
    package struct HandOverMoved: Error {}

    /// Shares the case with a substitute counsellor (*vervanger*), with the reason.
    package func share(_ c: OpenCase, with userID: UUID, reason: String, until ends: Day? = nil) async throws {
        try await change(c, "case.share", detail: "user:\(userID)" + (ends.map { " until:\($0.iso)" } ?? "")) { _, db in
            // Checked here too: two quick submits must not both share (the unique index would
            // answer the second with an error page). A share that has ended makes way.
            if try await CaseShare.running(on: db).filter(\.$case.$id == c.id).filter(\.$user.$id == userID).count() > 0
            {
                throw FieldRefusal(field: "user", message: "Deze melding is al met deze vertrouwenspersoon gedeeld.")
            }
            try await CaseShare.query(on: db).filter(\.$case.$id == c.id).filter(\.$user.$id == userID).delete()
            let share = CaseShare(id: UUID(), caseID: c.id, userID: userID, grantedBy: try staffID())
            share.endsOn = ends
            try c.seal(reason, into: share, \.$reasonSealed)
            try await share.create(on: db)
        }
    }

    /// Ends a share: the substitute no longer opens the case.
    package func unshare(_ c: OpenCase, with userID: UUID) async throws {
        try await change(c, "case.unshare", detail: "user:\(userID)", closed: .allow) { _, db in
            try await CaseShare.query(on: db).filter(\.$case.$id == c.id).filter(\.$user.$id == userID).delete()
        }
    }

    // MARK: the mailbox

    /// Opens a mailbox for a case that came in another way; returns the receipt code to pass on.
    package func openMailbox(_ c: OpenCase, _ prepared: MailboxService.Prepared) async throws -> ReceiptCode {
        try await change(c, "mailbox.create") { _, db in
            guard try await Mailbox.query(on: db).filter(\.$case.$id == c.id).count() == 0 else {
                throw StoreError.conflict
            }
            return try await MailboxService.insert(prepared, caseID: c.id, on: db)
        }
    }

    /// A counsellor's message in the mailbox. An acknowledgement dates the whistleblower
    /// acknowledgement today (if not yet); a message marked as the feedback dates that today.
    package func postToMailbox(
        _ c: OpenCase, kind: MailboxMessage.Kind, body: String, isFeedback: Bool = false, today: Day
    ) async throws {
        let action =
            switch kind {
            case .message: "mailbox.reply";
            case .acknowledgement: "mailbox.acknowledge";
            case .record: "mailbox.record"
            }
        // A reporter may still write after the case is closed (the mailbox stays open): a plain
        // answer is allowed then; an acknowledgement or a record belongs to a running case.
        try await change(c, action, closed: kind == .message ? .allow : .refuse) { row, db in
            guard try await Mailbox.query(on: db).filter(\.$case.$id == c.id).count() > 0 else {
                throw StoreError.notFound
            }
            let message = MailboxMessage(id: UUID(), caseID: c.id, sender: .counsellor, kind: kind)
            message.readAt = Date()
            try c.seal(body, into: message, \.$bodySealed)
            try await message.create(on: db)
            // A closed case's WBK dates stay as they were closed with: a late reply is a reply.
            guard row.regime == .whistleblower, row.status != .closed else { return }
            if kind == .acknowledgement, row.acknowledgedOn == nil {
                try transition(row) {
                    try $0.recordWhistleblowerDates(acknowledgedOn: today, feedbackOn: nil, today: today)
                }
            }
            if isFeedback, row.feedbackOn == nil {
                try transition(row) {
                    try $0.recordWhistleblowerDates(
                        acknowledgedOn: $0.acknowledgedOn ?? today, feedbackOn: today, today: today)
                }
            }
        }
    }

    /// A message from the reporter, with its files: at most `MailboxThrottle.messagesPerDay` in
    /// 24 hours, counted inside the transaction that adds it (a message or a correction).
    package func postFromReporter(
        _ c: OpenCase, mailbox: Mailbox, body: String, files: [Attachments.Checked]
    ) async throws {
        try await change(c, "mailbox.message", closed: .allow) { _, db in
            let sentToday = try await MailboxMessage.query(on: db).filter(\.$case.$id == c.id).filter(
                \.$sender == .reporter
            )
            .filter(\.$createdAt > Date().addingTimeInterval(-86_400)).count()
            guard sentToday < MailboxThrottle.messagesPerDay else { throw TooManyMessages() }
            let message = MailboxMessage(id: UUID(), caseID: c.id, sender: .reporter, kind: .message)
            try c.seal(body, into: message, \.$bodySealed)
            try await message.create(on: db)
            mailbox.lastReporterActivity = Date()
            try await mailbox.save(on: db)
            try await Attachments.store(files, caseID: c.id, messageID: message.id, key: c.key, on: db)
        }
    }

    /// The reporter approves a written record (EU directive 2019/1937 art. 18); once.
    package func approveRecord(_ message: MailboxMessage, mailbox: Mailbox) async throws {
        guard message.approvedAt == nil, let messageID = message.id else { return }
        do {
            try await change(
                id: mailbox.$case.id, { _ in "mailbox.record_approved" }, detail: "message:\(messageID)",
                closed: .allow
            ) { _, db in
                // Read again inside: a double click approves (and is logged) once.
                guard let fresh = try await MailboxMessage.find(messageID, on: db), fresh.approvedAt == nil else {
                    throw AlreadyDone()
                }
                fresh.approvedAt = Date()
                mailbox.lastReporterActivity = Date()
                try await fresh.save(on: db)
                try await mailbox.save(on: db)
            }
        } catch is AlreadyDone {
            return
        }
    }

    /// Inside a unit of work: nothing to do after all; rolled back, nothing logged.
    private struct AlreadyDone: Error {}

    // MARK: retention

    /// Places a legal hold (*bewaarplicht*) with its reason, or lifts it (`reason` nil): a held
    /// case is not destroyed when its retention period ends. Allowed on a closed case: that is
    /// where it matters.
    package func setLegalHold(_ c: OpenCase, reason: String?, today: Day) async throws {
        try await change(c, reason == nil ? "case.hold.lift" : "case.hold", closed: .allow) { row, _ in
            row.legalHoldOn = reason == nil ? nil : (row.legalHoldOn ?? today)
            try c.seal(reason ?? "", into: row, \.$legalHoldReasonSealed)
        }
    }

    /// A reporter's request to correct or delete their file (the mailbox). Allowed on a closed
    /// case. One deletion request waits at a time (a second submit adds nothing); corrections
    /// wait at most `ReporterRequest.openCorrections` at once (`TooManyMessages` beyond).
    package func addReporterRequest(_ c: OpenCase, kind: ReporterRequest.Kind, body: String) async throws {
        try await change(c, "mailbox.request.\(kind.rawValue)", closed: .allow) { _, db in
            let open = try await ReporterRequest.query(on: db).filter(\.$case.$id == c.id).filter(\.$kind == kind)
                .filter(\.$answeredAt == nil).count()
            if kind == .deletion && open > 0 { return }
            if kind == .correction && open >= ReporterRequest.openCorrections { throw TooManyMessages() }
            let row = ReporterRequest(id: UUID(), caseID: c.id, kind: kind)
            try c.seal(body, into: row, \.$bodySealed)
            try await row.create(on: db)
        }
    }

    /// The counsellor's answer to a reporter's request, with a note for the reporter. A deletion
    /// granted is carried out after this by `RetentionRun.destroy`.
    /// Returns false when it had been answered already (a second submit).
    @discardableResult
    package func answerReporterRequest(
        _ c: OpenCase, requestID: UUID, answer: ReporterRequest.Answer, note: String
    ) async throws -> Bool {
        do {
            try await answering(c, requestID: requestID, answer: answer, note: note)
            return true
        } catch is AlreadyDone {
            return false
        }
    }

    private func answering(_ c: OpenCase, requestID: UUID, answer: ReporterRequest.Answer, note: String) async throws {
        try await change(c, "case.request.\(answer.rawValue)", detail: "request:\(requestID)", closed: .allow) {
            row, db in
            guard
                let request = try await ReporterRequest.query(on: db).filter(\.$id == requestID)
                    .filter(\.$case.$id == c.id).first()
            else { throw StoreError.notFound }
            guard request.answeredAt == nil else { throw AlreadyDone() }
            if request.kind == .deletion && answer == .granted && row.legalHoldOn != nil {
                throw FieldRefusal(
                    field: "answer",
                    message:
                        "Deze melding staat onder bewaarplicht. Hef die eerst op, of wijs het verzoek af met uitleg.")
            }
            request.answer = answer
            request.answeredAt = Date()
            request.answeredBy = try staffID()
            try c.seal(note, into: request, \.$answerNoteSealed)
            try await request.save(on: db)
        }
    }

    /// Destroys the contents of a case (crypto-shredding), inside the retention run's unit of
    /// work (`RetentionRun.destroy`, which deletes the key from the key file after the commit):
    /// the wrapped key and every sealed field are cleared, rows that hold only ciphertext (notes,
    /// messages, attachments, appointments, shares) are deleted, and what the annual report
    /// counts stays plain. The row itself is the deletion record: reference, dates, what
    /// triggered it. An open case (a reporter's deletion request) is closed as withdrawn first.
    package func destroy(id: UUID, cause: DestructionCause, today: Day) async throws {
        try await change(id: id, { _ in "case.destroy" }, detail: cause.rawValue, closed: .allow) { row, db in
            if row.status != .closed {
                row.status = .closed
                row.closedOn = today
                row.outcome = .reporterWithdrew
            }
            row.wrappedKey = nil
            Case.clearSealedText(of: row)
            row.legalHoldOn = nil
            row.destroyedOn = today
            row.destroyedBy = cause
            // Every other row with sealed contents, by its model's one list (`SealedRows`).
            for model in SealedRows.all where ObjectIdentifier(model) != ObjectIdentifier(Case.self) {
                try await model.destroyContents(ofCase: id, on: db)
            }
            if let mailbox = try await Mailbox.query(on: db).filter(\.$case.$id == id).first() {
                try await MailboxSession.query(on: db).filter(\.$mailbox.$id == (try mailbox.requireID())).delete()
            }
        }
    }

    // MARK: helpers

    /// Stores the consent for a step and returns its id; nil when none was given.
    @discardableResult
    private func record(_ consent: Consent?, step: String, _ c: OpenCase, on db: any Database) async throws -> UUID? {
        guard let consent else { return nil }
        let row = CaseConsent(id: UUID(), caseID: c.id, basis: consent.basis, step: step, recordedBy: try staffID())
        try c.seal(consent.remark, into: row, \.$remarkSealed)
        try await row.create(on: db)
        return row.id
    }

    private func staffID() throws -> UUID {
        guard let userID else { throw StoreError.forbidden }
        return userID
    }
}
