import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// `vertrouwd demo` — fills an empty database with a realistic practice to explore: an admin,
/// two counsellors, four organisations, two contract years each and about sixty cases. It refuses
/// to touch a database that already holds accounts, organisations or cases.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Fills an empty database with a demo practice and prints the logins." }

    struct Refusal: Error, CustomStringConvertible { let description: String }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let result = try await DemoPractice.load(app: app, today: Day(Date()))
        let console = context.console
        console.print("Demo practice loaded: \(result.organisations.count) organisations, \(result.caseCount) cases.")
        console.print("")
        console.print("Logins (password, then the TOTP secret for an authenticator app):")
        for login in result.logins {
            console.print("  \(login.role): \(login.email)  password: \(login.password)")
            console.print("    TOTP secret: \(login.secret)")
            console.print("    \(login.uri)")
        }
        console.print("")
        console.print("Public pages of the organisations:")
        for org in result.organisations { console.print("  /o/\(org)") }
    }
}

enum DemoPractice {
    struct Login { let role, email, password, secret, uri: String }
    struct Result { let logins: [Login]; let organisations: [String]; let caseCount: Int }

    /// Every demo looks the same.
    typealias Seeded = SeededRandom

    static func load(app: Application, today: Day) async throws -> Result {
        let db = app.db
        let users = try await User.query(on: db).count()
        let orgs = try await Organisation.query(on: db).count()
        let cases = try await Case.query(on: db).count()
        guard users == 0, orgs == 0, cases == 0 else {
            throw DemoCommand.Refusal(
                description:
                    """
                    This database already holds data (\(users) accounts, \(orgs) organisations, \(cases) \
                    cases). The demo only fills an empty database; point VERTROUWD_DATA_DIR or DATABASE_URL at \
                    a new one.
                    """
            )
        }
        var rng = Seeded(state: 2026)
        var logins: [Login] = []

        func account(
            _ email: String, _ name: String, admin: Bool, counsellor: Bool, intro: String?
        ) async throws -> User {
            let password = AccountService.generatePassword()
            let user = User(
                email: email, name: name, isAdmin: admin, isCounsellor: counsellor,
                passwordHash: try await app.password.async.hash(password))
            user.introduction = intro
            let secret = try SecondFactor.enrol(user, masterKey: app.masterKey)
            try await user.create(on: db)
            logins.append(
                Login(
                    role: admin ? "admin" : "counsellor", email: email, password: password,
                    secret: Tokens.base32(secret), uri: SecondFactor.uri(secret: secret, email: email)))
            return user
        }

        if let practice = try await Practice.find(Practice.singletonID, on: db) {
            practice.name = "Praktijk Vertrouwd (demo)"
            practice.setupTokenHash = nil
            try await practice.save(on: db)
        }
        _ = try await account("beheer@demo.vertrouwd.nl", "Bea Beheer", admin: true, counsellor: false, intro: nil)
        let anna = try await account(
            "anna@demo.vertrouwd.nl", "Anna de Vries", admin: false, counsellor: true,
            intro: "Register-vertrouwenspersoon (LVV), achtergrond in HR en mediation.")
        let youssef = try await account(
            "youssef@demo.vertrouwd.nl", "Youssef El Amrani", admin: false, counsellor: true,
            intro: "Register-vertrouwenspersoon (LVV), jurist, gespecialiseerd in integriteit.")

        struct OrgSpec {
            let name, slug: String; let sector: Sector; let employees: Int; let departments: [String]; let hours: Int;
            let counsellors: [User]
        }
        let specs = [
            OrgSpec(
                name: "Basisschool De Regenboog", slug: "de-regenboog", sector: .education, employees: 38,
                departments: ["Onderbouw", "Bovenbouw", "Ondersteuning"], hours: 16, counsellors: [anna]),
            OrgSpec(
                name: "Zorggroep Het Baken", slug: "het-baken", sector: .care, employees: 640,
                departments: ["Verpleging", "Thuiszorg", "Facilitair", "Staf"], hours: 80, counsellors: [anna, youssef]),
            OrgSpec(
                name: "Gemeente Lindewaard", slug: "gemeente-lindewaard", sector: .government, employees: 310,
                departments: ["Publiekszaken", "Ruimte", "Sociaal domein", "Bedrijfsvoering"], hours: 40,
                counsellors: [youssef]),
            OrgSpec(
                name: "Kinderopvang Klein Geluk", slug: "klein-geluk", sector: .childcare, employees: 92,
                departments: ["Locatie Noord", "Locatie Zuid", "Kantoor"], hours: 24, counsellors: [anna])
        ]
        let yearStart = Day(year: today.year, month: 1, day: 1)!
        var organisations: [(Organisation, OrgSpec)] = []
        for spec in specs {
            let org = Organisation()
            org.name = spec.name; org.slug = spec.slug; org.sector = spec.sector.rawValue;
            org.employees = spec.employees
            org.departments = spec.departments.joined(separator: "\n")
            org.phone = "06-1234 56\(10 + organisations.count)"; org.whatsapp = org.phone;
            org.email = "vp-\(spec.slug)@demo.vertrouwd.nl"
            org.availability =
                "Maandag tot en met vrijdag, 9.00–17.00 uur. Buiten deze tijden kun je een bericht achterlaten."
            org.whistleblowerChannel = OrganisationRules.whistleblowerProcedureRequired(employees: spec.employees)
            org.complaintsCommittee = "Landelijke Klachtencommissie Ongewenst Gedrag, Postbus 1234, 3500 AA Utrecht"
            try await org.create(on: db)
            for user in spec.counsellors { try await org.$counsellors.attach(user, on: db) }
            for (role, name) in [(ContactRole.board, "M. Jansen"), (.hr, "P. de Boer"), (.worksCouncil, "S. Bakker")] {
                let contact = OrganisationContact()
                contact.$organisation.id = try org.requireID(); contact.role = role; contact.name = name
                contact.email = "\(role.rawValue)@\(spec.slug).demo"; contact.phone = ""
                try await contact.create(on: db)
            }
            let phases: [(EngagementPhase, Int)] = [
                (.exploratoryTalk, -14), (.agreementSigned, -12), (.policy, -11), (.introduction, -10), (.active, -9)
            ]
            for (phase, months) in phases {
                let record = EngagementPhaseRecord()
                record.$organisation.id = try org.requireID(); record.phase = phase
                record.note = ""
                record.onDay = yearStart.adding(months: months)
                try await record.create(on: db)
            }
            for (start, hours) in [(yearStart.adding(months: -12), spec.hours), (yearStart, spec.hours)] {
                let year = ContractYear()
                year.$organisation.id = try org.requireID(); year.startsOn = start
                year.endsOn = start.adding(months: 12).adding(days: -1)
                year.budgetMinutes = hours * 60
                // The rate rose this year; one organisation has none agreed (the statement shows both).
                year.hourlyRateCents = spec.hours > 40 ? nil : (start == yearStart ? 9750 : 9500)
                year.focusPoints =
                    start == yearStart
                    ? "" : "Voorlichting over grensoverschrijdend gedrag; zichtbaarheid vertrouwenspersoon vergroten."
                try await year.create(on: db)
            }
            let activities: [(ActivityKind, String, Int?)] = [
                (.policySession, "Kennismaking met directie en OR", nil),
                (.informationSession, "Elkaar aanspreken op gedrag", 24),
                (.workshop, "Grenzen stellen", 12), (.material, "Poster en mailing: wie is de vertrouwenspersoon", nil)
            ]
            for (i, (kind, what, participants)) in activities.enumerated() {
                for start in [yearStart.adding(months: -12), yearStart] where start.adding(months: 1 + i * 3) <= today {
                    let entry = TimeEntry()
                    entry.$organisation.id = try org.requireID(); entry.$user.id = spec.counsellors[0].id!;
                    entry.caseID = nil
                    entry.onDay = start.adding(months: 1 + i * 3); entry.minutes = [90, 120, 180, 30][i]
                    entry.description = what
                    entry.activityKind = kind; entry.participants = participants
                    try await entry.create(on: db)
                }
            }
            organisations.append((org, spec))
        }

        // About sixty cases over two contract years, spread over kinds, categories, steps, ladder levels, outcomes and
        // referrals.
        let stories = [
            """
            Melder voelt zich al maanden buitengesloten door twee collega's; opmerkingen tijdens de pauze, niet \
            uitgenodigd voor overleg.
            """,
            """
            Leidinggevende maakt regelmatig opmerkingen over uiterlijk en kleding van melder, ook in het \
            bijzijn van anderen.
            """,
            """
            Melder is na een conflict met een cliëntfamilie uitgescholden en bedreigd; voelt zich niet gesteund \
            door het team.
            """,
            """
            Melder vermoedt dat declaraties van een afdeling niet kloppen: uren die niet gewerkt zijn worden \
            toch gefactureerd.
            """,
            "Collega deelt vertrouwelijke cliëntgegevens via een privé-app; melder weet niet of dit gemeld mag worden.",
            "Melder ervaart grappen over afkomst als kwetsend; eerdere opmerking hierover werd weggelachen.",
            "Vraag over de rol van de vertrouwenspersoon en wat er met een gesprek gebeurt.",
            "Melder heeft hoge werkdruk en een arbeidsconflict met de leidinggevende over het rooster.",
            "Melder ziet dat bedrijfsmiddelen (laptop, bus) voor privéklussen worden gebruikt door een teamleider.",
            "Melder is door een collega tegen de muur geduwd tijdens een ruzie over taken."
        ]
        let kinds: [(CaseKind, [CaseCategory])] = [
            (.personalIntegrity, [.bullying]), (.personalIntegrity, [.sexualHarassment]),
            (.personalIntegrity, [.aggression, .threat]),
            (.businessIntegrity, [.fraud]), (.businessIntegrity, [.informationLeak]),
            (.personalIntegrity, [.discrimination]),
            (.informationRequest, []), (.personalIntegrity, [.workload]), (.businessIntegrity, [.misuseOfResources]),
            (.personalIntegrity, [.aggression])
        ]
        var created = 0
        for n in 0..<60 {
            let (org, spec) = organisations[[0, 1, 1, 1, 2, 2, 3, 3, 1, 2][n % 10]]
            let pick = Int.random(in: 0..<kinds.count, using: &rng)
            let (kind, categories) = kinds[pick]
            let counsellor = spec.counsellors[n % spec.counsellors.count]
            let daysAgo = Int.random(in: 3...320, using: &rng)
            // A third in last year's contract year, for the annual report's comparison.
            let opened =
                n % 3 == 0 ? yearStart.adding(days: -(1 + daysAgo % 360)) : max(today.adding(days: -daysAgo), yearStart)
            let whistleblower = kind == .businessIntegrity && spec.employees >= 50 && n % 2 == 0
            let intake = CaseIntake(
                organisationID: try org.requireID(), counsellorID: try counsellor.requireID(), kind: kind,
                categories: categories,
                reporterRole: ReporterRole.allCases[Int.random(in: 0..<4, using: &rng)],
                channel: IntakeChannel.allCases[Int.random(in: 0..<5, using: &rng)], openedOn: opened,
                department: n % 3 == 0 ? spec.departments[n % spec.departments.count] : "",
                relation: AccusedRelation.allCases[Int.random(in: 0..<AccusedRelation.allCases.count, using: &rng)],
                regime: whistleblower ? .whistleblower : .confidential, summary: stories[pick],
                reporterName: n % 4 == 0 ? "" : "Medewerker \(n + 1)",
                reporterContact: n % 4 == 0 ? "" : "06-0000 00\(String(format: "%02d", n))",
                accused: kind == .informationRequest ? "" : "Collega X (demo)")
            // Every case and everything on it goes through the write layer, audited as the CLI.
            let writer = CaseWriter(store: app.store, actor: "cli", userID: try counsellor.requireID())
            let c = try await writer.create(intake)
            created += 1

            let steps = Workflow.steps(for: kind)
            let age = opened.days(until: today)
            let doneCount = min(steps.count - 1, max(1, age / 20))
            for (i, step) in steps.prefix(doneCount).enumerated() {
                try await writer.tick(c, step: step, on: min(opened.adding(days: i * 3), today), today: today)
            }
            for week in 0..<min(3, 1 + age / 45) {
                try await writer.logTime(
                    c, on: min(opened.adding(days: week * 7), today), minutes: [45, 30, 30][week], today: today)
            }
            if kind == .personalIntegrity && n % 3 == 1 {
                let day = min(opened.adding(days: 14), today)
                try await writer.escalate(
                    c, to: LadderLevel(rawValue: 2 + n % 3)!, on: day, note: "Gesprek samen met de melder voorbereid.",
                    consent: .init(basis: .reporterConsent(givenOn: day, method: .oral), remark: ""), today: today)
            }
            if n % 4 == 2 {
                let target = [ReferralTarget.coach, .mediator, .socialWork, .occupationalPhysician, .legalCounter][
                    n % 5]
                let day = min(opened.adding(days: 10), today)
                let passes = n % 8 == 2
                try await writer.refer(
                    c, to: target, on: day, passesPersonalData: passes, note: "",
                    consent: passes ? .init(basis: .reporterConsent(givenOn: day, method: .email), remark: "") : nil,
                    today: today)
            }
            if whistleblower && age > 5 {
                let acknowledged = min(opened.adding(days: n % 9), today)
                try await writer.recordWhistleblowerDates(
                    c, acknowledgedOn: acknowledged,
                    feedbackOn: age > 80 && n % 4 == 0 ? opened.adding(days: 70) : nil, today: today)
            }
            if age <= 150 && n % 3 == 0 {
                try await writer.addAppointment(
                    c, startsAt: "\(today.adding(days: 1 + n % 10).iso)T\(String(format: "%02d", 9 + n % 8)):00",
                    minutes: 60, mode: AppointmentMode.allCases[n % 3],
                    place: n % 3 == 0 ? "Buiten de organisatie: praktijkruimte" : "")
            }
            if age > 150 {
                try await writer.close(
                    c, Outcome.allCases[n % Outcome.allCases.count], on: min(opened.adding(days: 60 + n), today),
                    note: "", today: today)
            } else if age > 90 {
                try await writer.planAftercare(c, on: today.adding(days: n % 12 - 3))
            }
        }
        // A cluster for a signal: three recent reports of intimidation at Het Baken.
        let (baken, bakenSpec) = organisations[1]
        for daysAgo in [12, 27, 41] {
            let intake = CaseIntake(
                organisationID: try baken.requireID(), counsellorID: bakenSpec.counsellors[0].id!,
                kind: .personalIntegrity,
                categories: [.intimidation], reporterRole: .affectedEmployee, channel: .phone,
                openedOn: today.adding(days: -daysAgo), department: "Thuiszorg", relation: .manager,
                regime: .confidential,
                summary: "Melder voelt zich door een teamleider onder druk gezet om extra diensten te draaien.",
                reporterName: "", reporterContact: "", accused: "Teamleider (demo)")
            _ = try await CaseWriter(store: app.store, actor: "cli", userID: bakenSpec.counsellors[0].id!).create(
                intake)
            created += 1
        }
        // A report under the whistleblower act, received three days ago and not yet acknowledged:
        // the acknowledgement is due within the week, so Anna's morning starts with a reminder.
        let wbk = try await CaseWriter(store: app.store, actor: "cli", userID: bakenSpec.counsellors[0].id!).create(
            CaseIntake(
                organisationID: try baken.requireID(), counsellorID: bakenSpec.counsellors[0].id!,
                kind: .businessIntegrity,
                categories: [.fraud], reporterRole: .witness, channel: .email, openedOn: today.adding(days: -3),
                department: "Facilitair",
                relation: .manager, regime: .whistleblower,
                summary:
                    """
                    Melder vermoedt dat facturen van een leverancier dubbel worden betaald en dat een \
                    leidinggevende daarvan weet.
                    """,
                reporterName: "", reporterContact: "", accused: "Leidinggevende (demo)"))
        try await CaseWriter(store: app.store, actor: "cli", userID: bakenSpec.counsellors[0].id!)
            .logTime(wbk, on: today.adding(days: -3), minutes: 60, today: today)
        created += 1
        // The intimidation signal at Het Baken became an advice to management, sent as drafted: the
        // draft names no figure below k (scripts/disclosure_audit.py reads it).
        if let signal = Signals.detect(
            [0, 1, 2].map {
                SignalCase(
                    id: "demo-\($0)", categories: [.intimidation], department: "Thuiszorg",
                    openedOn: today.adding(days: -12 - 14 * $0))
            },
            today: today, k: app.settings.disclosureThreshold
        ).first {
            let draft = Signals.adviceDraft(for: signal, organisation: baken.name, k: app.settings.disclosureThreshold)
            let letter = AdviceRecord()
            letter.$organisation.id = try baken.requireID(); letter.$user.id = bakenSpec.counsellors[0].id!
            letter.solicited = false; letter.category = .intimidation
            letter.subject = draft.subject; letter.body = draft.body
            letter.givenOn = today.adding(days: -2); letter.sentOn = letter.givenOn
            letter.response = ""; letter.followUp = ""
            try await letter.create(on: db)
        }
        // An advice given last year, with management's answer.
        let (gemeente, gemeenteSpec) = organisations[2]
        let advice = AdviceRecord()
        advice.$organisation.id = try gemeente.requireID(); advice.$user.id = gemeenteSpec.counsellors[0].id!;
        advice.solicited = true
        advice.subject = "Advies: meldregeling en zichtbaarheid vertrouwenspersoon"
        advice.body =
            """
            Aan de directie van Gemeente Lindewaard,\n\nOp uw verzoek adviseer ik de meldregeling te \
            actualiseren en de vertrouwenspersoon zichtbaarder te maken op de afdelingen.\n\nMet vriendelijke \
            groet,\nYoussef El Amrani
            """
        advice.givenOn = yearStart.adding(months: -4); advice.sentOn = advice.givenOn
        advice.response = "De directie neemt het advies over.";
        advice.followUp = ""
        try await advice.create(on: db)
        let adviceTime = TimeEntry()
        adviceTime.$organisation.id = try gemeente.requireID(); adviceTime.$user.id = gemeenteSpec.counsellors[0].id!
        adviceTime.onDay = advice.givenOn; adviceTime.minutes = 120; adviceTime.description = advice.subject
        adviceTime.activityKind = .advice
        try await adviceTime.create(on: db)
        // Anna's professional development for the LVV register.
        for (kind, monthsAgo, hours, what) in [
            (DevelopmentKind.training, 30, 16, "Training Wet bescherming klokkenluiders"),
            (.training, 8, 6, "Training gespreksvoering bij agressie"),
            (.peerConsultation, 20, 12, "Intervisiegroep regio Noord"),
            (.peerConsultation, 3, 9, "Intervisiegroep regio Noord"),
            (.other, 14, 6, "Congres LVV")
        ] {
            let entry = DevelopmentEntry()
            entry.$user.id = try anna.requireID(); entry.kind = kind; entry.onDay = today.adding(months: -monthsAgo)
            entry.minutes = hours * 60; entry.description = what
            try await entry.create(on: db)
        }
        // Last year's annual reports were signed off, as in a practice that has run a year.
        for (org, spec) in organisations {
            guard
                let year = try await ContractYear.query(on: db).filter(\.$organisation.$id == (try org.requireID()))
                    .filter(\.$startsOn == yearStart.adding(months: -12)).first()
            else { continue }
            let (doc, _) = try await ReportBuilder.currentDocument(
                org: org, year: year, record: nil, store: app.store, on: db)
            try await ReportBuilder.signOff(
                doc, record: nil, yearID: try year.requireID(), by: spec.counsellors[0].id!, on: db)
        }
        // Six conversations of last year at Het Baken were written up after its report was signed off
        // (a counsellor back from leave): the report is signed off again, checked against the first
        // version as the web page does (docs/ANONYMITY.md, rule 9). Both versions are kept.
        if let lastYear = try await ContractYear.query(on: db).filter(\.$organisation.$id == (try baken.requireID()))
            .filter(\.$startsOn == yearStart.adding(months: -12)).first()
        {
            for i in 0..<6 {
                _ = try await CaseWriter(store: app.store, actor: "cli", userID: bakenSpec.counsellors[0].id!).create(
                    CaseIntake(
                        organisationID: try baken.requireID(), counsellorID: bakenSpec.counsellors[0].id!,
                        kind: .personalIntegrity,
                        categories: [.workload], reporterRole: .affectedEmployee, channel: .phone,
                        openedOn: lastYear.endsOn.adding(days: -20 - 7 * i), department: "", relation: .manager,
                        regime: .confidential,
                        summary: "Gesprek over werkdruk, later uitgewerkt (demo).", reporterName: "",
                        reporterContact: "", accused: ""))
                created += 1
            }
            let record = try await AnnualReportRecord.query(on: db).filter(
                \.$contractYear.$id == (try lastYear.requireID())
            ).first()
            let (doc, _) = try await ReportBuilder.currentDocument(
                org: baken, year: lastYear, record: record, store: app.store, on: db)
            let problems = AnnualStatistics.revisionProblems(
                from: try ReportBuilder.versionsThatLeft(record).map(\.statistics), to: doc.statistics)
            if problems.isEmpty {
                try await ReportBuilder.signOff(
                    doc, record: record, yearID: try lastYear.requireID(), by: bakenSpec.counsellors[0].id!, on: db)
            } else {
                app.logger.warning(
                    "Het Baken's second version of last year was refused: \(problems.joined(separator: "; "))")
            }
        }
        // Each organisation adopted its three policy documents last year; a revision is in draft.
        for (org, spec) in organisations {
            let facts = try await PolicyFacts.of(org, on: db, base: app.settings.publicURL ?? "http://localhost:8080")
            for kind in PolicyKind.allCases {
                let body = try await PolicyTemplates.draft(kind, facts: facts, on: db)
                for version in 1...2 {
                    let d = PolicyDocument()
                    d.$organisation.id = try org.requireID()
                    d.kind = kind; d.version = version; d.createdBy = spec.counsellors[0].name; d.noWorksCouncil = false
                    d.createdAt = yearStart.adding(months: version == 1 ? -11 : -1).date
                    if version == 1 {
                        d.status = .adopted; d.body = body
                        d.adoptedOn = yearStart.adding(months: -10); d.adoptedBy = "de directie"
                        d.worksCouncilConsentOn =
                            kind.needsWorksCouncilConsent ? yearStart.adding(months: -10).adding(days: -14) : nil
                    } else {
                        d.status = .draft; d.adoptedBy = ""
                        d.body =
                            body
                                + """
                                \n\n## Wijziging \(today.year)\n\nDeze versie is na de evaluatie met de \
                                vertrouwenspersoon aangepast.
                                """
                    }
                    try await d.create(on: db)
                }
            }
        }
        try await Audit.record("demo.load", detail: "\(created) cases", actor: "cli", store: app.store, db: db)
        return Result(logins: logins, organisations: organisations.map { $0.1.slug }, caseCount: created)
    }
}
