import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The start page: what needs doing today, bounded by what it shows rather than by the size of
/// the practice. A counsellor sees today's reminders, the inbox, unread messages, WBK deadlines,
/// appointments, aftercare due, signals and retention (each list at most `shown`, the rest
/// counted), how many cases are running, and hours per organisation they serve; an admin sees
/// the organisations whose hours need attention — never case contents.
enum DashboardController {
    struct Appointment: Encodable, Sendable { let when, mode, reference, url: String }
    struct Aftercare: Encodable, Sendable { let day, reference, url: String; let overdue: Bool }
    struct Deadline: Encodable, Sendable {
        let reference, url: String
        let deadline: DeadlineView
        /// For the order, not shown.
        let dueOn: Day
    }
    /// A closed case whose contents retention destroys within a month (or a request to answer).
    struct Retention: Encodable, Sendable { let reference, url, what: String; let urgent: Bool }
    /// An organisation whose public channel turned senders away lately (`FloodGuard`).
    struct Flood: Encodable, Sendable { let organisation, when: String }
    struct OrgHours: Encodable, Sendable {
        let name, url: String
        /// Only for the organisations the user serves.
        let openCases: String?
        let budget: BudgetView?
    }

    /// A list on the dashboard: at most `shown` rows, and how many more there are.
    struct Bounded<Row: Encodable & Sendable>: Encodable, Sendable {
        let rows: [Row]
        let more: Int

        init(_ all: [Row], total: Int? = nil, shown: Int = DashboardController.shown) {
            rows = Array(all.prefix(shown))
            more = max(0, (total ?? all.count) - rows.count)
        }

        static var none: Self { .init([]) }
    }

    /// The counsellor's running cases, counted by state (the list is one click away).
    struct Running: Encodable, Sendable { let total, new, open, aftercare: Int }

    struct Page: Encodable, Sendable {
        let meta: PageMeta
        let isCounsellor: Bool
        let isAdmin: Bool
        let running: Running
        let inbox: Bounded<CaseRow>
        let unread: Bounded<CaseRow>
        let deadlines: Bounded<Deadline>
        let appointments: Bounded<Appointment>
        let aftercare: Bounded<Aftercare>
        let organisations: Bounded<OrgHours>
        /// For an admin: only the organisations whose hours need attention are listed.
        let organisationsNeedingAttention: Bool
        let signals: Bounded<SignalView>
        let retention: [Retention]
        /// Closed cases due within a month beyond those listed.
        let retentionMore: Int
        let floods: [Flood]
        /// Today's reminders, the same as the morning mail (`ReminderRun`).
        let reminders: [ReminderRun.Item]
        let calendarURL: String?
        let calendarForm: FormView
    }

    /// At most this many rows per list.
    static let shown = 25
    /// The latest signals shown; all of them are one click away (`SignalsPage`).
    static let signalsShown = 10

    /// GET /
    @Sendable static func show(_ req: Request) async throws -> Response {
        try await render(req, calendarURL: nil)
    }

    static func render(_ req: Request, calendarURL: String?) async throws -> Response {
        let staff = try req.requireStaff()
        let today = Day(Date())
        let (hours, attentionOnly, served) = try await organisationHours(req, staff: staff, today: today)
        var work = CounsellorWork.none
        if staff.user.isCounsellor {
            work = try await CounsellorWork.of(req, staff: staff, today: today, served: served)
        }
        let clock = PublicText.nl.dateFormatter(.medium)
        // The few organisations whose channel was flooded lately, of those this user sees.
        let flooded = req.application.floodGuard.recentFloods()
        var floodedOrgs =
            flooded.isEmpty
            ? [] : try await Organisation.query(on: req.db).filter(\.$id ~~ Set(flooded.keys)).sort(\.$name).all()
        if !staff.user.isAdmin, !floodedOrgs.isEmpty {
            floodedOrgs = floodedOrgs.filter { served.ids.contains($0.id!) }
        }
        let floods = try floodedOrgs.compactMap { org in
            flooded[(try org.requireID())].map { Flood(organisation: org.name, when: clock.string(from: $0)) }
        }
        var form = FormView(
            id: "calendar", title: nil, action: SiteURL.calendarFeed.path, submit: "Nieuw agenda-adres maken",
            csrf: req.csrfToken)
        form.intro =
            """
            Een privé-adres voor je agenda-app met je afspraken: alleen tijd en vorm, geen namen of inhoud. Een \
            nieuw adres maakt het oude ongeldig.
            """
        let page = Page(
            meta: req.meta("Overzicht", section: "dashboard"), isCounsellor: staff.user.isCounsellor,
            isAdmin: staff.user.isAdmin,
            running: work.running, inbox: work.inbox, unread: work.unread, deadlines: work.deadlines,
            appointments: work.appointments, aftercare: work.aftercare, organisations: hours,
            organisationsNeedingAttention: attentionOnly, signals: work.signals, retention: work.retention,
            retentionMore: work.retentionMore, floods: floods, reminders: work.reminders, calendarURL: calendarURL,
            calendarForm: form)
        return try await req.page(.dashboard, page)
    }

