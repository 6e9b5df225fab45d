import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// Organisations (*opdrachtgevers*): their facts, contacts, engagement phases, contract years with
/// hours budget, assigned counsellors, and time spent outside cases. Admins manage them;
/// counsellors see the organisations they serve. No case content appears here.
enum OrganisationsController {
    // MARK: page contexts

    struct Row: Encodable, Sendable {
        let url: String
        let name: String
        let sector: String
        let employees: Int
        let whistleblowerRequired: Bool
        let phase: String
        let counsellors: String
        let budget: BudgetView?
    }

    struct IndexPage: Encodable, Sendable {
        let meta: PageMeta
        let organisations: [Row]
        let canCreate: Bool
        /// The name searched for, as typed (at most 80 characters).
        let name: String
        let total: Int
        let pager: Pager?
    }

    struct ShowPage: Encodable, Sendable {
        struct Contact: Encodable, Sendable { let role, name, email, phone: String; let correctURL: String? }
        struct Phase: Encodable, Sendable { let label, day, note: String; let correctURL: String? }
        struct Year: Encodable, Sendable {
            let period: String; let budget: BudgetView; let focusPoints: String; let reportURL: String;
            let reportStatus: String
            let correctURL: String?
        }
        struct Advice: Encodable, Sendable { let url, day, subject: String; let solicited: Bool }
        struct Entry: Encodable, Sendable {
            let day, hours, kind, what, who: String; let participants: Int?; let correctURL: String?
        }
        struct Policy: Encodable, Sendable { let label, url, state: String; let adopted, required: Bool }

        let meta: PageMeta
        let name: String
        let slug: String
        let publicPath: String
        let sector: String
        let employees: Int
        let whistleblowerRequired: Bool
        let departments: [String]
        let phone, whatsapp, email, availability: String
        let counsellors: [String]
        let contacts: [Contact]
        let phases: [Phase]
        let years: [Year]
        let entries: [Entry]
        /// Only for a counsellor who serves the organisation.
        let openCases: String?
        let isAdmin: Bool
        let advice: [Advice]
        let newAdviceURL: String?
        let forms: OrganisationFormSet
        let policies: [Policy]
        let mailingURL: String
    }

    // MARK: access

    // MARK: handlers

