import Foundation
import FluentKit
import SQLKit
import VertrouwdCore
import VertrouwdReports

/// Assembles an annual report from the database: the plain categorical columns of the year's
/// cases (never a sealed field, never a case key), the activities, hours and advice. The web
/// page, every export and the command line all come through here.
package enum ReportBuilder {
    /// Restricts a query to the cases opened in a period, for one organisation or all.
    package static func inPeriod(
        _ query: SQLSelectBuilder, organisationID: UUID?, from: Day, to: Day
    ) -> SQLSelectBuilder {
        var q = query.where(SQLColumn("opened_on", table: "cases"), .greaterThanOrEqual, SQLBind(from.iso))
            .where(SQLColumn("opened_on", table: "cases"), .lessThanOrEqual, SQLBind(to.iso))
        if let organisationID {
            q = q.where(SQLColumn("organisation_id", table: "cases"), .equal, SQLBind(organisationID))
        }
        return q
    }

    /// The categorical facts of the cases opened in a period, for one organisation or all: one
    /// row per case. The report uses `tally`; this is the reference it is tested against.
    package static func facts(
        organisationID: UUID?, from: Day, to: Day, on db: any Database
    ) async throws -> [CaseFacts] {
        let sql = db as! any SQLDatabase
        func scoped(_ query: SQLSelectBuilder) -> SQLSelectBuilder {
            inPeriod(query, organisationID: organisationID, from: from, to: to)
        }
        struct Row: Decodable {
            let id: UUID
            let kind, reporter_role, channel, regime, opened_on: String
            let ladder_highest: Int
            let outcome, wbk_received_on, acknowledged_on, feedback_on: String?
        }
        struct Pair: Decodable { let case_id: UUID; let value: String }

        let rows = try await scoped(
            sql.select()
                .columns(
                    "id", "kind", "reporter_role", "channel", "regime", "opened_on", "ladder_highest", "outcome",
                    "wbk_received_on", "acknowledged_on", "feedback_on"
                )
                .from("cases")
        ).all(decoding: Row.self)
        let categories = try await scoped(
            sql.select()
                .column(SQLColumn("case_id", table: "case_categories"))
                .column(SQLAlias(SQLColumn("category", table: "case_categories"), as: SQLIdentifier("value")))
                .from("case_categories")
                .join(
                    "cases", on: SQLColumn("case_id", table: "case_categories"), .equal, SQLColumn("id", table: "cases")
                )
        ).all(decoding: Pair.self)
        let referrals = try await scoped(
            sql.select()
                .column(SQLColumn("case_id", table: "case_referrals"))
                .column(SQLAlias(SQLColumn("target", table: "case_referrals"), as: SQLIdentifier("value")))
                .from("case_referrals")
                .join(
                    "cases", on: SQLColumn("case_id", table: "case_referrals"), .equal, SQLColumn("id", table: "cases"))
        ).all(decoding: Pair.self)

        var categoriesByCase: [UUID: Set<CaseCategory>] = [:]
        for p in categories {
            if let c = CaseCategory(rawValue: p.value) { categoriesByCase[p.case_id, default: []].insert(c) }
        }
        var referralsByCase: [UUID: Set<ReferralTarget>] = [:]
        for p in referrals {
            if let r = ReferralTarget(rawValue: p.value) { referralsByCase[p.case_id, default: []].insert(r) }
        }

        return rows.compactMap { r in
            guard let opened = Day(iso: r.opened_on) else { return nil }
            let regime = Regime(rawValue: r.regime) ?? .confidential
            let clock =
                regime == .whistleblower
                ? Day(iso: r.wbk_received_on ?? r.opened_on).map {
                    WhistleblowerClock(
                        receivedOn: $0, acknowledgedOn: r.acknowledged_on.flatMap(Day.init(iso:)),
                        feedbackOn: r.feedback_on.flatMap(Day.init(iso:)))
                }
                : nil
            return CaseFacts(
                kind: CaseKind(rawValue: r.kind) ?? .unclassified, categories: categoriesByCase[r.id] ?? [],
                reporterRole: ReporterRole(rawValue: r.reporter_role) ?? .unknown,
                channel: IntakeChannel(rawValue: r.channel) ?? .webForm, regime: regime,
                ladder: LadderLevel(rawValue: r.ladder_highest) ?? .adviceToReporter,
                outcome: r.outcome.flatMap(Outcome.init(rawValue:)), referrals: referralsByCase[r.id] ?? [],
                openedOn: opened, whistleblowerClock: clock)
        }
    }

    /// The same counts as `CaseTally(cases: facts(…))`, counted by the database: one GROUP BY per
    /// single-valued dimension, each read from the covering index `cases_report` without touching
    /// the rows; subjects and referrals read one small row per (case, value), since a case's values
    /// together decide its one row ("Meer dan één onderwerp"). Reading every case row instead still
    /// costs twice all of this (debug build, 10 000 cases: 389 against 798 ms median); see
    /// scripts/bench-report.sh.
    package static func tally(organisationID: UUID?, from: Day, to: Day, on db: any Database) async throws -> CaseTally
    {
        let sql = db as! any SQLDatabase
        func scoped(_ query: SQLSelectBuilder) -> SQLSelectBuilder {
            inPeriod(query, organisationID: organisationID, from: from, to: to)
        }
        struct Group<Value: Decodable & Sendable>: Decodable, Sendable { let value: Value?; let n: Int }
        func count<Value: Decodable & Sendable>(
            _ column: String, as _: Value.Type = String.self
        ) async throws -> [Group<Value>] {
            try await scoped(
                sql.select()
                    .column(SQLAlias(SQLColumn(column, table: "cases"), as: SQLIdentifier("value")))
                    .column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
                    .from("cases")
            ).groupBy(SQLColumn(column, table: "cases")).all(decoding: Group<Value>.self)
        }
        func dictionary<L: Labelled>(_ groups: [Group<String>], _ type: L.Type) -> [L: Int] {
            var d: [L: Int] = [:]
            for g in groups { if let v = g.value.flatMap(L.init(rawValue:)) { d[v, default: 0] += g.n } }
            return d
        }

        // Independent counts: on PostgreSQL they run side by side on the pool's connections.
        struct Mention: Decodable, Sendable { let case_id: UUID; let kind: String; let value: String }
        struct Clock: Decodable, Sendable {
            let opened_on: String; let wbk_received_on, acknowledged_on, feedback_on: String?
        }
        async let kinds = count("kind")
        async let roles = count("reporter_role")
        async let channels = count("channel")
        async let regimes = count("regime")
        // Subjects and referrals count one row per case (one subject, several, or none), so these
        // read one row per (case, value): a case's values together decide its row.
        func mentions(_ column: String, table: String) async throws -> [Mention] {
            try await scoped(
                sql.select()
                    .column(SQLColumn("case_id", table: table)).column(SQLColumn("kind", table: "cases"))
                    .column(SQLAlias(SQLColumn(column, table: table), as: SQLIdentifier("value")))
                    .from(table)
                    .join("cases", on: SQLColumn("case_id", table: table), .equal, SQLColumn("id", table: "cases"))
            ).all(decoding: Mention.self)
        }
        async let categories = mentions("category", table: "case_categories")
        async let ladders = count("ladder_highest", as: Int.self)
        async let outcomes = count("outcome")
        async let days = count("opened_on")
        async let referrals = mentions("target", table: "case_referrals")
        async let clocks = scoped(
            sql.select().columns("opened_on", "wbk_received_on", "acknowledged_on", "feedback_on").from("cases")
                .where("regime", .equal, SQLBind(Regime.whistleblower.rawValue))
        ).all(decoding: Clock.self)

        var t = CaseTally()
        let kindGroups = try await kinds
        t.total = kindGroups.reduce(0) { $0 + $1.n }
        t.kind = dictionary(kindGroups, CaseKind.self)
        t.reporterRole = dictionary(try await roles, ReporterRole.self)
        t.channel = dictionary(try await channels, IntakeChannel.self)
        t.regime = dictionary(try await regimes, Regime.self)
        var subjectsOf: [UUID: (kind: CaseKind, categories: Set<CaseCategory>)] = [:]
        for m in try await categories {
            guard let kind = CaseKind(rawValue: m.kind), let category = CaseCategory(rawValue: m.value) else {
                continue
            }
            subjectsOf[m.case_id, default: (kind, [])].categories.insert(category)
        }
        var withSubjects: [CaseKind: Int] = [:]
        for (_, c) in subjectsOf {
            guard let key = CaseTally.subjectKey(c.categories, kind: c.kind), key != "elsewhere" else { continue }
            t.subjects[c.kind, default: [:]][key, default: 0] += 1
            withSubjects[c.kind, default: 0] += 1
        }
        // A case of a kind without one of that kind's subjects, mentioned or not.
        for kind in CaseTally.kindsWithSubjects {
            let elsewhere = (t.kind[kind] ?? 0) - (withSubjects[kind] ?? 0)
            if elsewhere > 0 { t.subjects[kind, default: [:]]["elsewhere"] = elsewhere }
        }
        for g in try await ladders {
            if let level = g.value.flatMap(LadderLevel.init(rawValue:)) { t.ladder[level, default: 0] += g.n }
        }
        for g in try await outcomes { t.outcome[g.value ?? "running", default: 0] += g.n }
        for g in try await days { if let day = g.value.flatMap(Day.init(iso:)) { t.openedOn[day, default: 0] += g.n } }
        var targetsOf: [UUID: Set<ReferralTarget>] = [:]
        for m in try await referrals {
            if let target = ReferralTarget(rawValue: m.value) { targetsOf[m.case_id, default: []].insert(target) }
        }
        for (_, targets) in targetsOf { t.referral[CaseTally.referralKey(targets), default: 0] += 1 }
        let notReferred = t.total - targetsOf.count
        if notReferred > 0 { t.referral["none"] = notReferred }
        for c in try await clocks {
            guard let received = Day(iso: c.wbk_received_on ?? c.opened_on) else { continue }
            let clock = WhistleblowerClock(
                receivedOn: received, acknowledgedOn: c.acknowledged_on.flatMap(Day.init(iso:)),
                feedbackOn: c.feedback_on.flatMap(Day.init(iso:)))
            t.deadlines[DeadlineResult.of(clock), default: 0] += 1
        }
        return t
    }

    /// The number of cases opened in a period per organisation (for the practice overview).
    package static func casesPerOrganisation(from: Day, to: Day, on db: any Database) async throws -> [UUID: Int] {
        struct Row: Decodable { let organisation_id: UUID; let n: Int }
        let rows = try await inPeriod(
            (db as! any SQLDatabase).select()
                .column(SQLColumn("organisation_id", table: "cases"))
                .column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
                .from("cases"), organisationID: nil, from: from, to: to
        )
        .groupBy(SQLColumn("organisation_id", table: "cases")).all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.organisation_id, $0.n) })
    }

    /// The statistics of a contract year, compared with the previous year as it was published.
    package static func statistics(
        org: Organisation, year: ContractYear, store: Store, on db: any Database
    ) async throws
        -> (published: PublishedStatistics, protected: [ProtectedTable])
    {
        let k = store.settings.disclosureThreshold
        let counts = try await tally(organisationID: try org.requireID(), from: year.start, to: year.end, on: db)
        let previous = try await previousStatistics(org: org, before: year, on: db)
        return AnnualStatistics.build(
            tally: counts, start: year.start, end: year.end, k: k, previous: previous,
            seed: store.disclosureSeed(try year.requireID()))
    }

    /// Last year's published figures: its signed-off snapshot, and nothing before sign-off. A column
    /// computed from last year's live cases would move with every late case of that year, and two
    /// versions of this year's report would show the difference (docs/ANONYMITY.md, rule 8).
    package static func previousStatistics(
        org: Organisation, before year: ContractYear, on db: any Database
    ) async throws
        -> PublishedStatistics?
    {
        guard
            let last = try await ContractYear.query(on: db).filter(\.$organisation.$id == (try org.requireID()))
                .filter(\.$endsOn < year.startsOn).sort(\.$startsOn, .descending).first()
        else { return nil }
        return signedOffDocument(
            try await AnnualReportRecord.query(on: db).filter(\.$contractYear.$id == (try last.requireID())).first())?.statistics
    }

    package static let sectionTitles = (
        role: "Rol en bereikbaarheid van de vertrouwenspersoon",
        recommendations: "Aanbevelingen",
        focus: "Speerpunten voor het volgende jaar"
    )

    /// The text the counsellor starts from when nothing was written yet.
    package static func defaultRole(org: Organisation, counsellors: [String]) -> String {
        var ways: [String] = []
        if !org.phone.isEmpty { ways.append("telefonisch") }
        if !org.whatsapp.isEmpty { ways.append("per WhatsApp") }
        if !org.email.isEmpty { ways.append("per e-mail") }
        ways.append("via het beveiligde online kanaal")
        let who =
            switch counsellors.count {
            case 0: "De externe vertrouwenspersoon is"
            case 1: "\(counsellors[0]), externe vertrouwenspersoon, is"
            default:
                """
                    \(counsellors.dropLast().joined(separator: ", ")) en \(counsellors.last!), externe \
                    vertrouwenspersonen, zijn
                    """
            }
        return
            ("""
                \(who) er voor medewerkers die te maken krijgen met ongewenste omgangsvormen of een vermoeden van \
                een misstand.
                """
            + " Bereikbaar \(ways.joined(separator: ", ")). \(org.availability)").trimmingCharacters(in: .whitespaces)
    }

    /// The whole document as it stands now (a draft, or what a new sign-off would freeze).
    package static func currentDocument(
        org: Organisation, year: ContractYear, record: AnnualReportRecord?, store: Store,
        on db: any Database
    ) async throws -> (document: AnnualReportDocument, protected: [ProtectedTable]) {
        let (stats, protected) = try await statistics(org: org, year: year, store: store, on: db)
        let entries = try await TimeEntry.query(on: db).filter(\.$organisation.$id == (try org.requireID()))
            .filter(\.$onDay >= year.startsOn).filter(\.$onDay <= year.endsOn).all()
        let activities = entries.filter { $0.caseID == nil && $0.activityKind != nil }.sorted { $0.onDay < $1.onDay }
            .map {
                AnnualReportDocument.Activity(
                    date: $0.onDay.dutch,
                    kind: $0.activityKind?.label ?? "Ander werk",
                    topic: $0.description, hours: Hours.format(minutes: $0.minutes), participants: $0.participants)
            }
        let used = entries.reduce(0) { $0 + $1.minutes }
        let onActivities = entries.filter { $0.caseID == nil }.reduce(0) { $0 + $1.minutes }
        let budget = BudgetStatus(usedMinutes: used, budgetMinutes: year.budgetMinutes)
        let advice = try await AdviceRecord.query(on: db).filter(\.$organisation.$id == (try org.requireID()))
            .filter(\.$givenOn >= year.startsOn).filter(\.$givenOn <= year.endsOn).sort(\.$givenOn).all()
        let counsellors = try await org.$counsellors.get(on: db).map(\.name).sorted()
        let sections = [
            AnnualReportDocument.Section(
                title: sectionTitles.role,
                text: record.map(\.roleText).flatMap { $0.isEmpty ? nil : $0 }
                    ?? defaultRole(org: org, counsellors: counsellors)),
            .init(title: sectionTitles.recommendations, text: record?.recommendations ?? ""),
            .init(title: sectionTitles.focus, text: record?.focusNext ?? "")
        ]
        let doc = AnnualReportDocument(
            organisation: org.name, periodStart: year.start, periodEnd: year.end, status: "draft", signedOffOn: nil,
            statistics: stats, activities: activities,
            hours: .init(
                budget: Hours.format(minutes: year.budgetMinutes), used: Hours.format(minutes: used),
                onActivities: Hours.format(minutes: onActivities), percent: budget.percentUsed),
            advice: advice.map {
                .init(
                    date: $0.givenOn.dutch, subject: stats.adviceSubject($0.subject, category: $0.category),
                    solicited: $0.solicited)
            },
            sections: sections)
        return (doc, protected)
    }

    /// What an export serves: the signed-off document, or nil before sign-off.
    package static func signedOffDocument(_ record: AnnualReportRecord?) -> AnnualReportDocument? {
        guard let snapshot = record?.snapshot else { return nil }
        return try? JSONDecoder().decode(AnnualReportDocument.self, from: Data(snapshot.utf8))
    }

    /// Every version that left before the current one, oldest first, and the current one: what a
    /// reader may hold side by side.
    /// Read strictly: a version that cannot be read stops a sign-off rather than being left out of
    /// the check or dropped from the history.
    package static func versionsThatLeft(_ record: AnnualReportRecord?) throws -> [AnnualReportDocument] {
        guard let record else { return [] }
        let decoder = JSONDecoder()
        let earlier =
            try record.earlierSnapshots.map { try decoder.decode([AnnualReportDocument].self, from: Data($0.utf8)) }
            ?? []
        let current = try record.snapshot.map { try decoder.decode(AnnualReportDocument.self, from: Data($0.utf8)) }
        return earlier + [current].compactMap { $0 }
    }

    /// The contract year that starts in a calendar year.
    package static func contractYear(
        of org: Organisation, startingIn calendarYear: Int, on db: any Database
    ) async throws -> ContractYear? {
        try await ContractYear.query(on: db).filter(\.$organisation.$id == (try org.requireID()))
            .filter(\.$startsOn >= Day(year: calendarYear, month: 1, day: 1)!)
            .filter(\.$startsOn <= Day(year: calendarYear, month: 12, day: 31)!).first()
    }

    /// Freezes `doc` as the signed-off report of a contract year (*vaststellen*): every export
    /// serves this snapshot from now on. Retention destroys a case only once it is counted in one.
    package static func signOff(
        _ doc: AnnualReportDocument, record existing: AnnualReportRecord?, yearID: UUID, by userID: UUID,
        on db: any Database
    ) async throws {
        var doc = doc
        doc.status = "signed_off"
        doc.signedOffOn = Day(Date()).iso
        let record = existing ?? AnnualReportRecord()
        let versions = try versionsThatLeft(existing)
        if !versions.isEmpty {
            record.earlierSnapshots = String(decoding: try JSONEncoder().encode(versions), as: UTF8.self)
        }
        if existing == nil {
            record.$contractYear.id = yearID
            record.roleText = ""; record.recommendations = ""; record.focusNext = ""
        }
        record.snapshot = String(decoding: try ReportWriters.json(doc), as: UTF8.self)
        record.signedOffOn = doc.signedOffOn
        record.signedOffBy = userID
        try await record.save(on: db)
    }
}