    /// Today's reminders and the retention list: read from many rows, kept in `dailyWorkCache`.
    struct DailyWork: Sendable {
        let reminders: [ReminderRun.Item]
        let retention: [Retention]
        let retentionMore: Int
    }

    /// A counsellor's part of the dashboard: each list read by its own bounded query.
    struct CounsellorWork: Sendable {
        var running = Running(total: 0, new: 0, open: 0, aftercare: 0)
        var inbox = Bounded<CaseRow>.none
        var unread = Bounded<CaseRow>.none
        var deadlines = Bounded<Deadline>.none
        var appointments = Bounded<Appointment>.none
        var aftercare = Bounded<Aftercare>.none
        var signals = Bounded<SignalView>.none
        var retention: [Retention] = []
        var retentionMore = 0
        var reminders: [ReminderRun.Item] = []

        static let none = CounsellorWork()

        static func of(_ req: Request, staff: Staff, today: Day, served: Served) async throws -> CounsellorWork {
            let db = req.db
            var work = CounsellorWork()
            // What does not need the running cases is started at once: on PostgreSQL it runs on other
            // connections of the pool instead of waiting for one query after another (SQLite has one
            // connection per event loop, so there the reads take turns).
            async let signals = SignalView.all(
                for: staff, serving: Array(served.ids), app: req.application, on: db)
            // A reporter may still write after the case is closed: it must reach someone.
            async let unread = CaseListing.read(
                where: CaseListing.readableOne(by: staff.userID) + " AND c.destroyed_on IS NULL AND c.status <> "
                    + """
                    \(bind: CaseStatus.new.rawValue) AND c.id IN (SELECT case_id FROM mailbox_messages WHERE \
                    sender =
                    """
                    + " \(bind: MailboxMessage.Sender.reporter.rawValue) AND read_at IS NULL)",
                order: .oldest, limit: shown + 1, on: db)
            // The next two weeks' appointments of cases that still have their contents, in one query.
            async let appointments = (db as! any SQLDatabase).raw(
                """
                SELECT a.case_id, a.starts_at, a.mode, c.reference FROM case_appointments a \
                JOIN cases c ON c.id = a.case_id \
                WHERE a.counsellor_id = \(bind: staff.userID) AND a.starts_at >= \(bind: today.iso) \
                AND a.starts_at < \(bind: today.adding(days: 15).iso) AND c.destroyed_on IS NULL \
                ORDER BY a.starts_at LIMIT \(unsafeRaw: String(shown + 1))
                """
            ).all()
            // The counsellor's running cases, read once (without categories): the counts, the inbox,
            // the WBK deadlines, the aftercare due and the reminders come from them. They are a counsellor's
            // workload — a few hundred — not the practice's history; one read replaced four queries,
            // one of which PostgreSQL planned as a loop over every running case.
            let running = try await CaseListing.read(
                where: CaseListing.readable(by: staff.userID, includeClosed: false), order: .oldest,
                categories: false, on: db)
            let daily = try await req.application.dailyWorkCache.value(
                for: staff.userID, generation: req.store.generation, today: today
            ) {
                async let retention = DashboardController.retention(req, staff: staff, today: today)
                let reminders = try await ReminderRun.items(
                    for: staff.userID, today: today, on: db, served: (Array(served.ids), served.figures),
                    running: running)
                let (items, more) = try await retention
                return DailyWork(reminders: reminders, retention: items, retentionMore: more)
            }
            (work.reminders, work.retention, work.retentionMore) = (
                daily.reminders, daily.retention, daily.retentionMore
            )
            work.signals = Bounded(try await signals, shown: signalsShown)
            var counts: [CaseStatus: Int] = [:]
            for c in running { counts[c.status, default: 0] += 1 }
            work.running = Running(
                total: running.count, new: counts[.new] ?? 0, open: counts[.open] ?? 0,
                aftercare: counts[.aftercare] ?? 0)
            let row = { (c: CaseListing) in CaseRow(c, staff: staff, today: today) }
            var inbox = Array(running.lazy.filter { $0.status == .new }.prefix(shown))
            try await CaseListing.addCategories(to: &inbox, on: db)
            work.inbox = Bounded(inbox.map(row), total: counts[.new] ?? 0)
            work.unread = Bounded(try await unread.map(row))
            // WBK deadlines: the running whistleblower cases with a step due soon or overdue.
            var deadlines: [Deadline] = []
            for c in running {
                if let next = c.whistleblowerClock?.next(today: today), next.state == .dueSoon || next.state == .overdue
                {
                    deadlines.append(
                        Deadline(
                            reference: c.reference, url: SiteURL.case(.value(c.id)).path, deadline: .init(next),
                            dueOn: next.due))
                }
            }
            // The overdue first, then by the day each is due.
            deadlines.sort {
                ($0.deadline.state == "overdue" ? 0 : 1, $0.dueOn, $0.reference)
                    < ($1.deadline.state == "overdue" ? 0 : 1, $1.dueOn, $1.reference)
            }
            work.deadlines = Bounded(deadlines)
            let aftercareDue = today.adding(days: 7)
            work.aftercare = Bounded(
                running.compactMap { c in
                    guard c.status == .aftercare, let day = c.aftercareOn, day <= aftercareDue else { return nil }
                    return Aftercare(
                        day: day.dutch, reference: c.reference, url: SiteURL.case(.value(c.id)).path,
                        overdue: day < today)
                })
            // The next two weeks' appointments of cases that still have their contents, in one query.
            work.appointments = Bounded(
                try await appointments.map { row in
                    let mode = AppointmentMode(rawValue: try row.decode(column: "mode", as: String.self))
                    return Appointment(
                        when: CaseForms.dutchDateTime(try row.decode(column: "starts_at", as: String.self)),
                        mode: mode?.label ?? "", reference: try row.decode(column: "reference", as: String.self),
                        url: SiteURL.case(.value(try row.decode(column: "case_id", as: UUID.self))).path)
                })
            return work
        }
    }