    /// GET /organisations
    @Sendable static func index(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let today = Day(Date())
        let name = String(
            (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(80))
        let asked = req.query[String.self, at: "page"].flatMap(Int.init) ?? 1
        let (organisations, total, page) = try await Organisation.page(
            visibleTo: staff, named: name, page: asked,
            per: Pager.perPage, on: req.db)
        let figures = try await OrganisationFigures.of(organisations.map(\.id), today: today, on: req.db)
        let rows = organisations.map { org in
            Row(
                url: SiteURL.organisation(.value(org.id)).path, name: org.name,
                sector: org.sectorValue?.label ?? org.sector,
                employees: org.employees,
                whistleblowerRequired: OrganisationRules.whistleblowerProcedureRequired(employees: org.employees),
                phase: org.phase?.label ?? "—",
                counsellors: org.counsellors.isEmpty ? "—" : org.counsellors.joined(separator: ", "),
                budget: figures.budget(of: org.id))
        }
        let pager = Pager(page: page, total: total) { n in
            var items = [URLQueryItem(name: "page", value: String(n))]
            if !name.isEmpty { items.insert(URLQueryItem(name: "q", value: name), at: 0) }
            var components = URLComponents()
            components.queryItems = items
            return SiteURL.organisations.path + "?" + (components.percentEncodedQuery ?? "")
        }
        return try await req.page(
            .organisations,
            IndexPage(
                meta: req.meta("Organisaties", section: "organisations"),
                organisations: rows, canCreate: staff.user.isAdmin,
                name: name, total: total, pager: pager))
    }

    struct OrganisationForm: Content {
        var name: String?
        var slug: String?
        var sector: String?
        var employees: String?
        var departments: String?
        var phone: String?
        var whatsapp: String?
        var email: String?
        var availability: String?
        var whistleblowerChannel: String?
        var complaintsCommittee: String?
    }

    static func organisationForm(
        _ req: Request, action: String, input: OrganisationForm, errors: FormErrors = .init(), isNew: Bool
    ) -> FormView {
        var form = FormView(
            id: "organisation", title: isNew ? "Nieuwe organisatie" : "Gegevens wijzigen", action: action,
            submit: isNew ? "Organisatie aanmaken" : "Opslaan", csrf: req.csrfToken)
        form.add("name", "Naam", value: input.name, required: true, maxlength: 160)
        if isNew {
            form.add(
                "slug", "Publiek adres", value: input.slug,
                hint:
                    """
                    Kleine letters, cijfers en streepjes, bijvoorbeeld 'de-regenboog'. Komt op posters als \
                    /o/de-regenboog en verandert daarna niet meer.
                    """,
                required: true, maxlength: 60)
        }
        form.choice(
            "sector", "Sector", Sector.self, selected: [input.sector ?? ""], required: true, blank: "Kies een sector")
        form.add(
            "employees", "Aantal medewerkers", type: "number", value: input.employees,
            hint:
                """
                Vanaf \(OrganisationRules.whistleblowerProcedureThreshold) medewerkers is een meldregeling (Wet \
                bescherming klokkenluiders) verplicht.
                """,
            required: true, inputmode: "numeric")
        form.add(
            "departments", "Afdelingen", type: "textarea", value: input.departments,
            hint: "Eén per regel, grof ingedeeld. Alleen gebruikt voor signalen over trends.", maxlength: 2000)
        form.add("phone", "Telefoon vertrouwenspersoon", type: "tel", value: input.phone, maxlength: 40)
        form.add("whatsapp", "WhatsApp-nummer", type: "tel", value: input.whatsapp, maxlength: 40)
        form.add("email", "E-mail vertrouwenspersoon", type: "email", value: input.email, maxlength: 254)
        form.add(
            "availability", "Bereikbaarheid", type: "textarea", value: input.availability,
            hint: "Bijvoorbeeld: maandag tot en met vrijdag, 9.00–17.00 uur.", maxlength: 1000)
        form.checkbox(
            "whistleblowerChannel",
            "De vertrouwenspersoon is het meldkanaal voor vermoedens van misstanden (Wet bescherming klokkenluiders)",
            checked: input.whistleblowerChannel == "on",
            hint:
                """
                Alleen dan biedt het meldformulier een melding onder de wet aan, met de termijnen en de \
                informatie over extern melden. Zo staat het in de meldregeling van de organisatie.
                """
        )
        form.add(
            "complaintsCommittee", "Klachtencommissie", type: "textarea", value: input.complaintsCommittee,
            hint:
                """
                Naam en adres van de eigen of externe klachtencommissie. Staat op de publieke pagina en in de \
                klachtenregeling.
                """,
            maxlength: 500)
        form.apply(errors)
        return form
    }

    /// Validates the organisation form; returns the values to store.
    static func validate(
        _ input: OrganisationForm, isNew: Bool, on db: any Database, errors: inout FormErrors
    ) async throws
        -> (
            name: String, slug: String?, sector: Sector, employees: Int, departments: String, phone: String,
            whatsapp: String, email: String, availability: String,
            whistleblowerChannel: Bool, complaintsCommittee: String
        )?
    {
        let name = errors.text(input.name, "name", label: "de naam", max: 160)
        var slug: String?
        if isNew {
            slug = errors.text(input.slug, "slug", label: "het publieke adres", max: 60)?.lowercased()
            if let s = slug, !OrganisationRules.isValidSlug(s) {
                errors["slug"] =
                    """
                    Gebruik alleen kleine letters, cijfers en losse streepjes (2 tot 60 tekens), bijvoorbeeld \
                    'de-regenboog'.
                    """
                slug = nil
            } else if let s = slug, try await Organisation.query(on: db).filter(\.$slug == s).count() > 0 {
                errors["slug"] = "Dit adres is al in gebruik door een andere organisatie."
                slug = nil
            }
        }
        let sector = errors.choice(input.sector, "sector", Sector.self, label: "een sector")
        let employees = errors.integer(
            input.employees, "employees", label: "het aantal medewerkers", range: 1...1_000_000)
        let departments =
            errors.text(input.departments, "departments", label: "de afdelingen", max: 2000, required: false) ?? ""
        let phone = errors.text(input.phone, "phone", label: "het telefoonnummer", max: 40, required: false) ?? ""
        let whatsapp =
            errors.text(input.whatsapp, "whatsapp", label: "het WhatsApp-nummer", max: 40, required: false) ?? ""
        let email =
            (input.email ?? "").trimmingCharacters(in: .whitespaces).isEmpty
            ? "" : (errors.email(input.email, "email") ?? "")
        let availability =
            errors.text(input.availability, "availability", label: "de bereikbaarheid", max: 1000, required: false)
            ?? ""
        let committee =
            errors.text(
                input.complaintsCommittee, "complaintsCommittee", label: "de klachtencommissie", max: 500,
                required: false) ?? ""
        guard errors.isEmpty, let name, let sector, let employees, (slug != nil || !isNew) else { return nil }
        return (
            name, slug, sector, employees, departments, phone, whatsapp, email, availability,
            input.whistleblowerChannel == "on", committee
        )
    }

    /// GET /organisations/new
    @Sendable static func new(_ req: Request) async throws -> Response {
        try await req.page(
            .formPage,
            FormPage(
                meta: req.meta("Nieuwe organisatie", section: "organisations"),
                form: organisationForm(req, action: SiteURL.organisations.path, input: .init(), isNew: true)))
    }

    /// POST /organisations
    @Sendable static func create(_ req: Request) async throws -> Response {
        let input = req.form(OrganisationForm.self) ?? OrganisationForm()
        var errors = FormErrors()
        guard let v = try await validate(input, isNew: true, on: req.db, errors: &errors) else {
            return try await req.page(
                .formPage,
                FormPage(
                    meta: req.meta("Nieuwe organisatie", section: "organisations"),
                    form: organisationForm(
                        req, action: SiteURL.organisations.path, input: input, errors: errors, isNew: true)),
                status: .unprocessableEntity)
        }
        let org = Organisation()
        org.name = v.name; org.slug = v.slug!; org.sector = v.sector.rawValue; org.employees = v.employees
        org.departments = v.departments; org.phone = v.phone; org.whatsapp = v.whatsapp; org.email = v.email
        org.availability = v.availability
        org.whistleblowerChannel = v.whistleblowerChannel; org.complaintsCommittee = v.complaintsCommittee
        try await req.store.transaction { db in
            try await org.create(on: db)
            try await req.audit("organisation.create", subject: "organisation:\(try org.requireID())")
        }
        return req.redirect(to: .organisation(.value(try org.requireID())), flash: .created)
    }

    /// GET /organisations/:orgID
    @Sendable static func show(_ req: Request) async throws -> Response {
        try await render(req, org: try await Organisation.named(in: req))
    }

    /// The organisation page: `OrganisationRows` read, the context made, the view drawn. `override`
    /// is a form shown again with what the user typed and why it was refused.
    static func render(
        _ req: Request, org: Organisation, override: FormView? = nil, status: HTTPStatus = .ok
    ) async throws -> Response {
        let staff = try req.requireStaff()
        let id = try org.requireID()
        let rows = try await OrganisationRows.read(org, for: staff.userID, on: req.db)
        let correct = { (kind: CorrectionKind, row: UUID, author: UUID?) -> String? in
            CorrectionsController.mayCorrect(kind, recordedBy: author, staff: staff)
                ? SiteURL.correction(.value(id), kind: .value(kind.rawValue), row: .value(row)).path : nil
        }
        let policies = try policyViews(org, documents: rows.policies)
        let adoptedCount = policies.filter(\.adopted).count
        let assigned = rows.counsellors.contains { $0.id == staff.userID } && staff.user.isCounsellor
        var forms = OrganisationFormSet()
        let url = { (part: SiteURL.OrganisationPart) in SiteURL.organisation(.value(id), part).path }
        if staff.user.isAdmin {
            forms.organisation = organisationForm(
                req, action: SiteURL.organisation(.value(id)).path,
                input: .init(
                    name: org.name, slug: org.slug, sector: org.sector, employees: String(org.employees),
                    departments: org.departments, phone: org.phone, whatsapp: org.whatsapp, email: org.email,
                    availability: org.availability, whistleblowerChannel: org.whistleblowerChannel ? "on" : nil,
                    complaintsCommittee: org.complaintsCommittee), isNew: false)
            forms.counsellors = try await counsellorForm(
                req, action: url(.counsellors), selected: rows.counsellors.map(\.id.uuidString))
            forms.contact = contactForm(req, action: url(.contacts))
            forms.phase = phaseForm(req, action: url(.phases))
            forms.contractYear = yearForm(req, action: url(.contractYears))
        }
        forms.time = timeForm(req, action: url(.time))
        if let override { forms.put(override) }
        forms.update { _, form in form.collapsible = true }

        let page = try ShowPage(
            meta: req.meta(org.name, section: "organisations"), name: org.name, slug: org.slug,
            publicPath: SiteURL.organisationPage(slug: .value(org.slug)).path,
            sector: org.sectorValue?.label ?? org.sector, employees: org.employees,
            whistleblowerRequired: OrganisationRules.whistleblowerProcedureRequired(employees: org.employees),
            departments: org.departmentList, phone: org.phone, whatsapp: org.whatsapp, email: org.email,
            availability: org.availability,
            counsellors: rows.counsellors.map(\.name),
            contacts: rows.contacts.map {
                .init(
                    role: $0.role.label, name: $0.name, email: $0.email, phone: $0.phone,
                    correctURL: correct(.contact, try $0.requireID(), nil))
            },
            phases: rows.phases.map {
                // The phase *Beleid* says how far the policy documents are.
                .init(
                    label: $0.phase.label, day: $0.onDay.dutch,
                    note: $0.phase == .policy
                        ? [$0.note, "\(adoptedCount) van \(PolicyKind.allCases.count) beleidsdocumenten vastgesteld"]
                            .filter { !$0.isEmpty }.joined(separator: " · ") : $0.note,
                    correctURL: correct(.phase, try $0.requireID(), nil))
            },
            years: rows.years.map { y in
                .init(
                    period: "\(y.year.start.dutch) – \(y.year.end.dutch)",
                    budget: BudgetView(of: y.year, usedMinutes: y.usedMinutes), focusPoints: y.year.focusPoints,
                    reportURL: SiteURL.annualReport(.value(id), year: .value(y.id)).path,
                    reportStatus: y.signedOffOn.map { "vastgesteld \($0.dutch)" } ?? "concept",
                    correctURL: correct(.contractYear, y.id, nil))
            },
            entries: rows.entries.map { e in
                .init(
                    day: e.entry.onDay.dutch, hours: Hours.format(minutes: e.entry.minutes),
                    kind: e.entry.activityKind?.label ?? "Ander werk", what: e.entry.description, who: e.who,
                    participants: e.entry.participants, correctURL: correct(.activity, e.id, e.entry.$user.id))
            },
            openCases: rows.openCases.map(String.init), isAdmin: staff.user.isAdmin,
            advice: rows.advice.map {
                .init(
                    url: SiteURL.advice(.value(id), .value(try $0.requireID())).path, day: $0.givenOn.dutch,
                    subject: $0.subject, solicited: $0.solicited)
            },
            newAdviceURL: assigned ? SiteURL.newAdvice(.value(id)).path : nil, forms: forms,
            policies: policies, mailingURL: SiteURL.organisation(.value(id), .mailing).path)
        return try await req.page(.organisation, page, status: status)
    }

    /// The three policy documents and how far each is: the latest adopted version, a draft, or none.
    static func policyViews(_ org: Organisation, documents: [PolicyDocument]) throws -> [ShowPage.Policy] {
        let id = try org.requireID()
        return PolicyKind.allCases.map { kind in
            let mine = documents.filter { $0.kind == kind }
            let adopted = mine.first { $0.status == .adopted }
            let draft = mine.first { $0.status == .draft }
            var state =
                adopted.map { "vastgesteld \($0.adoptedOn?.dutch ?? "") (versie \($0.version))" }
                ?? "nog niet vastgesteld"
            if let draft { state += "; concept versie \(draft.version)" }
            return .init(
                label: kind.label, url: SiteURL.policy(.value(id), kind: .value(kind.rawValue)).path, state: state,
                adopted: adopted != nil,
                required: kind != .whistleblower
                    || OrganisationRules.whistleblowerProcedureRequired(employees: org.employees))
        }
    }

    /// POST /organisations/:orgID
    @Sendable static func update(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let input = req.form(OrganisationForm.self) ?? OrganisationForm()
        var errors = FormErrors()
        guard let v = try await validate(input, isNew: false, on: req.db, errors: &errors) else {
            return try await render(
                req, org: org,
                override: organisationForm(
                    req, action: SiteURL.organisation(.value(try org.requireID())).path, input: input, errors: errors,
                    isNew: false),
                status: .unprocessableEntity)
        }
        org.name = v.name; org.sector = v.sector.rawValue; org.employees = v.employees
        org.departments = v.departments; org.phone = v.phone; org.whatsapp = v.whatsapp; org.email = v.email
        org.availability = v.availability
        org.whistleblowerChannel = v.whistleblowerChannel; org.complaintsCommittee = v.complaintsCommittee
        try await req.store.transaction { db in
            try await org.save(on: db)
            try await req.audit("organisation.update", subject: "organisation:\(try org.requireID())")
        }
        return req.redirect(to: .organisation(.value(try org.requireID())), flash: .saved)
    }

    // MARK: counsellors

    struct CounsellorsForm: Content { var counsellors: [String]? }

    static func counsellorForm(
        _ req: Request, action: String, selected: [String], errors: FormErrors = .init()
    ) async throws -> FormView {
        let all = try await User.query(on: req.db).filter(\.$isCounsellor == true).filter(\.$active == true).sort(
            \.$name
        ).all()
        var form = FormView(
            id: "counsellors", title: "Vertrouwenspersonen", action: action, submit: "Opslaan", csrf: req.csrfToken)
        form.choice(
            "counsellors", "Vertrouwenspersonen voor deze organisatie",
            options: all.map { ($0.id!.uuidString, $0.name) },
            selected: selected, multiple: true, hint: "Bij meer dan één kiest de melder wie hij of zij aanspreekt.")
        form.apply(errors)
        return form
    }

    /// POST /organisations/:orgID/counsellors
    @Sendable static func setCounsellors(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let input = req.form(CounsellorsForm.self) ?? CounsellorsForm()
        let wanted = Set((input.counsellors ?? []).compactMap(UUID.init(uuidString:)))
        let valid = try await User.query(on: req.db).filter(\.$id ~~ wanted).filter(\.$isCounsellor == true).all()
        guard valid.count == wanted.count else {
            var errors = FormErrors()
            errors["counsellors"] = "Kies alleen vertrouwenspersonen uit de lijst."
            return try await render(
                req, org: org,
                override: try await counsellorForm(
                    req, action: SiteURL.organisation(.value(try org.requireID()), .counsellors).path,
                    selected: input.counsellors ?? [], errors: errors),
                status: .unprocessableEntity)
        }
        try await req.store.transaction { db in
            try await OrganisationCounsellor.query(on: db).filter(\.$organisation.$id == (try org.requireID())).delete()
            for user in valid { try await org.$counsellors.attach(user, on: db) }
            try await req.audit(
                "organisation.counsellors", subject: "organisation:\(try org.requireID())",
                detail: valid.map { (try $0.requireID()).uuidString }.sorted().joined(separator: ","))
        }
        return req.redirect(to: .organisation(.value(try org.requireID())), flash: .saved)
    }

    // MARK: contacts, phases, contract years, time

    struct ContactForm: Content { var role, name, email, phone: String? }

    static func contactForm(
        _ req: Request, action: String, input: ContactForm = .init(), errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "contact", title: "Contactpersoon toevoegen", action: action, submit: "Toevoegen", csrf: req.csrfToken)
        form.choice(
            "role", "Rol", ContactRole.self, selected: [input.role ?? ""],
            hint:
                """
                Een interne vertrouwenspersoon staat met naam, telefoon en e-mail op de publieke pagina, zodat \
                medewerkers kunnen kiezen. Vraag eerst of dat goed is.
                """,
            required: true, blank: "Kies een rol")
        form.add("name", "Naam", value: input.name, required: true, maxlength: 120)
        form.add("email", "E-mailadres", type: "email", value: input.email, maxlength: 254)
        form.add("phone", "Telefoon", type: "tel", value: input.phone, maxlength: 40)
        form.apply(errors)
        return form
    }

