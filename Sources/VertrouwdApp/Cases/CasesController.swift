import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// Cases (*meldingen*): the counsellor's list, intake of a new case, and the case page.
enum CasesController {
    // MARK: list

    struct IndexPage: Encodable, Sendable {
        let meta: PageMeta
        let rows: [CaseRow]
        let total: Int
        let pager: Pager?
        let showClosed: Bool
        let canCreate: Bool
        let search: Search
    }

    /// The search form of the list (a GET form: the search is in the address, so back and
    /// reload keep it), with the choices it offers.
    struct Search: Encodable, Sendable {
        struct Option: Encodable, Sendable { let value, label: String; let selected: Bool }
        let reference: String
        let organisations, kinds, statuses, years, orders: [Option]
        let active: Bool
        let showClosed: Bool

        init(_ filter: CaseFilter, organisations visible: [Organisation], thisYear: Int) {
            func options(_ all: [(String, String)], _ chosen: String?) -> [Option] {
                all.map { Option(value: $0.0, label: $0.1, selected: $0.0 == chosen) }
            }
            reference = filter.reference
            organisations = options(visible.map { ($0.id!.uuidString, $0.name) }, filter.organisation?.uuidString)
            kinds = options(CaseKind.allCases.map { ($0.rawValue, $0.label) }, filter.kind?.rawValue)
            statuses = options(CaseStatus.allCases.map { ($0.rawValue, $0.label) }, filter.status?.rawValue)
            years = options(
                ((thisYear - 9)...thisYear).reversed().map { (String($0), String($0)) }, filter.year.map(String.init))
            orders = options(CaseFilter.Order.allCases.map { ($0.rawValue, $0.label) }, filter.order.rawValue)
            active = filter.isSearch || filter.order != .newest
            showClosed = filter.includeClosed
        }
    }

    /// GET /cases — the cases a staff member may read, searched on plain columns only.
    @Sendable static func index(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let filter = CaseFilter(query: req.query)
        let today = Day(Date())
        let (cases, total, page) = try await CaseListing.page(
            of: staff, filter: filter, page: req.query[Int.self, at: "page"] ?? 1, per: Pager.perPage, on: req.db)
        let query = filter.query
        let base = SiteURL.cases.path + "?" + (query.isEmpty ? "" : query + "&")
        let visible = try await Organisation.visible(to: staff, on: req.db)
        return try await req.page(
            .cases,
            IndexPage(
                meta: req.meta("Meldingen", section: "cases"),
                rows: cases.map { CaseRow($0, staff: staff, today: today) },
                total: total, pager: Pager(page: page, total: total) { base + "page=\($0)" },
                showClosed: filter.includeClosed, canCreate: staff.user.isCounsellor,
                search: Search(filter, organisations: visible, thisYear: today.year)))
    }

    // MARK: intake

    struct NewCaseForm: Content, CaseFactsForm {
        var organisation: String?
        var kind: String?
        var categories: [String]?
        var reporterRole: String?
        var channel: String?
        var openedOn: String?
        var department: String?
        var relation: String?
        var regime: String?
        var summary: String?
        var reporterName: String?
        var reporterContact: String?
        var accused: String?
    }