    /// The organisations the user serves, with the figures read for the hours list (which the
    /// reminders use too: read once per load).
    struct Served: Sendable {
        let ids: Set<UUID>
        let figures: OrganisationFigures
    }

    /// Hours per organisation: for a counsellor, the organisations they serve (with how many of
    /// their cases run there); for an admin who serves none, only those whose hours need
    /// attention — no running contract year, or 80% of the budget used — the most used first.
    static func organisationHours(
        _ req: Request, staff: Staff, today: Day
    ) async throws -> (Bounded<OrgHours>, attentionOnly: Bool, served: Served) {
        let served = Set(
            try await Organisation.served(by: staff.userID, on: req.db))
        let attentionOnly = staff.user.isAdmin
        // Two columns, without models: an admin's dashboard reads all organisations.
        let sql = req.db as! any SQLDatabase
        let listed: [(id: UUID, name: String)] =
            !attentionOnly && served.isEmpty
            ? []
            : try await sql.raw(
                attentionOnly
                    ? "SELECT id, name FROM organisations ORDER BY name"
                    : "SELECT id, name FROM organisations WHERE id IN (\(binds: Array(served))) ORDER BY name"
            ).all().map {
                (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "name", as: String.self))
            }
        // Live case counts only for the organisations this user serves; an admin's other rows show
        // hours, not how many reports came in (docs/ANONYMITY.md, who sees what).
        let figures = try await OrganisationFigures.of(
            listed.map(\.id), today: today, countingCasesOf: served, on: req.db)
        let rows = listed.map { org in
            OrgHours(
                name: org.name, url: SiteURL.organisation(.value(org.id)).path,
                openCases: served.contains(org.id) ? String(figures.openCases[org.id] ?? 0) : nil,
                budget: figures.budget(of: org.id))
        }
        let mine = Served(ids: served, figures: figures)
        guard attentionOnly else { return (Bounded(rows), false, mine) }
        // An admin: the organisations they serve, then those whose hours need attention.
        let needsAttention = { (row: OrgHours) in (row.budget?.level ?? "none") != BudgetStatus.Level.ok.rawValue }
        let own = zip(listed, rows).filter { served.contains($0.0.id) }.map(\.1)
        let others = zip(listed, rows).filter { !served.contains($0.0.id) && needsAttention($0.1) }.map(\.1)
            .sorted { ($0.budget?.percent ?? 1000) > ($1.budget?.percent ?? 1000) }
        return (Bounded(own + others), true, mine)
    }

    /// At most this many closed cases are listed; the rest are counted.
    static let retentionShown = 25

    /// The counsellor's reporter requests still to answer, and their closed cases whose retention
    /// ends within a month (the first `retentionShown`, and how many more): there is time to place
    /// a legal hold.
    static func retention(_ req: Request, staff: Staff, today: Day) async throws -> (items: [Retention], more: Int) {
        var items = try await ReporterRequest.unanswered(counsellor: staff.userID, on: req.db).map { r, reference in
            Retention(
                reference: reference, url: SiteURL.case(.value(r.$case.id)).path(anchor: "requests"),
                what: (r.kind == .deletion ? "verzoek tot verwijdering" : "verzoek tot verbetering")
                    + ", antwoord uiterlijk \(r.dueOn.dutch)",
                urgent: true)
        }
        let horizon = today.adding(months: 1)
        // Those whose retention ends in the coming month first (a hold can still be placed), then
        // those past it (kept until a report is signed off, or due at the next run).
        let policy = try await Practice.retention(on: req.db)
        var due = try await RetentionRun.candidates(
            req.store, today: today, counsellor: staff.userID, endingBy: horizon,
            endingAfter: today, limit: Self.retentionShown, policy: policy)
        if due.count < Self.retentionShown {
            due += try await RetentionRun.candidates(
                req.store, today: today, counsellor: staff.userID, endingBy: today,
                limit: Self.retentionShown - due.count, policy: policy)
        }
        for c in due {
            guard let ends = c.retentionEnds, ends <= horizon else { continue }
            let what =
                c.decision == .destroy
                ? "wordt bij de volgende ronde vernietigd"
                : (ends <= today ? "bewaartermijn verstreken; " : "bewaartermijn eindigt \(ends.dutch); ")
                    + (c.decision == .keep(.notInSignedOffReport)
                        ? "wacht op het vastgestelde jaarverslag" : "daarna vernietigd")
            items.append(
                Retention(
                    reference: c.reference, url: SiteURL.case(.value(c.id)).path(anchor: "retention"), what: what,
                    urgent: c.decision == .destroy))
        }
        let more =
            due.count < Self.retentionShown
            ? 0
            : try await RetentionRun.count(req.store, counsellor: staff.userID, endingBy: horizon, policy: policy)
                - due.count
        return (items, more)
    }
}

