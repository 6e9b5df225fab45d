import Foundation
import FluentKit
import SQLKit
import VertrouwdCore

/// Which epoch key wraps a case key (see `Keyring`).
package enum CaseKeys {
    /// The epoch for a new case: the month its retention could end at the earliest, or the next
    /// one the key file still holds and no run has retired.
    package static func epochForNewCase(openedOn: Day, keys: KeyStore, on db: any Database) async throws -> KeyEpoch {
        let policy = try await Practice.retention(on: db)
        return try await epoch(from: openedOn, policy: policy, keys: keys, on: db)
    }

    package static func epoch(
        from day: Day, policy: RetentionPolicy, keys: KeyStore, on db: any Database,
        excluding more: Set<KeyEpoch> = []
    ) async throws -> KeyEpoch {
        let wanted = policy.epoch(from: day, today: Day(Date()))
        let retired = try await RetiredEpoch.query(on: db).filter(\.$id >= wanted.label).all()
            .compactMap { $0.id.flatMap(KeyEpoch.init(label:)) }
        guard let epoch = keys.keyring.available(from: wanted, excluding: Set(retired).union(more)) else {
            throw KeyStore.Refusal(
                description: "The key file holds no epoch from \(wanted) on; it is not this practice's key file.")
        }
        return epoch
    }

    /// Case keys wrapped by the master key (made before epochs existed) are carried in the key
    /// file and wrapped again by their epoch's key, once, at start. From then on a master-wrapped
    /// key (in a backup from before) opens only through its carried copy, which destroying the
    /// case deletes. Returns how many.
    @discardableResult
    package static func moveLegacyKeys(_ store: Store) async throws -> Int {
        let master = store.keys.master
        let legacy = try await Case.query(on: store.db).filter(\.$keyID == master.id).filter(\.$wrappedKey != nil)
            .count()
        guard legacy > 0 else { return 0 }
        return try await store.transaction { db in
            let policy = try await Practice.retention(on: db)
            let rows = try await Case.query(on: db).filter(\.$keyID == master.id).filter(\.$wrappedKey != nil).all()
            var keys: [(UUID, CaseKey)] = []
            for row in rows {
                keys.append(
                    (try row.requireID(), try master.unwrap(row.wrappedKey!, caseID: try row.requireID().uuidString)))
            }
            // Carried before the commit: a copy too many is harmless, one too few is not.
            try store.keys.update { ring in for (id, key) in keys { try ring.carry(key, caseID: id.uuidString) } }
            for (row, (_, key)) in zip(rows, keys) {
                let epoch = try await epoch(
                    from: row.closedOn ?? row.openedOn, policy: policy, keys: store.keys, on: db)
                (row.keyID, row.wrappedKey) = try store.keys.keyring.wrap(
                    key, caseID: try row.requireID().uuidString, epoch: epoch)
                try await row.save(on: db)
            }
            try await Audit.record(
                "keys.epochs", detail: "\(rows.count) case keys", actor: "system", store: store, db: db)
            return rows.count
        }
    }
}