    /// Reads a contact form into `contact` when it is valid; false with `errors` otherwise.
    static func read(_ input: ContactForm, into contact: OrganisationContact, errors: inout FormErrors) -> Bool {
        let role = errors.choice(input.role, "role", ContactRole.self, label: "een rol")
        let name = errors.text(input.name, "name", label: "de naam", max: 120)
        let email =
            (input.email ?? "").trimmingCharacters(in: .whitespaces).isEmpty ? "" : errors.email(input.email, "email")
        let phone = errors.text(input.phone, "phone", label: "het telefoonnummer", max: 40, required: false) ?? ""
        guard errors.isEmpty, let role, let name, let email else { return false }
        contact.role = role; contact.name = name; contact.email = email; contact.phone = phone
        return true
    }

    /// POST /organisations/:orgID/contacts
    @Sendable static func addContact(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let input = req.form(ContactForm.self) ?? ContactForm()
        var errors = FormErrors()
        let contact = OrganisationContact()
        contact.$organisation.id = try org.requireID()
        guard read(input, into: contact, errors: &errors) else {
            return try await render(
                req, org: org,
                override: contactForm(
                    req, action: SiteURL.organisation(.value(try org.requireID()), .contacts).path, input: input,
                    errors: errors),
                status: .unprocessableEntity)
        }
        try await req.store.transaction { db in
            try await contact.create(on: db)
            try await req.audit("organisation.contact", subject: "organisation:\(try org.requireID())")
        }
        return req.redirect(to: .organisation(.value(try org.requireID())), flash: .saved)
    }