    static func newForm(
        _ req: Request, organisations: [Organisation], input: NewCaseForm, errors: FormErrors = .init()
    ) -> FormView {
        var form = FormView(
            id: "new-case", title: "Nieuwe melding",
            intro:
                """
                Leg vast wat je weet. Alleen de vakjes met een sterretje zijn nodig; de rest kan later. Het \
                verhaal, de identiteit en de beklaagde worden versleuteld opgeslagen.
                """,
            action: SiteURL.cases.path, submit: "Melding aanmaken", csrf: req.csrfToken)
        form.choice(
            "organisation", "Organisatie", options: organisations.map { ($0.id!.uuidString, $0.name) },
            selected: [input.organisation ?? ""], required: true, blank: "Kies een organisatie")
        form.choice(
            "kind", "Soort", options: CaseKind.classified.map { ($0.rawValue, $0.label) }, selected: [input.kind ?? ""],
            hint: CaseKind.distinction, required: true, blank: "Kies de soort")
        form.choice(
            "categories", "Waar gaat het over?", CaseCategory.self, selected: input.categories ?? [], multiple: true,
            hint: "Kies alles wat van toepassing is.")
        form.choice(
            "reporterRole", "Wie meldt", ReporterRole.self, selected: [input.reporterRole ?? ""], required: true,
            blank: "Kies wie meldt")
        form.choice(
            "channel", "Binnengekomen via", IntakeChannel.self, selected: [input.channel ?? ""], required: true,
            blank: "Kies hoe")
        form.add(
            "openedOn", "Datum van de melding", type: "date", value: input.openedOn ?? Day(Date()).iso, required: true)
        form.add(
            "department", "Afdeling", value: input.department,
            hint: "Optioneel, alleen zoals bij de organisatie vastgelegd.", maxlength: 120)
        form.choice(
            "relation", "Relatie tot de beklaagde", AccusedRelation.self,
            selected: [input.relation ?? AccusedRelation.unknown.rawValue], required: true)
        form.choice(
            "regime", "Regime", Regime.self, selected: [input.regime ?? Regime.confidential.rawValue],
            hint:
                """
                Bij een melding onder de Wet bescherming klokkenluiders lopen termijnen: ontvangstbevestiging \
                binnen 7 dagen, terugkoppeling binnen 3 maanden.
                """,
            required: true)
        form.add(
            "summary", "Het verhaal", type: "textarea", value: input.summary, hint: "Versleuteld. Schrijf feitelijk.",
            maxlength: Case.storyLimit)
        form.add(
            "reporterName", "Naam melder", value: input.reporterName,
            hint: "Optioneel en versleuteld; los van het verhaal bewaard.", maxlength: 200)
        form.add(
            "reporterContact", "Contactgegevens melder", value: input.reporterContact,
            hint: "Optioneel en versleuteld.", maxlength: 300)
        form.add(
            "accused", "Beklaagde", value: input.accused,
            hint: "Optioneel en versleuteld: over wie of wat gaat de melding?", maxlength: 300)
        form.apply(errors)
        return form
    }

    static func myOrganisations(_ req: Request) async throws -> [Organisation] {
        let staff = try req.requireStaff()
        let ids = try await Organisation.served(by: staff.userID, on: req.db)
        return try await Organisation.query(on: req.db).filter(\.$id ~~ ids).sort(\.$name).all()
    }

    /// GET /cases/new
    @Sendable static func new(_ req: Request) async throws -> Response {
        let orgs = try await myOrganisations(req)
        var input = NewCaseForm()
        if orgs.count == 1 { input.organisation = orgs[0].id!.uuidString }
        return try await req.page(
            .formPage,
            FormPage(
                meta: req.meta("Nieuwe melding", section: "cases"),
                form: newForm(req, organisations: orgs, input: input)))
    }

    /// POST /cases
    @Sendable static func create(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let orgs = try await myOrganisations(req)
        let input = req.form(NewCaseForm.self) ?? NewCaseForm()
        var errors = FormErrors()
        let org = orgs.first { $0.id?.uuidString == input.organisation }
        if org == nil { errors["organisation"] = "Kies een organisatie waarvoor je vertrouwenspersoon bent." }
        var kind = errors.choice(input.kind, "kind", CaseKind.self, label: "de soort")
        if kind == .unclassified { errors["kind"] = "Kies de soort uit de lijst."; kind = nil }
        let facts = CaseForms.facts(input, kind: kind, organisation: org, errors: &errors)
        CaseForms.refuseWhistleblowerRegime(facts?.regime, becoming: true, at: org, errors: &errors)
        let openedOn = errors.day(input.openedOn, "openedOn", label: "de datum van de melding")
        if let openedOn, openedOn > Day(Date()) { errors["openedOn"] = "De datum van de melding ligt in de toekomst." }
        let name = errors.text(input.reporterName, "reporterName", label: "de naam", max: 200, required: false) ?? ""
        let contact =
            errors.text(
                input.reporterContact, "reporterContact", label: "de contactgegevens", max: 300, required: false) ?? ""
        guard errors.isEmpty, let org, let facts, let openedOn else {
            return try await req.page(
                .formPage,
                FormPage(
                    meta: req.meta("Nieuwe melding", section: "cases"),
                    form: newForm(req, organisations: orgs, input: input, errors: errors)),
                status: .unprocessableEntity)
        }
        let intake = CaseIntake(
            organisationID: try org.requireID(), counsellorID: staff.userID, kind: facts.kind,
            categories: facts.categories,
            reporterRole: facts.reporterRole, channel: facts.channel, openedOn: openedOn, department: facts.department,
            relation: facts.relation, regime: facts.regime, summary: facts.summary, reporterName: name,
            reporterContact: contact, accused: facts.accused)
        let c = try await req.cases.create(intake)
        return req.redirect(to: .case(.value(c.id)), flash: .created)
    }
}