/// The retention run (*bewaartermijn*): finds the closed cases whose retention has ended and
/// destroys their contents. It runs by itself once a day inside `serve` and by hand
/// (`vertrouwd retention run [--dry-run]`); with several instances they take turns.
package struct RetentionRun: Sendable {
    package let store: Store
    /// Who the audit log names: `system` (the daily run), `cli`, or the counsellor who granted a
    /// reporter's request.
    package let actor: String

    package init(store: Store, actor: String) {
        self.store = store
        self.actor = actor
    }

    /// One closed case and what retention decides for it today.
    package struct Candidate: Sendable {
        package let id: UUID
        package let reference: String
        package let organisation: String
        package let counsellorID: UUID
        package let facts: RetentionFacts
        package let decision: RetentionDecision
        /// The day its retention period ends (nil under a legal hold).
        package let retentionEnds: Day?
    }

    package struct Outcome: Sendable {
        package var destroyed: [Candidate] = []
        package var kept: [Candidate] = []
        /// Case keys moved to a later epoch (and carried in the key file) so their epoch could go.
        package var moved = 0
        package var forgotten: [KeyEpoch] = []
    }

    /// Every closed case not yet destroyed, with today's decision (`counsellor`: only theirs).
    /// With `endingBy`, only those without a legal hold whose retention ends by that day (and,
    /// with `endingAfter`, after that one), the first `limit` of them by closing day.
    package static func candidates(
        _ store: Store, today: Day, counsellor: UUID? = nil, endingBy: Day? = nil, endingAfter: Day? = nil,
        limit: Int? = nil, policy known: RetentionPolicy? = nil
    ) async throws -> [Candidate] {
        let db = store.db
        var policy = known ?? .standard
        if known == nil { policy = try await Practice.retention(on: db) }
        var condition = closed(counsellor: counsellor, endingBy: endingBy, policy: policy)
        if let endingAfter {
            condition =
                condition
                + " AND c.closed_on > \(bind: RetentionRule.lastClosingDay(endingBy: endingAfter, policy: policy).iso)"
        }
        // Only what the decision and the list read, in SQL: a case model holds its sealed contents
        // too, and Fluent builds one by reflecting over its forty properties.
        var query: SQLQueryString =
            """
            SELECT c.id, c.reference, c.organisation_id, o.name AS organisation_name, c.counsellor_id, c.status, \
            c.opened_on, c.closed_on, c.legal_hold_on, c.destroyed_on \
            FROM cases c JOIN organisations o ON o.id = c.organisation_id WHERE
            """ + " " + condition + " ORDER BY c.closed_on, c.id"
        if let limit { query = query + " LIMIT \(unsafeRaw: String(max(0, limit)))" }
        var names: [UUID: String] = [:]
        var rows: [RetentionRow] = []
        for row in try await (db as! any SQLDatabase).raw(query).all() {
            let r = try RetentionRow(row: row)
            rows.append(r)
            names[r.id] = try row.decode(column: "organisation_name", as: String.self)
        }
        let facts = try await Self.facts(of: rows, on: db)
        return rows.map { row in
            let f = facts[row.id]!
            return Candidate(
                id: row.id, reference: row.reference, organisation: names[row.id] ?? "", counsellorID: row.counsellorID,
                facts: f, decision: RetentionRule.decide(f, policy: policy, today: today),
                retentionEnds: RetentionRule.retentionEnds(f, policy: policy))
        }
    }

    /// How many closed cases `candidates` would give without a limit.
    package static func count(
        _ store: Store, counsellor: UUID?, endingBy: Day?, policy known: RetentionPolicy? = nil
    ) async throws -> Int {
        var policy = known ?? .standard
        if known == nil { policy = try await Practice.retention(on: store.db) }
        let condition = closed(counsellor: counsellor, endingBy: endingBy, policy: policy)
        return try await (store.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM cases c WHERE " + condition)
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The closed cases not yet destroyed (on `cases c`): a counsellor's only, and with `endingBy`
    /// only those without a legal hold whose retention ends by that day.
    private static func closed(counsellor: UUID?, endingBy: Day?, policy: RetentionPolicy) -> SQLQueryString {
        var condition: SQLQueryString = "c.status = \(bind: CaseStatus.closed.rawValue) AND c.destroyed_on IS NULL"
        if let counsellor { condition = condition + " AND c.counsellor_id = \(bind: counsellor)" }
        if let endingBy {
            // `RetentionRule.retentionEnds`: the closing day plus the period, none under a hold.
            condition =
                condition + " AND c.legal_hold_on IS NULL AND c.closed_on <= "
                + "\(bind: RetentionRule.lastClosingDay(endingBy: endingBy, policy: policy).iso)"
        }
        return condition
    }

    /// What retention reads of a case row.
    package struct RetentionRow: Sendable {
        package let id: UUID
        package let reference: String
        package let organisationID: UUID
        package let counsellorID: UUID
        package let status: CaseStatus
        package let openedOn: Day
        package let closedOn: Day?
        package let legalHold: Bool
        package let destroyedOn: Day?

        package init(_ c: Case) throws {
            id = try c.requireID()
            reference = c.reference
            organisationID = c.$organisation.id
            counsellorID = c.$counsellor.id
            status = c.status
            openedOn = c.openedOn
            closedOn = c.closedOn
            legalHold = c.legalHoldOn != nil
            destroyedOn = c.destroyedOn
        }

        init(row: any SQLRow) throws {
            id = try row.decode(column: "id", as: UUID.self)
            reference = try row.decode(column: "reference", as: String.self)
            organisationID = try row.decode(column: "organisation_id", as: UUID.self)
            counsellorID = try row.decode(column: "counsellor_id", as: UUID.self)
            guard let status = CaseStatus(rawValue: try row.decode(column: "status", as: String.self)) else {
                throw StoreError.inconsistent("a case's status is not one of its values")
            }
            self.status = status
            openedOn = try row.requiredDay("opened_on")
            closedOn = try row.day("closed_on")
            legalHold = try row.decode(column: "legal_hold_on", as: String?.self) != nil
            destroyedOn = try row.day("destroyed_on")
        }
    }

    /// What retention needs of these cases, read now: the row, whether a signed-off report counts
    /// it, and when the reporter last wrote or asked something still unanswered.
    package static func facts(of rows: [RetentionRow], on db: any Database) async throws -> [UUID: RetentionFacts] {
        guard !rows.isEmpty else { return [:] }
        // The contract years of these cases' organisations that have a signed-off annual report: a
        // case opened in one is counted. Only their days are read (a report holds its snapshots,
        // tens of KB each; all years of all organisations are thousands of rows).
        let orgIDs = Array(Set(rows.map(\.organisationID)))
        var signed: [UUID: [(start: Day, end: Day)]] = [:]
        for row in try await (db as! any SQLDatabase).raw(
            """
            SELECT y.organisation_id, y.starts_on, y.ends_on FROM contract_years y \
            JOIN annual_reports r ON r.contract_year_id = y.id \
            WHERE r.signed_off_on IS NOT NULL AND y.organisation_id IN (\(binds: orgIDs))
            """
        ).all() {
            signed[try row.decode(column: "organisation_id", as: UUID.self), default: []].append(
                (try row.requiredDay("starts_on"), try row.requiredDay("ends_on")))
        }
        var lastWrote: [UUID: Day] = [:]
        let ids = rows.map(\.id)
        let sql = db as! any SQLDatabase
        for start in stride(from: 0, to: ids.count, by: 5_000) {
            let some = Array(ids[start..<min(start + 5_000, ids.count)])
            for m in try await sql.raw(
                "SELECT case_id, created_at, last_reporter_activity FROM mailboxes WHERE case_id IN (\(binds: some))"
            ).all() {
                // A mailbox is made with the case: its activity is the reporter's only when they wrote since.
                let activity = try m.decode(column: "last_reporter_activity", as: Date.self)
                if let made = try m.decode(column: "created_at", as: Date?.self), activity.timeIntervalSince(made) > 1 {
                    lastWrote[try m.decode(column: "case_id", as: UUID.self)] = Day(activity)
                }
            }
            // A request still unanswered counts as writing today: nothing is destroyed under it.
            for r in try await sql.raw(
                "SELECT case_id FROM reporter_requests WHERE answered_at IS NULL AND case_id IN (\(binds: some))"
            ).all() {
                lastWrote[try r.decode(column: "case_id", as: UUID.self)] = Day(Date())
            }
        }
        var facts: [UUID: RetentionFacts] = [:]
        for row in rows {
            let counted = (signed[row.organisationID] ?? []).contains {
                $0.start <= row.openedOn && row.openedOn <= $0.end
            }
            facts[row.id] = RetentionFacts(
                status: row.status, closedOn: row.closedOn, legalHold: row.legalHold, inSignedOffReport: counted,
                reporterLastWrote: lastWrote[row.id], destroyedOn: row.destroyedOn)
        }
        return facts
    }

    /// Decides for every closed case and, unless `dryRun`, destroys those that are due, and any
    /// case whose deletion a counsellor granted but that was not destroyed (a crash in between).
    package func run(today: Day, dryRun: Bool) async throws -> Outcome {
        if !dryRun { try await finishForgetting() }
        let all = try await Self.candidates(store, today: today)
        var outcome = Outcome()
        outcome.destroyed = all.filter { $0.decision == .destroy }
        outcome.kept = all.filter { $0.decision != .destroy }
        guard !dryRun else { return outcome }
        let granted = try await ReporterRequest.query(on: store.db).filter(\.$kind == .deletion).filter(
            \.$answer == .granted
        ).all()
            .map(\.$case.id)
        let unfinished =
            granted.isEmpty
            ? []
            : try await Case.query(on: store.db).filter(\.$id ~~ granted)
                .filter(\.$destroyedOn == nil).all().compactMap(\.id)
        if !unfinished.isEmpty {
            let (moved, forgotten, _) = try await destroy(unfinished, cause: .reporterRequest, today: today)
            outcome.moved += moved
            outcome.forgotten += forgotten
        }
        guard !outcome.destroyed.isEmpty else { return outcome }
        let (moved, forgotten, destroyed) = try await destroy(
            outcome.destroyed.map(\.id), cause: .retention, today: today)
        // A case that changed since the list was made (a hold, a message) was kept after all.
        outcome.kept += outcome.destroyed.filter { !destroyed.contains($0.id) }
        outcome.destroyed = outcome.destroyed.filter { destroyed.contains($0.id) }
        try await Audit.record(
            "retention.run", detail: "day=\(today.iso) destroyed=\(outcome.destroyed.count)", actor: actor,
            store: store, db: store.db)
        outcome.moved += moved
        outcome.forgotten = Array(Set(outcome.forgotten).union(forgotten)).sorted()
        return outcome
    }

    /// Destroys these cases' contents so that no database backup opens them again with today's
    /// key file:
    /// 1. in transactions of whole epochs (about `batch` cases; case numbering waits, so no new
    ///    case takes a retiring epoch): each case is checked again as it is now (a hold placed
    ///    since, a reporter who wrote: it is kept); the epochs are retired; every case in them
    ///    that is not destroyed now gets a carried copy of its key in the key file and is wrapped
    ///    again by a later epoch; the due cases are shredded (`CaseWriter.destroy`, audited);
    /// 2. after the last commit the key file forgets the retired epochs and these cases' carried
    ///    copies. A crash before that leaves the retired epochs in the database, and the next run
    ///    finishes it (`finishForgetting`), moving out first any case still in them.
    package func destroy(
        _ ids: [UUID], cause: DestructionCause, today: Day
    ) async throws -> (moved: Int, forgotten: [KeyEpoch], destroyed: Set<UUID>) {
        // Whole epochs per transaction: a case left for a later batch would sit in a retired epoch.
        var groups: [String: [UUID]] = [:]
        for start in stride(from: 0, to: ids.count, by: 5_000) {
            let some = Array(ids[start..<min(start + 5_000, ids.count)])
            for row in try await Case.query(on: store.db).filter(\.$id ~~ some).field(\.$id).field(\.$keyID).all() {
                groups[Keyring.epoch(ofKeyID: row.keyID)?.label ?? "", default: []].append(try row.requireID())
            }
        }
        var batches: [[UUID]] = [[]]
        for (_, group) in groups.sorted(by: { $0.key < $1.key }) {
            if batches[batches.count - 1].count >= Self.batch { batches.append([]) }
            batches[batches.count - 1] += group
        }
        var moved = 0
        var epochs: Set<KeyEpoch> = []
        var destroyed: Set<UUID> = []
        for batch in batches where !batch.isEmpty {
            let (m, e, d) = try await destroyBatch(batch, cause: cause, today: today)
            moved += m
            epochs.formUnion(e)
            destroyed.formUnion(d)
        }
        try store.keys.update { $0.forget(epochs: epochs, carried: Set(destroyed.map(\.uuidString))) }
        return (moved, epochs.sorted(), destroyed)
    }

    package static let batch = 200

    /// One transaction of `destroy`.
    private func destroyBatch(
        _ ids: [UUID], cause: DestructionCause, today: Day
    ) async throws -> (Int, Set<KeyEpoch>, Set<UUID>) {
        let writer = CaseWriter(store: store, actor: actor, userID: nil)
        return try await store.transaction { db -> (Int, Set<KeyEpoch>, Set<UUID>) in
            try await AdvisoryLock.numbering.holdUntilCommit(on: db)
            var targets = try await Case.query(on: db).filter(\.$id ~~ ids).filter(\.$destroyedOn == nil).all()
            if cause == .retention {
                // As the case is now: a hold placed, a reporter who wrote, a case reopened or a
                // longer period since the list was made keeps it.
                let policy = try await Practice.retention(on: db)
                let facts = try await Self.facts(of: try targets.map(RetentionRow.init), on: db)
                targets = try targets.filter {
                    RetentionRule.decide(facts[try $0.requireID()]!, policy: policy, today: today) == .destroy
                }
            }
            let due = Set(targets.compactMap(\.id))
            let epochs = Set(targets.compactMap { Keyring.epoch(ofKeyID: $0.keyID) })
            let already = Set(
                try await RetiredEpoch.query(on: db).filter(\.$id ~~ epochs.map(\.label)).all().compactMap(\.id))
            for e in epochs where !already.contains(e.label) { try await RetiredEpoch(e).create(on: db) }
            let moved = try await moveOut(of: epochs, sparing: due, on: db)
            // Noted in the key file before the commit: should the process die before the epochs
            // are deleted and an earlier backup be restored, the next run still deletes them.
            try store.keys.update { $0.retire(epochs) }
            for row in targets { try await writer.destroy(id: try row.requireID(), cause: cause, today: today) }
            return (moved, epochs, due)
        }
    }

    /// Wraps every live case in these epochs (but `sparing`) with a later epoch, and carries its
    /// key in the key file first, so the epochs can be deleted without losing it. Inside a unit
    /// of work.
    private func moveOut(of epochs: Set<KeyEpoch>, sparing: Set<UUID>, on db: any Database) async throws -> Int {
        let keys = store.keys
        let policy = try await Practice.retention(on: db)
        var moves: [(Case, CaseKey, KeyEpoch)] = []
        for epoch in epochs.sorted() {
            let rows = try await Case.query(on: db).filter(\.$keyID =~ "ep-\(epoch.label)-").filter(
                \.$wrappedKey != nil
            )
            .filter(\.$destroyedOn == nil).all().filter { !sparing.contains(try $0.requireID()) }
            for row in rows {
                let next = try await CaseKeys.epoch(
                    from: row.closedOn ?? row.openedOn, policy: policy, keys: keys,
                    on: db, excluding: epochs)
                moves.append((row, try keys.caseKey(of: row), next))
            }
        }
        guard !moves.isEmpty else { return 0 }
        // Carried before the commit: a copy too many is harmless, one too few is not.
        try keys.update { ring in
            for (row, key, _) in moves { try ring.carry(key, caseID: try row.requireID().uuidString) }
        }
        for (row, key, next) in moves {
            (row.keyID, row.wrappedKey) = try keys.keyring.wrap(
                key, caseID: try row.requireID().uuidString, epoch: next)
            try await row.save(on: db)
        }
        return moves.count
    }

    /// Deletes from the key file what an interrupted run retired (in the database, or noted in
    /// the file as `retiring`) but left in the file: those epochs, and the carried copies of
    /// destroyed cases. Nothing is moved out first: a committed batch left no live case in its
    /// epochs without a carried copy, and a case that looks live in one now is in a database
    /// restored from before it was destroyed — it must stay unreadable.
    package func finishForgetting() async throws {
        let keys = store.keys
        try keys.reload()
        let retired = Set(
            try await RetiredEpoch.query(on: store.db).all().compactMap { $0.id.flatMap(KeyEpoch.init(label:)) }
        )
        .union(keys.keyring.retiring).filter { keys.keyring.epochs[$0] != nil }
        let carriedIDs = keys.keyring.carried.keys.compactMap(UUID.init(uuidString:))
        var destroyed: [String] = []
        for start in stride(from: 0, to: carriedIDs.count, by: 5_000) {
            let some = Array(carriedIDs[start..<min(start + 5_000, carriedIDs.count)])
            destroyed += try await Case.query(on: store.db).filter(\.$id ~~ some).filter(\.$destroyedOn != nil).all()
                .map { try $0.requireID().uuidString }
        }
        guard !retired.isEmpty || !destroyed.isEmpty else { return }
        try keys.update { $0.forget(epochs: retired, carried: Set(destroyed)) }
    }
}

extension Store {
    /// Runs `body` while no other instance runs retention (PostgreSQL session lock).
    @discardableResult
    package func withRetentionLock<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await AdvisoryLock.retention.holding(on: db, body)
    }
}