    struct PhaseForm: Content { var phase, day, note: String? }

    static func phaseForm(
        _ req: Request, action: String, input: PhaseForm = .init(), errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "phase", title: "Fase vastleggen", action: action, submit: "Vastleggen", csrf: req.csrfToken)
        form.choice(
            "phase", "Fase", EngagementPhase.self, selected: [input.phase ?? ""], required: true, blank: "Kies een fase"
        )
        form.add("day", "Datum", type: "date", value: input.day ?? Day(Date()).iso, required: true)
        form.add("note", "Toelichting", value: input.note, maxlength: 500)
        form.apply(errors)
        return form
    }

    /// Reads a phase form into `record` when it is valid; false with `errors` otherwise.
    static func read(_ input: PhaseForm, into record: EngagementPhaseRecord, errors: inout FormErrors) -> Bool {
        let phase = errors.choice(input.phase, "phase", EngagementPhase.self, label: "een fase")
        let day = errors.day(input.day, "day", label: "de datum")
        let note = errors.text(input.note, "note", label: "de toelichting", max: 500, required: false) ?? ""
        guard errors.isEmpty, let phase, let day else { return false }
        record.phase = phase; record.onDay = day; record.note = note
        return true
    }

    /// POST /organisations/:orgID/phases
    @Sendable static func addPhase(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let input = req.form(PhaseForm.self) ?? PhaseForm()
        var errors = FormErrors()
        let record = EngagementPhaseRecord()
        record.$organisation.id = try org.requireID()
        guard read(input, into: record, errors: &errors) else {
            return try await render(
                req, org: org,
                override: phaseForm(
                    req, action: SiteURL.organisation(.value(try org.requireID()), .phases).path, input: input,
                    errors: errors),
                status: .unprocessableEntity)
        }
        try await req.store.transaction { db in
            try await record.create(on: db)
            try await req.audit(
                "organisation.phase", subject: "organisation:\(try org.requireID())", detail: record.phase.rawValue)
        }
        return req.redirect(to: .organisation(.value(try org.requireID())), flash: .saved)
    }

    struct YearForm: Content { var start, end, hours, rate, focus: String? }

    static func yearForm(
        _ req: Request, action: String, input: YearForm = .init(), errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "contract-year", title: "Contractjaar toevoegen", action: action, submit: "Toevoegen",
            csrf: req.csrfToken)
        form.add("start", "Begindatum", type: "date", value: input.start, required: true)
        form.add("end", "Einddatum", type: "date", value: input.end, hint: "Leeg laten: een jaar na de begindatum.")
        form.add(
            "hours", "Tegoed aan uren", value: input.hours, hint: "In hele of kwartieren, bijvoorbeeld 40 of 12,5.",
            required: true, inputmode: "decimal", maxlength: 10)
        form.add(
            "rate", "Uurtarief in euro", value: input.rate,
            hint: "Voor het urenoverzicht waaruit je factureert, bijvoorbeeld 95 of 97,50. Leeg: geen tarief.",
            inputmode: "decimal", maxlength: 12)
        form.add("focus", "Speerpunten voor het volgende jaar", type: "textarea", value: input.focus, maxlength: 4000)
        form.apply(errors)
        return form
    }

    /// POST /organisations/:orgID/contract-years
    @Sendable static func addYear(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let input = req.form(YearForm.self) ?? YearForm()
        var errors = FormErrors()
        let year = ContractYear()
        year.$organisation.id = try org.requireID()
        guard try await read(input, into: year, errors: &errors, on: req.db) else {
            return try await render(
                req, org: org,
                override: yearForm(
                    req, action: SiteURL.organisation(.value(try org.requireID()), .contractYears).path, input: input,
                    errors: errors),
                status: .unprocessableEntity)
        }
        try await req.store.transaction { db in
            try await year.create(on: db)
            try await req.audit(
                "organisation.contract_year", subject: "organisation:\(try org.requireID())", detail: year.startsOn.iso)
        }
        return req.redirect(to: .organisation(.value(try org.requireID())), flash: .saved)
    }

    /// Reads a contract-year form into `year` (new, or the one being corrected: it does not
    /// overlap itself) when it is valid; false with `errors` otherwise.
    static func read(
        _ input: YearForm, into year: ContractYear, errors: inout FormErrors, on db: any Database
    ) async throws -> Bool {
        let orgID = year.$organisation.id
        let start = errors.day(input.start, "start", label: "de begindatum")
        var end = errors.day(input.end, "end", label: "de einddatum", required: false)
        if end == nil, errors["end"] == nil, let start { end = start.adding(months: 12).adding(days: -1) }
        let budgetText = errors.text(input.hours, "hours", label: "het tegoed aan uren", max: 10)
        var budgetMinutes: Int?
        if let budgetText {
            let t = budgetText.replacingOccurrences(of: ",", with: ".")
            if let hours = Double(t), hours >= 0, hours <= 10_000, (hours * 4).rounded() == hours * 4 {
                budgetMinutes = Int(hours * 60)
            } else {
                errors["hours"] = "Vul het tegoed in hele uren of kwartieren in, bijvoorbeeld 40 of 12,5."
            }
        }
        var rateCents: Int?
        if let rate = errors.text(input.rate, "rate", label: "het uurtarief", max: 12, required: false), !rate.isEmpty {
            rateCents = Money.parseCents(rate)
            if rateCents == nil {
                errors["rate"] = "Vul het uurtarief in euro in, bijvoorbeeld 95 of 97,50 (hoogstens 10000)."
            }
        }
        let focus = errors.text(input.focus, "focus", label: "de speerpunten", max: 4000, required: false) ?? ""
        if let start, let end, end <= start { errors["end"] = "De einddatum moet na de begindatum liggen." }
        if let start, let end, errors.isEmpty {
            var overlapping = ContractYear.query(on: db).filter(\.$organisation.$id == orgID)
                .filter(\.$startsOn <= end).filter(\.$endsOn >= start)
            if let id = year.id { overlapping = overlapping.filter(\.$id != id) }
            if try await overlapping.count() > 0 {
                errors["start"] = "Dit contractjaar overlapt met een bestaand contractjaar."
            }
        }
        guard errors.isEmpty, let start, let end, let budgetMinutes else { return false }
        year.startsOn = start; year.endsOn = end; year.budgetMinutes = budgetMinutes; year.focusPoints = focus
        year.hourlyRateCents = rateCents
        return true
    }

    struct TimeForm: Content { var kind, day, hours, what, participants, overBudget: String? }

    static func timeForm(
        _ req: Request, action: String, input: TimeForm = .init(), errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "time", title: "Activiteit of ander werk vastleggen",
            intro:
                """
                Een voorlichting, workshop, verstuurd materiaal, beleidssessie of adviesgesprek. Het telt mee \
                voor het tegoed en komt in het jaarverslag. Uren op een melding schrijf je op de melding zelf.
                """,
            action: action, submit: "Vastleggen", csrf: req.csrfToken)
        form.choice("kind", "Soort", ActivityKind.self, selected: [input.kind ?? ""], required: true)
        form.add(
            "what", "Onderwerp", value: input.what,
            hint: "Bijvoorbeeld: \(ActivityKind.workshopTopics.joined(separator: ", ")).",
            required: true, maxlength: 200)
        form.add("day", "Datum", type: "date", value: input.day ?? Day(Date()).iso, required: true)
        form.add(
            "hours", "Uren", value: input.hours, hint: "In kwartieren: 0,25 · 0,5 · 1,75 of 1:45.", required: true,
            inputmode: "decimal", maxlength: 8)
        form.add(
            "participants", "Aantal deelnemers", value: input.participants,
            hint: "Alleen bij een voorlichting, workshop of sessie; mag leeg.",
            inputmode: "numeric", maxlength: 5)
        form.askOverBudget(errors, checked: input.overBudget == "on")
        form.apply(errors)
        return form
    }

    /// POST /organisations/:orgID/time — an activity, or other work outside a case.
    @Sendable static func addTime(_ req: Request) async throws -> Response {
        let org = try await Organisation.named(in: req)
        let staff = try req.requireStaff()
        let input = req.form(TimeForm.self) ?? TimeForm()
        var errors = FormErrors()
        let entry = TimeEntry()
        entry.$organisation.id = try org.requireID()
        entry.$user.id = staff.userID
        entry.caseID = nil
        var valid = read(input, into: entry, errors: &errors)
        if valid,
            let frozen = try await AnnualReportRecord.refusalToAdd(
                organisation: try org.requireID(), on: entry.onDay, db: req.db)
        {
            errors["day"] = frozen
            valid = false
        }
        if valid, input.overBudget != "on",
            let ask = try await ContractYear.crossing(
                of: try org.requireID(), on: entry.onDay, adding: entry.minutes, db: req.db)
        {
            errors["overBudget"] = ask
            valid = false
        }
        guard valid else {
            return try await render(
                req, org: org,
                override: timeForm(
                    req, action: SiteURL.organisation(.value(try org.requireID()), .time).path, input: input,
                    errors: errors),
                status: .unprocessableEntity)
        }
        try await req.store.transaction { db in
            try await entry.create(on: db)
            try await req.audit(
                "activity.create", subject: "organisation:\(try org.requireID())",
                detail: "\(entry.activityKind?.rawValue ?? "") \(entry.minutes)")
        }
        return req.redirect(to: .organisation(.value(try org.requireID())), flash: .saved)
    }

    /// Reads an activity form into `entry` when it is valid; false with `errors` otherwise.
    static func read(_ input: TimeForm, into entry: TimeEntry, errors: inout FormErrors) -> Bool {
        let kind = errors.choice(input.kind, "kind", ActivityKind.self, label: "de soort activiteit")
        let day = errors.day(input.day, "day", label: "de datum")
        let minutes = errors.hours(input.hours)
        let what = errors.text(input.what, "what", label: "het onderwerp", max: 200)
        let participants = errors.integer(
            input.participants, "participants", label: "het aantal deelnemers", range: 0...10_000, required: false)
        guard errors.isEmpty, let kind, let day, let minutes, let what else { return false }
        entry.onDay = day; entry.minutes = minutes; entry.description = what
        entry.activityKind = kind
        entry.participants = kind.hasParticipants ? participants : nil
        return true
    }
}
