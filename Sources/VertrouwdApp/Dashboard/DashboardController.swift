import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The start page. A counsellor sees their open cases, WBK deadlines, appointments, aftercare
/// due and hours per organisation; an admin sees hours and counts per organisation — never
/// case contents.
enum DashboardController {
    struct Appointment: Encodable, Sendable { let when, mode, reference, url: String }
    struct Aftercare: Encodable, Sendable { let day, reference, url: String; let overdue: Bool }
    struct Deadline: Encodable, Sendable { let reference, url: String; let deadline: DeadlineView }
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

    struct Page: Encodable, Sendable {
        let meta: PageMeta
        let isCounsellor: Bool
        let isAdmin: Bool
        let cases: [CaseRow]
        let inbox: [CaseRow]
        let unread: [CaseRow]
        let deadlines: [Deadline]
        let appointments: [Appointment]
        let aftercare: [Aftercare]
        let organisations: [OrgHours]
        let signals: [SignalView]
        let retention: [Retention]
        /// Closed cases due within a month beyond those listed.
        let retentionMore: Int
        let floods: [Flood]
        /// Today's reminders, the same as the morning mail (`ReminderRun`).
        let reminders: [ReminderRun.Item]
        let calendarURL: String?
        let calendarForm: FormView
    }

    /// GET /
    @Sendable static func show(_ req: Request) async throws -> Response {
        try await render(req, calendarURL: nil)
    }

    static func render(_ req: Request, calendarURL: String?) async throws -> Response {
        let staff = try req.requireStaff()
        let today = Day(Date())
        var rows: [CaseRow] = []
        var inbox: [CaseRow] = []
        var unread: [CaseRow] = []
        var deadlines: [Deadline] = []
        var appointments: [Appointment] = []
        var aftercare: [Aftercare] = []
        var signals: [SignalView] = []
        var retention: [Retention] = []
        var retentionMore = 0
        var reminders: [ReminderRun.Item] = []
        if staff.user.isCounsellor {
            reminders = try await ReminderRun.items(for: staff.userID, today: today, on: req.db)
            (retention, retentionMore) = try await Self.retention(req, staff: staff, today: today)
            signals = try await SignalView.all(for: staff, settings: req.application.settings, on: req.db)
            let cases = try await Case.readable(by: staff, includeClosed: false, on: req.db)
            rows = cases.filter { $0.status != .new }.map { CaseRow($0, staff: staff, today: today) }
            inbox = cases.filter { $0.status == .new }.map { CaseRow($0, staff: staff, today: today) }
            let waiting = Set(try await MailboxMessage.query(on: req.db).filter(\.$case.$id ~~ cases.map(\.id))
                .filter(\.$sender == .reporter).filter(\.$readAt == nil).all().map(\.$case.id))
            unread = cases.filter { waiting.contains($0.id) && $0.status != .new }.map { CaseRow($0, staff: staff, today: today) }
            // A reporter may still write after the case is closed: it must reach someone.
            unread += try await Self.closedWithMessages(userID: staff.userID, on: req.db).map { CaseRow($0, staff: staff, today: today) }
            for c in cases {
                if let next = c.whistleblowerClock?.next(today: today), next.state == .dueSoon || next.state == .overdue {
                    deadlines.append(Deadline(reference: c.reference, url: SiteURL.case(.value(c.id)).path, deadline: .init(next)))
                }
                if c.status == .aftercare, let day = c.aftercareOn, today.days(until: day) <= 7 {
                    aftercare.append(Aftercare(day: day.dutch, reference: c.reference, url: SiteURL.case(.value(c.id)).path, overdue: day < today))
                }
            }
            deadlines.sort { $0.deadline.state == "overdue" && $1.deadline.state != "overdue" }
            let byID = Dictionary(uniqueKeysWithValues: cases.map { ($0.id, $0) })
            let upcoming = try await CaseAppointment.query(on: req.db).filter(\.$counsellor.$id == staff.userID)
                .filter(\.$startsAt >= today.iso).filter(\.$startsAt < today.adding(days: 15).iso).sort(\.$startsAt).all()
            appointments = upcoming.compactMap { a in
                guard let c = byID[a.$case.id] else { return nil }
                return Appointment(when: CaseForms.dutchDateTime(a.startsAt), mode: a.mode.label,
                                   reference: c.reference, url: SiteURL.case(.value(c.id)).path)
            }
        }
        let visible = try await Organisation.visible(to: staff, on: req.db)
        let figures = try await OrganisationFigures.of(visible.compactMap(\.id), today: today, on: req.db)
        // Live case counts only for the organisations this user serves; an admin's other rows show
        // hours, not how many reports came in (docs/ANONYMITY.md, who sees what).
        let served = Set(try await OrganisationCounsellor.query(on: req.db).filter(\.$user.$id == staff.userID).all().map(\.$organisation.id))
        let hours = visible.map { org in
            OrgHours(name: org.name, url: SiteURL.organisation(.value(org.id!)).path,
                     openCases: served.contains(org.id!) ? String(figures.openCases[org.id!] ?? 0) : nil,
                     budget: figures.budget(of: org.id!))
        }
        let clock = PublicText.nl.dateFormatter(.medium)
        let floods = visible.compactMap { org -> Flood? in
            req.application.floodGuard.lastFlood(at: org.id!).map { Flood(organisation: org.name, when: clock.string(from: $0)) }
        }
        var form = FormView(id: "calendar", title: nil, action: SiteURL.calendarFeed.path, submit: "Nieuw agenda-adres maken", csrf: req.csrfToken)
        form.intro = "Een privé-adres voor je agenda-app met je afspraken: alleen tijd en vorm, geen namen of inhoud. Een nieuw adres maakt het oude ongeldig."
        return try await req.page(.dashboard, Page(meta: req.meta("Overzicht", section: "dashboard"), isCounsellor: staff.user.isCounsellor,
                                                    isAdmin: staff.user.isAdmin, cases: rows, inbox: inbox, unread: unread, deadlines: deadlines,
                                                    appointments: appointments, aftercare: aftercare, organisations: hours,
                                                    signals: signals, retention: retention, retentionMore: retentionMore, floods: floods, reminders: reminders, calendarURL: calendarURL, calendarForm: form))
    }