/// The counsellor's private calendar feed (ICS). Its address holds a secret stored only as a hash;
/// the events carry time and mode, never a name, place or case content.
enum CalendarFeed {
    /// POST /calendar-feed — a new address; the old one stops working.
    @Sendable static func renew(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        guard staff.user.isCounsellor else { throw Abort(.forbidden) }
        let token = Tokens.random()
        staff.user.calendarTokenHash = Tokens.hash(token)
        try await req.store.transaction { db in
            try await staff.user.save(on: db)
            try await req.audit("calendar.renew", subject: "user:\(staff.userID)")
        }
        let base = req.application.settings.publicURL ?? ""
        return try await DashboardController.render(
            req, calendarURL: base + SiteURL.calendar(file: .value(token + ".ics")).path)
    }

    /// GET /calendar/:token.ics
    @Sendable static func feed(_ req: Request) async throws -> Response {
        guard let file = req.parameters.get("file"), file.hasSuffix(".ics") else { throw Abort(.notFound) }
        let token = String(file.dropLast(4))
        guard !token.isEmpty,
            let user = try await User.query(on: req.db).filter(\.$calendarTokenHash == Tokens.hash(token))
                .filter(\.$active == true).first()
        else { throw Abort(.notFound) }
        let from = Day(Date()).adding(days: -30).iso
        let appointments = try await CaseAppointment.query(on: req.db).filter(
            \.$counsellor.$id == (try user.requireID())
        )
        .filter(\.$startsAt >= from).sort(\.$startsAt).all()
        let ics = ICS.calendar(
            try appointments.map { a in
                ICS.Event(
                    uid: "\((try a.requireID()).uuidString)@vertrouwd", startsAt: a.startsAt,
                    minutes: a.durationMinutes,
                    summary: "Afspraak vertrouwenspersoon (\(a.mode.label.lowercased()))")
            })
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: ics))
    }
}

enum ICS {
    struct Event {
        let uid: String
        /// Local time in Europe/Amsterdam, `2026-11-23T14:30`.
        let startsAt: String
        let minutes: Int
        let summary: String
    }

    static func calendar(_ events: [Event], now: Date = Date()) -> String {
        let stamp = ISO8601DateFormatter.string(
            from: now, timeZone: .gmt, formatOptions: [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
        )
        .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Vertrouwd//NL", "CALSCALE:GREGORIAN", "X-WR-CALNAME:Vertrouwd"
        ]
        for e in events {
            let local =
                e.startsAt.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "") + "00"
            lines += [
                "BEGIN:VEVENT", "UID:\(e.uid)", "DTSTAMP:\(stamp)", "DTSTART;TZID=Europe/Amsterdam:\(local)",
                "DURATION:PT\(e.minutes)M", "SUMMARY:\(e.summary)", "CLASS:PRIVATE", "END:VEVENT"
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
