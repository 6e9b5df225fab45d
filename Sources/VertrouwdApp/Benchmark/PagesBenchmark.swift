import Fluent
import Foundation
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// `vertrouwd benchmark-pages --cases 100000` — fills an empty database with a practice of N
/// cases over 200 organisations and 10 counsellors, starts the web server on a loopback port and
/// times the pages a counsellor (and the admin) open most, over real HTTP: p50, p99 and max.
///
/// The practice is in a steady state: cases opened over eight years, most of them closed, those
/// past their retention destroyed (key and contents gone, counts kept), the rest sealed with
/// their own key, with steps, hours, notes, a mailbox with messages for those that came in
/// through the website, appointments for open ones and a few shared with a substitute. Refuses a
/// database that holds anything: point VERTROUWD_DATA_DIR (or DATABASE_URL) at a new one.
struct PagesBenchmarkCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "cases", help: "How many cases the practice has (default 100000).")
        var cases: Int?
        @Option(name: "requests", help: "Timed requests per page (default 300).")
        var requests: Int?
        @Option(name: "organisations", help: "How many organisations (default 200).")
        var organisations: Int?
        @Flag(name: "again", help: "Time a database this command filled before, without filling it again.")
        var again: Bool
        @Option(name: "counsellors", help: "How many counsellors (default 10).")
        var counsellors: Int?
    }

    var help: String { "Fills an empty database with a practice of N cases and times the main pages over HTTP." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let n = max(1, signature.cases ?? 100_000)
        let requests = max(10, signature.requests ?? 300)
        var fill = BenchmarkPractice(
            app: app, organisations: max(1, signature.organisations ?? 200),
            counsellors: max(1, signature.counsellors ?? 10))
        if signature.again {
            guard let admin = try await User.query(on: app.db).filter(\.$email == "beheer@benchmark.invalid").first(),
                let first = try await User.query(on: app.db).filter(\.$email == "vp1@benchmark.invalid").first()
            else {
                throw ReportCommand.Failure(
                    description: "--again times a database this command filled; this one it did not fill.")
            }
            fill.adminID = try admin.requireID()
            fill.counsellorIDs = [try first.requireID()]
        } else {
            guard try await Organisation.query(on: app.db).count() == 0, try await User.query(on: app.db).count() == 0
            else {
                throw ReportCommand.Failure(
                    description:
                        """
                        The benchmark fills its own database; this one is not empty. Use an empty \
                        VERTROUWD_DATA_DIR or DATABASE_URL.
                        """
                )
            }
            let t0 = Date()
            try await fill.fill(cases: n) { context.console.print($0) }
            context.console.print(String(format: "Filled in %.0f s.", Date().timeIntervalSince(t0)))
        }

        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else {
            throw Abort(.internalServerError, reason: "no port")
        }
        let base = "http://127.0.0.1:\(port)"
        let me = fill.counsellorIDs[0]
        let counsellor = try await BenchmarkPractice.session(for: me, on: app.db)
        let admin = try await BenchmarkPractice.session(for: fill.adminID, on: app.db)
        let myCases = try await Case.query(on: app.db).filter(\.$counsellor.$id == me).filter(\.$destroyedOn == nil)
            .field(\.$id).all().compactMap(\.id)
        let myOrgs = try await OrganisationCounsellor.query(on: app.db).filter(\.$user.$id == me).all().map(
            \.$organisation.id)
        let slugs = try await Organisation.query(on: app.db).field(\.$slug).all().map(\.slug)
        let total = try await Case.query(on: app.db).filter(\.$counsellor.$id == me).count()
        let open = try await Case.query(on: app.db).filter(\.$counsellor.$id == me).filter(\.$status != .closed).count()
        context.console.print(
            """
            Timing as counsellor 1 of \(fill.counsellorIDs.count): \(total) cases of theirs (\(open) not \
            closed, \(myCases.count) with contents), \(myOrgs.count) organisations; \(requests) requests per \
            page after 20 to warm up.
            """
        )
        context.console.print("page                                   p50 ms   p99 ms   max ms   bytes")

        let client = app.client
        func time(
            _ label: String, session: String?, before: (Int) async throws -> Void = { _ in }, _ path: (Int) -> String
        ) async throws {
            var samples: [Double] = []
            var bytes = 0
            for i in -20..<requests {
                var headers = HTTPHeaders()
                if let session { headers.add(name: .cookie, value: "\(StaffAuthMiddleware.sessionCookie)=\(session)") }
                try await before(i + 20)
                let start = DispatchTime.now().uptimeNanoseconds
                let response = try await client.get(URI(string: base + path(i + 20)), headers: headers)
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
                guard response.status == .ok else {
                    throw Abort(
                        .internalServerError, reason: "\(label): \(path(i + 20)) answered \(response.status.code)")
                }
                if i >= 0 { samples.append(ms); bytes = response.body?.readableBytes ?? 0 }
            }
            samples.sort()
            let p = { (q: Double) in samples[min(samples.count - 1, Int((Double(samples.count) * q).rounded(.up)) - 1)]
            }
            context.console.print(
                String(
                    format: "%@ %8.1f %8.1f %8.1f %7d",
                    label.padding(toLength: 36, withPad: " ", startingAt: 0), p(0.5), p(0.99), samples.last!, bytes))
        }
        try await time("dashboard", session: counsellor) { _ in "/" }
        // The first load after a change, as a counsellor makes one: a step of one of their running
        // cases ticked off or undone through the case writer, in another organisation each time. That
        // organisation's signals, and this counsellor's reminders and retention list, are worked out anew.
        let writer = CaseWriter(store: app.store, staff: me)
        var steps: [(id: UUID, step: WorkflowStep)] = []
        for c in try await Case.query(on: app.db).filter(\.$counsellor.$id == me).filter(\.$status != .closed)
            .filter(\.$destroyedOn == nil).sort(\.$organisation.$id).all()
        {
            if let step = Workflow.steps(for: c.kind).first { steps.append((try c.requireID(), step)) }
        }
        guard !steps.isEmpty else { throw Abort(.internalServerError, reason: "no running case to change") }
        try await time("dashboard, first load after a change", session: counsellor) { i in
            let (id, step) = steps[(i * 37) % steps.count]
            let c = try await CaseAccess.open(id, by: me, store: app.store, on: app.db)
            if try await CaseStep.query(on: app.db).filter(\.$case.$id == id).filter(\.$step == step.code).count() == 0
            {
                try await writer.tick(c, step: step, on: Day(Date()), today: Day(Date()))
            } else {
                try await writer.untick(c, step: step)
            }
        } _: { _ in
            "/"
        }
        // Nothing kept: the first load after a restart, before the day's signals are worked out
        // (`startSignalsOfTheDay`, which `serve` runs and this command does not).
        try await time("dashboard, nothing kept (restart)", session: counsellor) { _ in
            app.signalCache.clear()
            app.dailyWorkCache.clear()
        } _: { _ in
            "/"
        }
        try await time("case list (open)", session: counsellor) { _ in "/cases" }
        try await time("case list (all, first page)", session: counsellor) { _ in "/cases?closed=1" }
        try await time("case list (all, page 100)", session: counsellor) { _ in "/cases?closed=1&page=100" }
        try await time("case page", session: counsellor) { i in "/cases/\(myCases[(i * 7919) % myCases.count])" }
        try await time("organisation page", session: counsellor) { i in "/organisations/\(myOrgs[i % myOrgs.count])" }
        try await time("organisation list", session: counsellor) { _ in "/organisations" }
        try await time("public page", session: nil) { i in "/o/\(slugs[i % slugs.count])" }
        try await time("dashboard (admin, all organisations)", session: admin) { _ in "/" }
        try await time("organisation list (admin)", session: admin) { _ in "/organisations" }
        await app.server.shutdown()
        if let rss = BenchmarkPractice.peakRSS() {
            context.console.print("Peak RSS of this process (fill and timing): \(rss / 1024) MB")
        }
    }
}