    /// The staff member's closed cases (their own, or shared with them) with a reporter's message
    /// nobody has read.
    static func closedWithMessages(userID: UUID, on db: any Database) async throws -> [CaseListing] {
        let readable = CaseListing.readable(by: userID, includeClosed: true)
        return try await CaseListing.read(where: "c.status = \(bind: CaseStatus.closed.rawValue) AND c.destroyed_on IS NULL AND c.id IN "
            + "(SELECT case_id FROM mailbox_messages WHERE sender = \(bind: MailboxMessage.Sender.reporter.rawValue) AND read_at IS NULL) AND "
            + readable, on: db)
    }

    /// At most this many closed cases are listed; the rest are counted.
    static let retentionShown = 25

    /// The counsellor's reporter requests still to answer, and their closed cases whose retention
    /// ends within a month (the first `retentionShown`, and how many more): there is time to place
    /// a legal hold.
    static func retention(_ req: Request, staff: Staff, today: Day) async throws -> (items: [Retention], more: Int) {
        // The practice's unanswered requests first (a handful: each must be answered within a
        // month), then which of them are this counsellor's: a join led the planner through
        // every one of the counsellor's cases.
        let waiting = try await ReporterRequest.query(on: req.db).filter(\.$answeredAt == nil).sort(\.$madeAt).all()
        let references = waiting.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Case.query(on: req.db)
            .filter(\.$id ~~ Set(waiting.map(\.$case.id))).filter(\.$counsellor.$id == staff.userID).filter(\.$destroyedOn == nil)
            .field(\.$id).field(\.$reference).all().map { ($0.id!, $0.reference) })
        var items = waiting.compactMap { r in
            references[r.$case.id].map { reference in
                Retention(reference: reference, url: SiteURL.case(.value(r.$case.id)).path(anchor: "requests"),
                          what: (r.kind == .deletion ? "verzoek tot verwijdering" : "verzoek tot verbetering") + ", antwoord uiterlijk \(r.dueOn.dutch)",
                          urgent: true)
            }
        }
        let horizon = today.adding(months: 1)
        // Those whose retention ends in the coming month first (a hold can still be placed), then
        // those past it (kept until a report is signed off, or due at the next run).
        var due = try await RetentionRun.candidates(req.store, today: today, counsellor: staff.userID, endingBy: horizon,
                                                    endingAfter: today, limit: Self.retentionShown)
        if due.count < Self.retentionShown {
            due += try await RetentionRun.candidates(req.store, today: today, counsellor: staff.userID, endingBy: today,
                                                     limit: Self.retentionShown - due.count)
        }
        for c in due {
            guard let ends = c.retentionEnds, ends <= horizon else { continue }
            let what = c.decision == .destroy ? "wordt bij de volgende ronde vernietigd"
                : (ends <= today ? "bewaartermijn verstreken; " : "bewaartermijn eindigt \(ends.dutch); ")
                    + (c.decision == .keep(.notInSignedOffReport) ? "wacht op het vastgestelde jaarverslag" : "daarna vernietigd")
            items.append(Retention(reference: c.reference, url: SiteURL.case(.value(c.id)).path(anchor: "retention"), what: what,
                                   urgent: c.decision == .destroy))
        }
        let more = due.count < Self.retentionShown ? 0
            : try await RetentionRun.count(req.store, counsellor: staff.userID, endingBy: horizon) - due.count
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
        return try await DashboardController.render(req, calendarURL: base + SiteURL.calendar(file: .value(token + ".ics")).path)
    }

    /// GET /calendar/:token.ics
    @Sendable static func feed(_ req: Request) async throws -> Response {
        guard let file = req.parameters.get("file"), file.hasSuffix(".ics") else { throw Abort(.notFound) }
        let token = String(file.dropLast(4))
        guard !token.isEmpty, let user = try await User.query(on: req.db).filter(\.$calendarTokenHash == Tokens.hash(token))
            .filter(\.$active == true).first() else { throw Abort(.notFound) }
        let from = Day(Date()).adding(days: -30).iso
        let appointments = try await CaseAppointment.query(on: req.db).filter(\.$counsellor.$id == user.id!)
            .filter(\.$startsAt >= from).sort(\.$startsAt).all()
        let ics = ICS.calendar(appointments.map { a in
            ICS.Event(uid: "\(a.id!.uuidString)@vertrouwd", startsAt: a.startsAt, minutes: a.durationMinutes,
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
        let stamp = ISO8601DateFormatter.string(from: now, timeZone: .gmt, formatOptions: [.withYear, .withMonth, .withDay, .withTime, .withTimeZone])
            .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Vertrouwd//NL", "CALSCALE:GREGORIAN", "X-WR-CALNAME:Vertrouwd"]
        for e in events {
            let local = e.startsAt.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "") + "00"
            lines += ["BEGIN:VEVENT", "UID:\(e.uid)", "DTSTAMP:\(stamp)", "DTSTART;TZID=Europe/Amsterdam:\(local)",
                      "DURATION:PT\(e.minutes)M", "SUMMARY:\(e.summary)", "CLASS:PRIVATE", "END:VEVENT"]
        }
        lines.append("END:VCALENDAR")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