/// The synthetic practice of `benchmark-pages`: rows written in bulk, contents sealed with real
/// case keys, in chunks so memory stays flat.
struct BenchmarkPractice {
    let app: Application
    let organisationCount: Int
    let counsellorCount: Int
    var counsellorIDs: [UUID] = []
    var adminID = UUID()
    var rng = DemoPractice.Seeded(state: 100_000)

    init(app: Application, organisations: Int, counsellors: Int) {
        self.app = app
        self.organisationCount = organisations
        self.counsellorCount = counsellors
    }

    /// A logged-in session for a user, as the login form would leave it; returns the cookie value.
    static func session(for userID: UUID, on db: any Database) async throws -> String {
        let token = Tokens.random()
        try await StaffSession(tokenHash: Tokens.hash(token), userID: userID, now: Date()).create(on: db)
        return token
    }

    static func peakRSS() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }

    private struct Org { let id: UUID; let counsellors: [UUID]; let departments: [String] }

    mutating func fill(cases n: Int, log: (String) -> Void) async throws {
        let db = app.db
        let today = Day(Date())
        let policy = try await Practice.retention(on: db)
        let hash = "!"  // no password: the benchmark logs in with sessions it makes itself
        let admin = User(
            email: "beheer@benchmark.invalid", name: "Beheer", isAdmin: true, isCounsellor: false, passwordHash: hash)
        try await admin.create(on: db)
        adminID = try admin.requireID()
        var users: [User] = []
        for i in 1...counsellorCount {
            let u = User(
                email: "vp\(i)@benchmark.invalid", name: "Vertrouwenspersoon \(i)", isAdmin: false, isCounsellor: true,
                passwordHash: hash)
            users.append(u)
        }
        try await users.create(on: db)
        counsellorIDs = users.map { $0.id! }

        // Organisations, each served by one counsellor, one in four by two.
        var orgs: [Org] = []
        let yearStart = Day(year: today.year, month: 1, day: 1)!
        do {
            var organisations: [Organisation] = [], links: [OrganisationCounsellor] = [],
                contacts: [OrganisationContact] = []
            var phases: [EngagementPhaseRecord] = [], years: [ContractYear] = [], activities: [TimeEntry] = []
            for i in 0..<organisationCount {
                let org = Organisation()
                org.id = UUID()
                org.name = "Organisatie \(String(format: "%03d", i + 1))"; org.slug = "organisatie-\(i + 1)"
                org.sector = Sector.allCases[i % Sector.allCases.count].rawValue; org.employees = 20 + (i * 37) % 900
                let departments = ["Directie", "Team Noord", "Team Zuid", "Ondersteuning", "Buitendienst"]
                org.departments = departments.joined(separator: "\n")
                org.phone = "06-1234 5678"; org.whatsapp = ""; org.email = "vp@organisatie-\(i + 1).invalid"
                org.availability = "Maandag tot en met vrijdag, 9.00–17.00 uur."
                org.whistleblowerChannel = org.employees >= 50; org.complaintsCommittee = ""
                organisations.append(org)
                var served = [counsellorIDs[i % counsellorIDs.count]]
                if i % 4 == 0, counsellorIDs.count > 1 { served.append(counsellorIDs[(i + 1) % counsellorIDs.count]) }
                for user in served {
                    let link = OrganisationCounsellor()
                    link.$organisation.id = try org.requireID(); link.$user.id = user
                    links.append(link)
                }
                orgs.append(Org(id: try org.requireID(), counsellors: served, departments: departments))
                for role in [ContactRole.board, .hr, .worksCouncil] {
                    let contact = OrganisationContact()
                    contact.$organisation.id = try org.requireID(); contact.role = role;
                    contact.name = "Contactpersoon"
                    contact.email = "\(role.rawValue)@organisatie-\(i + 1).invalid"; contact.phone = ""
                    contacts.append(contact)
                }
                for (k, phase) in [EngagementPhase.exploratoryTalk, .agreementSigned, .policy, .introduction, .active]
                    .enumerated()
                {
                    let record = EngagementPhaseRecord()
                    record.$organisation.id = try org.requireID(); record.phase = phase; record.note = ""
                    record.onDay = yearStart.adding(months: k - 96)
                    phases.append(record)
                }
                for back in 0..<8 {
                    let year = ContractYear()
                    year.$organisation.id = try org.requireID(); year.startsOn = yearStart.adding(months: -12 * back)
                    year.endsOn = year.startsOn.adding(months: 12).adding(days: -1)
                    year.budgetMinutes = 40 * 60; year.focusPoints = ""
                    years.append(year)
                    let entry = TimeEntry(
                        organisationID: try org.requireID(), userID: served[0], on: year.startsOn.adding(months: 2),
                        minutes: 120, description: "Voorlichting")
                    entry.activityKind = .informationSession; entry.participants = 20
                    activities.append(entry)
                }
            }
            try await app.store.transaction { [organisations, links, contacts, phases, years, activities] db in
                try await Self.insert(organisations, on: db)
                try await Self.insert(links, on: db)
                try await Self.insert(contacts, on: db)
                try await Self.insert(phases, on: db)
                try await Self.insert(years, on: db)
                try await Self.insert(activities, on: db)
            }
        }

        // Cases, opened over eight years, written in chunks with everything that hangs off them.
        var numbers: [Int: Int] = [:]
        var locators = Set<String>()
        var epochs: [String: KeyEpoch] = [:]
        let stories = [
            "Melder voelt zich al maanden buitengesloten door twee collega's; opmerkingen tijdens de pauze.",
            "Leidinggevende maakt regelmatig opmerkingen over uiterlijk en kleding van melder.",
            "Melder vermoedt dat declaraties van een afdeling niet kloppen.",
            "Melder is door een collega tegen de muur geduwd tijdens een ruzie over taken."
        ]
        let chunk = 2_000
        var written = 0, sealed = 0, destroyed = 0
        while written < n {
            let count = min(chunk, n - written)
            var cases: [Case] = [], categories: [CaseCategoryRecord] = [], steps: [CaseStep] = [],
                entries: [TimeEntry] = []
            var notes: [CaseNote] = [], mailboxes: [Mailbox] = [], messages: [MailboxMessage] = []
            var appointments: [CaseAppointment] = [], shares: [CaseShare] = [], referrals: [CaseReferral] = []
            for _ in 0..<count {
                let org = orgs[Int.random(in: 0..<orgs.count, using: &rng)]
                let counsellor = org.counsellors[Int.random(in: 0..<org.counsellors.count, using: &rng)]
                let daysAgo = Int.random(in: 0..<(8 * 365), using: &rng)
                let opened = today.adding(days: -daysAgo)
                let c = Case()
                c.id = UUID()
                c.$organisation.id = org.id; c.$counsellor.id = counsellor
                let number = (numbers[opened.year] ?? 0) + 1
                numbers[opened.year] = number
                c.referenceYear = opened.year; c.referenceNumber = number
                c.reference = "\(opened.year)-\(String(format: "%05d", number))"
                c.kind = CaseKind.classified.randomElement(using: &rng)!
                c.reporterRole = ReporterRole.allCases.randomElement(using: &rng)!
                c.channel =
                    Int.random(in: 0..<3, using: &rng) == 0
                    ? .webForm : IntakeChannel.allCases.randomElement(using: &rng)!
                c.department = org.departments.randomElement(using: &rng)!
                c.relation = AccusedRelation.allCases.randomElement(using: &rng)!
                let wbk = c.kind == .businessIntegrity && Int.random(in: 0..<3, using: &rng) == 0
                c.regime = wbk ? .whistleblower : .confidential
                c.openedOn = opened
                if wbk {
                    c.whistleblowerReceivedOn = opened; if daysAgo > 5 { c.acknowledgedOn = opened.adding(days: 3) }
                }
                c.ladderLevel = LadderLevel.allCases.randomElement(using: &rng)!
                c.ladderHighest = c.ladderLevel
                if daysAgo < 4 && c.channel == .webForm {
                    c.status = .new
                } else if daysAgo < 60 {
                    c.status = daysAgo > 40 ? .aftercare : .open
                    if c.status == .aftercare {
                        c.aftercareOn = today.adding(days: Int.random(in: -3..<40, using: &rng))
                    }
                } else {
                    c.status = .closed
                    c.closedOn = min(opened.adding(days: Int.random(in: 7..<60, using: &rng)), today)
                    c.outcome = Outcome.allCases.randomElement(using: &rng)!
                }
                Case.clearSealedText(of: c)
                let id = try c.requireID()
                categories.append(
                    CaseCategoryRecord(caseID: id, category: CaseCategory.allCases.randomElement(using: &rng)!))
                // Hours stay when the contents go: they are the contract's, not the reporter's.
                for k in 0..<Int.random(in: 1...3, using: &rng) {
                    entries.append(
                        TimeEntry(
                            organisationID: org.id, userID: counsellor, caseID: id,
                            on: min(opened.adding(days: k * 7), today),
                            minutes: 15 * Int.random(in: 2...8, using: &rng), description: ""))
                }
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    let r = CaseReferral()
                    r.id = UUID(); r.$case.id = id; r.target = ReferralTarget.allCases.randomElement(using: &rng)!
                    r.onDay = opened; r.passesPersonalData = false; r.noteSealed = ""
                    referrals.append(r)
                }
                if let closed = c.closedOn, closed.adding(months: policy.months) < today.adding(days: -7) {
                    // Past its retention: destroyed by an earlier run, as `RetentionRun.destroy` leaves it.
                    c.keyID = "destroyed"; c.wrappedKey = nil
                    c.destroyedOn = closed.adding(months: policy.months).adding(days: 1); c.destroyedBy = .retention
                    cases.append(c)
                    destroyed += 1
                    continue
                }
                let epoch: KeyEpoch
                if let known = epochs[opened.iso] {
                    epoch = known
                } else {
                    epoch = try await CaseKeys.epochForNewCase(openedOn: opened, keys: app.keys, on: db)
                    epochs[opened.iso] = epoch
                }
                let (key, keyID, wrapped) = try app.keys.newCaseKey(for: id, epoch: epoch)
                c.keyID = keyID; c.wrappedKey = wrapped
                let texts: [KeyPath<Case, FieldProperty<Case, String>>: String] = [
                    \.$summarySealed: stories.randomElement(using: &rng)!, \.$accusedSealed: "Een leidinggevende",
                    \.$closingNoteSealed: c.status == .closed ? "Afgesloten na gesprekken." : "",
                    \.$reporterLanguageSealed: c.channel == .webForm ? "nl" : ""
                ]
                for field in Case.sealedText { try key.seal(texts[field] ?? "", into: c, field) }
                for referral in referrals where referral.$case.id == id {
                    try key.seal("Doorverwezen.", into: referral, \.$noteSealed)
                }
                cases.append(c)
                sealed += 1
                let workflow = Workflow.steps(for: c.kind)
                let done =
                    c.status == .closed ? workflow.count : Int.random(in: 0...min(3, workflow.count), using: &rng)
                for step in workflow.prefix(done) { steps.append(CaseStep(caseID: id, step: step.code, on: opened)) }
                for k in 0..<Int.random(in: 0...2, using: &rng) {
                    let note = CaseNote(id: UUID(), caseID: id, authorID: counsellor)
                    try key.seal(
                        "Gesprek \(k + 1) gevoerd; melder denkt na over vervolgstappen.", into: note, \.$bodySealed)
                    notes.append(note)
                }
                if c.channel == .webForm {
                    let mailbox = Mailbox()
                    mailbox.id = UUID(); mailbox.$case.id = id
                    var locator = ReceiptCode.generate().locator
                    while !locators.insert(locator).inserted { locator = ReceiptCode.generate().locator }
                    mailbox.locator = locator
                    mailbox.salt = Data(repeating: 1, count: 16); mailbox.secretHash = Data(repeating: 2, count: 32)
                    mailbox.kdf = ReceiptHash.Parameters.standard.description
                    mailbox.failedAttempts = 0; mailbox.language = "nl"
                    mailbox.lastReporterActivity = opened.date
                    mailboxes.append(mailbox)
                    let thread = c.status == .new ? 1 : Int.random(in: 2...5, using: &rng)
                    for k in 0..<thread {
                        let m = MailboxMessage(
                            id: UUID(), caseID: id, sender: k % 2 == 0 ? .reporter : .counsellor,
                            kind: .message, at: opened.date.addingTimeInterval(Double(k) * 86_400))
                        if c.status != .new || k > 0 { m.readAt = m.createdAt }
                        try key.seal("Bericht \(k + 1) in de postbus.", into: m, \.$bodySealed)
                        messages.append(m)
                    }
                }
                if c.status == .open, Int.random(in: 0..<3, using: &rng) == 0 {
                    let day = today.adding(days: Int.random(in: 0..<14, using: &rng))
                    let a = CaseAppointment(
                        id: UUID(), caseID: id, counsellorID: counsellor, startsAt: "\(day.iso)T10:00",
                        minutes: 60, mode: AppointmentMode.allCases.randomElement(using: &rng)!)
                    try key.seal("Kantoor praktijk", into: a, \.$placeSealed)
                    appointments.append(a)
                }
                if c.status != .closed, Int.random(in: 0..<50, using: &rng) == 0, counsellorIDs.count > 1 {
                    let share = CaseShare()
                    share.id = UUID(); share.$case.id = id
                    share.$user.id = counsellorIDs.first { $0 != counsellor }!
                    share.grantedBy = counsellor; share.grantedAt = Date()
                    try key.seal("Vervanging tijdens vakantie.", into: share, \.$reasonSealed)
                    shares.append(share)
                }
            }
            try await app.store.transaction {
                [cases, categories, steps, entries, notes, mailboxes, messages, appointments, shares, referrals] db in
                try await Self.insert(cases, on: db)
                try await Self.insert(categories, on: db)
                try await Self.insert(steps, on: db)
                try await Self.insert(entries, on: db)
                try await Self.insert(notes, on: db)
                try await Self.insert(mailboxes, on: db)
                try await Self.insert(messages, on: db)
                try await Self.insert(appointments, on: db)
                try await Self.insert(shares, on: db)
                try await Self.insert(referrals, on: db)
            }
            written += count
            if written % 20_000 == 0 || written == n {
                log("  \(written) cases written (\(sealed) with sealed contents, \(destroyed) destroyed by retention)")
            }
        }
        // A database in steady state has statistics (and, on PostgreSQL, a visibility map for
        // index-only scans): what autovacuum or `PRAGMA optimize` leave after a while.
        let sql = db as! any SQLDatabase
        if app.settings.dialect == .postgres {
            try await sql.raw("VACUUM ANALYZE").run()
        } else {
            try await sql.raw("ANALYZE").run()
        }
    }

    static func insert<M: Model>(_ models: [M], on db: any Database) async throws {
        for start in stride(from: 0, to: models.count, by: 400) {
            try await models[start..<min(start + 400, models.count)].create(on: db)
        }
    }
}
