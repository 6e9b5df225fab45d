import CSV
import Fluent
import Foundation
import VertrouwdCore
import VertrouwdStore

/// The practice's organisations brought in from its spreadsheet: a CSV as Excel writes it
/// (semicolons or commas, UTF-8 with or without a byte-order mark, or Excel's own Windows-1252),
/// one organisation per row, with its counsellors, one contact person and its current contract
/// year. Every row goes through the same checks as the admin's forms; a row with a problem is named
/// by its line number, and then nothing is imported. Importing the same file again updates by
/// `code` (the public address) and adds nothing twice. `docs/examples/organisations.csv` shows
/// every column.
enum OrganisationImport {
    /// The confirmation carries the file in the form (base64): it stays under a text form's field
    /// limit. A practice serves tens of organisations, a large one a few hundred; the confirmation
    /// writes them in one transaction, which on SQLite every other writer waits for (measured: 500
    /// new organisations in 5.8 s, debug build), so a file is kept to 500 rows.
    static let maxBytes = 256 * 1024
    static let maxRows = 500

    /// The columns, by their Dutch heading (case and spaces do not matter; `-` and `_` are one).
    enum Column: String, CaseIterable, Sendable {
        case name = "naam", slug = "code", sector, employees = "medewerkers", departments = "afdelingen"
        case phone = "telefoon", whatsapp, email, availability = "bereikbaarheid"
        case whistleblowerChannel = "klokkenluidersmeldpunt", complaintsCommittee = "klachtencommissie"
        case counsellors = "vertrouwenspersonen"
        case contactName = "contactpersoon", contactRole = "contactrol", contactEmail = "contact_email"
        case contactPhone = "contact_telefoon"
        case contractStart = "contract_begin", contractEnd = "contract_einde", contractHours = "contract_uren"
        case contractRate = "contract_tarief"

        static let required: [Column] = [.name, .slug, .sector, .employees]

        init?(heading: String) {
            let key = heading.trimmingCharacters(in: .whitespaces).lowercased()
                .replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
            self.init(rawValue: key)
        }
    }

    /// The first line of a file, for the upload page.
    static var exampleHeading: String { Column.allCases.map(\.rawValue).joined(separator: ";") }

    /// A problem with the file as a whole, in Dutch.
    struct Refusal: Error, Sendable { let message: String }

    /// The file read: its rows by column, each with the line a spreadsheet shows it on.
    struct Table: Sendable {
        let columns: [Column]
        let rows: [(line: Int, cells: [Column: String])]
        /// How it was read, for the preview: "UTF-8, puntkomma's".
        let reading: String
    }

    /// Reads the bytes as a spreadsheet writes them. Throws a `Refusal` for a file that cannot be
    /// an organisation list at all.
    static func read(_ data: Data) throws -> Table {
        guard !data.isEmpty else { throw Refusal(message: "Het bestand is leeg.") }
        guard data.count <= maxBytes else {
            throw Refusal(message: "Het bestand is te groot: hoogstens \(maxBytes / 1024) KB.")
        }
        var encoding = "UTF-8"
        var text: String
        if let utf8 = String(data: data, encoding: .utf8) {
            text = utf8
        } else if let windows = String(data: data, encoding: .windowsCP1252) {
            // Excel's "CSV (gescheiden door lijstscheidingsteken)" is Windows-1252, not UTF-8.
            text = windows
            encoding = "Windows-1252 (Excel)"
        } else {
            throw Refusal(message: "Het bestand is geen tekst. Sla het in Excel op als 'CSV UTF-8'.")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard !text.contains("\u{0}") else {
            throw Refusal(message: "Het bestand is geen tekst. Sla het in Excel op als 'CSV UTF-8'.")
        }
        // The separator is the one the heading uses: Excel in Dutch writes semicolons.
        let heading = text.prefix { $0 != "\n" && $0 != "\r" }
        let semicolon = heading.filter { $0 == ";" }.count >= heading.filter { $0 == "," }.count
        let reader = try CSVReader(string: text, hasHeaderRow: false, delimiter: semicolon ? ";" : ",")
        guard let header = reader.next() else { throw Refusal(message: "Het bestand is leeg.") }
        var columns: [Column] = []
        for (index, title) in header.enumerated() {
            let trimmed = title.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let column = Column(heading: trimmed) else {
                throw Refusal(
                    message: """
                        Kolom \(index + 1) heet '\(String(trimmed.prefix(40)))': die kolom kent Vertrouwd niet. \
                        Gebruik de koppen uit het voorbeeldbestand.
                        """)
            }
            guard !columns.contains(column) else {
                throw Refusal(message: "De kolom '\(column.rawValue)' staat twee keer in de eerste regel.")
            }
            columns.append(column)
        }
        let missing = Column.required.filter { !columns.contains($0) }
        guard missing.isEmpty else {
            throw Refusal(
                message: "De eerste regel mist de kolom\(missing.count > 1 ? "men" : "") "
                    + missing.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ".")
        }
        let positions = header.enumerated().compactMap { index, title in
            Column(heading: title).map { (index, $0) }
        }
        var rows: [(line: Int, cells: [Column: String])] = []
        var line = 1
        while let record = reader.next() {
            line += 1
            // An empty line (or one of only separators, as Excel leaves them) is skipped.
            if record.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard rows.count < maxRows else {
                throw Refusal(message: "Het bestand heeft meer dan \(maxRows) organisaties.")
            }
            var cells: [Column: String] = [:]
            for (index, column) in positions where index < record.count {
                cells[column] = record[index].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            rows.append((line, cells))
        }
        if let error = reader.error { throw Refusal(message: "Het bestand is niet te lezen als CSV (\(error)).") }
        guard !rows.isEmpty else {
            throw Refusal(message: "Het bestand heeft geen organisaties onder de eerste regel.")
        }
        return Table(columns: columns, rows: rows, reading: "\(encoding), \(semicolon ? "puntkomma's" : "komma's")")
    }

    // MARK: the plan

    /// One row, checked: what importing it does, or why it cannot.
    struct Line: Encodable, Sendable {
        let line: Int
        let name: String
        let slug: String
        /// "nieuw", "bijwerken" or "ongewijzigd".
        let action: String
        let changes: [String]
        let problems: [String]
    }

    /// What a valid row writes.
    struct Write: Sendable {
        let existing: UUID?
        let slug: String
        /// For an organisation that exists: the columns whose value changes (empty: none).
        let fieldsChanged: [String]
        let values: Values
        /// Nil: the counsellors stay as they are.
        let counsellors: [UUID]?
        let contact: Contact?
        let year: Year?
    }

    struct Values: Sendable {
        var name = "", sector = "", departments = "", phone = "", whatsapp = "", email = "", availability = ""
        var complaintsCommittee = ""
        var employees = 0
        var whistleblowerChannel = false
    }

    struct Plan: Sendable {
        let reading: String
        let lines: [Line]
        let writes: [Write]
        var isValid: Bool { lines.allSatisfy(\.problems.isEmpty) }
        var created: Int { lines.filter { $0.action == "nieuw" }.count }
        var updated: Int { lines.filter { $0.action == "bijwerken" }.count }
        var unchanged: Int { lines.filter { $0.action == "ongewijzigd" }.count }
    }

    /// Checks every row against the database as it is, with the admin's own form rules.
    static func plan(_ table: Table, on db: any Database) async throws -> Plan {
        let slugs = table.rows.compactMap { $0.cells[.slug]?.lowercased() }
        let existing = Dictionary(
            try await Organisation.query(on: db).filter(\.$slug ~~ slugs).all().map { ($0.slug, $0) },
            uniquingKeysWith: { a, _ in a })
        let counsellors = Dictionary(
            try await User.query(on: db).filter(\.$isCounsellor == true).filter(\.$active == true).all().map {
                ($0.email.lowercased(), $0)
            },
            uniquingKeysWith: { a, _ in a })
        var lines: [Line] = [], writes: [Write] = [], seen: [String: Int] = [:]
        for (line, cells) in table.rows {
            var problems: [String] = []
            var changes: [String] = []
            let slug = (cells[.slug] ?? "").lowercased()
            let org = existing[slug]
            if let first = seen[slug], !slug.isEmpty {
                problems.append("code: '\(slug)' staat al op regel \(first); elke organisatie één keer.")
            }
            seen[slug] = seen[slug] ?? line

            // The organisation, as the admin's form checks it.
            var input = OrganisationsController.OrganisationForm(
                name: cells[.name], slug: cells[.slug]?.lowercased(), sector: choice(cells[.sector], Sector.self),
                employees: cells[.employees],
                departments: cells[.departments].map { $0.replacingOccurrences(of: "|", with: "\n") },
                phone: cells[.phone], whatsapp: cells[.whatsapp], email: cells[.email],
                availability: cells[.availability], whistleblowerChannel: nil,
                complaintsCommittee: cells[.complaintsCommittee])
            if let org {
                // A column the file leaves out keeps what the organisation has.
                input.departments = input.departments ?? org.departments
                input.phone = input.phone ?? org.phone
                input.whatsapp = input.whatsapp ?? org.whatsapp
                input.email = input.email ?? org.email
                input.availability = input.availability ?? org.availability
                input.complaintsCommittee = input.complaintsCommittee ?? org.complaintsCommittee
            }
            switch yesNo(cells[.whistleblowerChannel]) {
            case .some(true): input.whistleblowerChannel = "on"
            case .some(false): break
            case .none:
                if cells[.whistleblowerChannel]?.isEmpty == false {
                    problems.append("klokkenluidersmeldpunt: vul ja of nee in.")
                } else if cells[.whistleblowerChannel] == nil, org?.whistleblowerChannel == true {
                    // Only a column the file leaves out keeps the setting; an empty cell is "nee".
                    input.whistleblowerChannel = "on"
                }
            }
            var errors = FormErrors()
            var fieldsChanged: [String] = []
            let v = try await OrganisationsController.validate(input, isNew: org == nil, on: db, errors: &errors)
            problems += messages(errors, columns: organisationColumns, values: cells)
            if let org, let v {
                let differ: [(Column, Bool)] = [
                    (.name, org.name != v.name), (.sector, org.sector != v.sector.rawValue),
                    (.employees, org.employees != v.employees), (.departments, org.departments != v.departments),
                    (.phone, org.phone != v.phone), (.whatsapp, org.whatsapp != v.whatsapp),
                    (.email, org.email != v.email), (.availability, org.availability != v.availability),
                    (.whistleblowerChannel, org.whistleblowerChannel != v.whistleblowerChannel),
                    (.complaintsCommittee, org.complaintsCommittee != v.complaintsCommittee)
                ]
                fieldsChanged = differ.filter(\.1).map(\.0.rawValue)
                if !fieldsChanged.isEmpty { changes.append("gewijzigd: " + fieldsChanged.joined(separator: ", ")) }
            }

            // The counsellors, by the e-mail address of their account.
            var counsellorIDs: [UUID]?
            if let list = cells[.counsellors], !list.isEmpty {
                var ids: [UUID] = []
                for address in list.split(whereSeparator: { "|,; \n".contains($0) }).map(String.init) {
                    if let user = counsellors[address.lowercased()], let id = user.id {
                        ids.append(id)
                    } else {
                        problems.append(
                            "vertrouwenspersonen: geen vertrouwenspersoon met het e-mailadres '\(address.prefix(80))'.")
                    }
                }
                let current =
                    try await org.asyncFlatMap { org in
                        try await OrganisationCounsellor.query(on: db).filter(\.$organisation.$id == org.id!).all()
                            .map(\.$user.id)
                    } ?? []
                if Set(current) != Set(ids) {
                    counsellorIDs = ids
                    let names = ids.compactMap { id in counsellors.values.first { $0.id == id }?.name }
                    changes.append("vertrouwenspersonen: \(names.joined(separator: ", "))")
                }
            }

            // One contact person.
            var contact: Write.Contact?
            if [.contactName, .contactRole, .contactEmail, .contactPhone].contains(where: {
                cells[$0]?.isEmpty == false
            }) {
                var contactErrors = FormErrors()
                let record = OrganisationContact()
                let form = OrganisationsController.ContactForm(
                    role: choice(cells[.contactRole], ContactRole.self), name: cells[.contactName],
                    email: cells[.contactEmail], phone: cells[.contactPhone])
                if OrganisationsController.read(form, into: record, errors: &contactErrors) {
                    let current = try await org.asyncFlatMap { org in
                        try await OrganisationContact.query(on: db).filter(\.$organisation.$id == org.id!)
                            .filter(\.$role == record.role).filter(\.$name == record.name).first()
                    }
                    if current?.email != record.email || current?.phone != record.phone {
                        contact = (record.role, record.name, record.email, record.phone)
                        changes.append("contactpersoon: \(record.name) (\(record.role.label))")
                    }
                }
                problems += messages(contactErrors, columns: contactColumns, values: cells)
            }

            // The contract year: the same start updates it, another start adds one.
            var year: Write.Year?
            if let start = cells[.contractStart], !start.isEmpty {
                var yearErrors = FormErrors()
                let record = ContractYear()
                record.$organisation.id = org?.id ?? UUID()
                var current: ContractYear?
                var scratch = FormErrors()
                if let org, let day = scratch.day(start, "start", label: "") {
                    current = try await ContractYear.query(on: db).filter(\.$organisation.$id == org.id!)
                        .filter(\.$startsOn == day).first()
                    record.id = current?.id
                }
                // What the file leaves out or empty keeps what the year has.
                let given = { (column: Column) in cells[column].flatMap { $0.isEmpty ? nil : $0 } }
                let form = OrganisationsController.YearForm(
                    start: start, end: given(.contractEnd) ?? current?.endsOn.iso,
                    hours: given(.contractHours) ?? current.map { Hours.decimal(minutes: $0.budgetMinutes) } ?? "",
                    rate: given(.contractRate) ?? current?.hourlyRateCents.map(Money.decimal(cents:)),
                    focus: current?.focusPoints)
                if try await OrganisationsController.read(form, into: record, errors: &yearErrors, on: db) {
                    let samePeriod = current.map {
                        $0.endsOn == record.endsOn && $0.budgetMinutes == record.budgetMinutes
                    } ?? false
                    let same = samePeriod && current?.hourlyRateCents == record.hourlyRateCents
                    if !same {
                        year = (
                            current?.id, record.startsOn, record.endsOn, record.budgetMinutes, record.hourlyRateCents
                        )
                    }
                    // The rate is not in the annual report: it may change after the sign-off.
                    if let current, !samePeriod, let org,
                        let refused = Corrections.refusal(
                            period: [(current.startsOn, current.endsOn), (record.startsOn, record.endsOn)],
                            signedOff: try await AnnualReportRecord.signedOffYears(of: org.id!, on: db))
                    {
                        problems.append("contractjaar: \(refused)")
                    }
                    if !same {
                        changes.append(
                            "contractjaar \(record.startsOn.dutch) t/m \(record.endsOn.dutch): "
                                + Hours.format(minutes: record.budgetMinutes)
                                + (record.hourlyRateCents.map { ", € \(Money.decimal(cents: $0)) per uur" } ?? ""))
                    }
                }
                problems += messages(yearErrors, columns: yearColumns, values: cells)
            }

            lines.append(
                Line(
                    line: line, name: cells[.name] ?? "", slug: slug,
                    action: org == nil ? "nieuw" : changes.isEmpty ? "ongewijzigd" : "bijwerken",
                    changes: changes, problems: problems))
            if problems.isEmpty, let v, org == nil || !changes.isEmpty {
                writes.append(
                    Write(
                        existing: org?.id, slug: slug, fieldsChanged: fieldsChanged,
                        values: Values(
                            name: v.name, sector: v.sector.rawValue, departments: v.departments, phone: v.phone,
                            whatsapp: v.whatsapp, email: v.email, availability: v.availability,
                            complaintsCommittee: v.complaintsCommittee, employees: v.employees,
                            whistleblowerChannel: v.whistleblowerChannel),
                        counsellors: counsellorIDs, contact: contact, year: year))
            }
        }
        return Plan(reading: table.reading, lines: lines, writes: writes)
    }

    /// Checks `table` against the database and, when every line holds, writes it: in one
    /// transaction, so what was checked is what is written (a second confirmation, another admin or
    /// another instance waits, and then finds the rows unchanged).
    static func run(_ table: Table, store: Store, actor: String) async throws -> Plan {
        try await store.transaction { db in
            try await AdvisoryLock.organisationImport.holdUntilCommit(on: db)
            let plan = try await plan(table, on: db)
            if plan.isValid { _ = try await apply(plan, store: store, db: db, actor: actor) }
            return plan
        }
    }

    /// Writes a valid plan in the transaction `db` is in, with an audit entry per organisation it
    /// changes (an unchanged row writes nothing). Returns the organisations made and updated.
    static func apply(
        _ plan: Plan, store: Store, db: any Database, actor: String
    ) async throws -> (created: Int, updated: Int) {
        precondition(plan.isValid, "only a valid plan is written")
        do {
            var created = 0, updated = 0
            for write in plan.writes {
                let org: Organisation
                var done: [String] = []
                if let id = write.existing {
                    // Checked in this transaction: only an edit outside Vertrouwd's own locks gets here.
                    guard let found = try await Organisation.find(id, on: db) else {
                        throw Refusal(
                            message: "Een organisatie uit het bestand is intussen verwijderd. Laad het opnieuw.")
                    }
                    org = found
                    updated += 1
                    if !write.fieldsChanged.isEmpty {
                        done.append("fields:" + write.fieldsChanged.joined(separator: "+"))
                    }
                } else {
                    org = Organisation()
                    created += 1
                    done.append("created")
                }
                let v = write.values
                org.name = v.name; org.sector = v.sector; org.employees = v.employees; org.departments = v.departments
                org.phone = v.phone; org.whatsapp = v.whatsapp; org.email = v.email; org.availability = v.availability
                org.whistleblowerChannel = v.whistleblowerChannel; org.complaintsCommittee = v.complaintsCommittee
                if write.existing == nil { org.slug = write.slug }
                try await org.save(on: db)
                let orgID = try org.requireID()
                if let ids = write.counsellors {
                    try await OrganisationCounsellor.query(on: db).filter(\.$organisation.$id == orgID).delete()
                    for id in Set(ids).sorted(by: { $0.uuidString < $1.uuidString }) {
                        let link = OrganisationCounsellor()
                        link.$organisation.id = orgID
                        link.$user.id = id
                        try await link.create(on: db)
                    }
                    done.append("counsellors")
                }
                if let c = write.contact {
                    let record =
                        try await OrganisationContact.query(on: db).filter(\.$organisation.$id == orgID)
                        .filter(\.$role == c.role).filter(\.$name == c.name).first() ?? OrganisationContact()
                    record.$organisation.id = orgID
                    record.role = c.role; record.name = c.name; record.email = c.email; record.phone = c.phone
                    try await record.save(on: db)
                    done.append("contact")
                }
                if let y = write.year {
                    let record =
                        try await y.existing.asyncFlatMap { try await ContractYear.find($0, on: db) } ?? ContractYear()
                    if record.id == nil { record.focusPoints = "" }
                    record.$organisation.id = orgID
                    record.startsOn = y.start; record.endsOn = y.end; record.budgetMinutes = y.minutes
                    record.hourlyRateCents = y.rateCents
                    try await record.save(on: db)
                    done.append("contract_year:\(y.start.iso)")
                }
                try await Audit.record(
                    "organisation.import", subject: "organisation:\(orgID)", detail: done.joined(separator: ","),
                    actor: actor, store: store, db: db)
            }
            return (created, updated)
        }
    }

    // MARK: reading the cells

    /// A label as the spreadsheet has it ("Zorg") or the value itself ("care"); anything else as
    /// typed, for the form's check to refuse.
    static func choice<L: Labelled>(_ cell: String?, _ type: L.Type) -> String? {
        guard let cell, !cell.isEmpty else { return cell }
        return L.allCases.first { $0.label.lowercased() == cell.lowercased() || $0.rawValue == cell.lowercased() }?
            .rawValue ?? cell
    }

    /// ja/nee, yes/no, 1/0, x/leeg; nil when empty or anything else.
    static func yesNo(_ cell: String?) -> Bool? {
        switch cell?.lowercased() {
        case "ja", "j", "yes", "y", "1", "x", "waar", "true": true
        case "nee", "n", "no", "0", "onwaar", "false": false
        default: nil
        }
    }

    static let organisationColumns: [String: Column] = [
        "name": .name, "slug": .slug, "sector": .sector, "employees": .employees, "departments": .departments,
        "phone": .phone, "whatsapp": .whatsapp, "email": .email, "availability": .availability,
        "complaintsCommittee": .complaintsCommittee
    ]
    static let contactColumns: [String: Column] = [
        "role": .contactRole, "name": .contactName, "email": .contactEmail, "phone": .contactPhone
    ]
    static let yearColumns: [String: Column] = [
        "start": .contractStart, "end": .contractEnd, "hours": .contractHours, "rate": .contractRate
    ]

    /// The form's messages, each after the column it is about; a choice refused lists what it takes.
    static func messages(_ errors: FormErrors, columns: [String: Column], values: [Column: String]) -> [String] {
        var out = errors.general.map { [$0] } ?? []
        for (field, message) in errors.messages.sorted(by: { $0.key < $1.key }) {
            let column = columns[field]
            var text = "\(column?.rawValue ?? field): \(message)"
            if column == .sector {
                text += " (" + Sector.allCases.map(\.label).joined(separator: ", ") + ")"
            } else if column == .contactRole {
                text += " (" + ContactRole.allCases.map(\.label).joined(separator: ", ") + ")"
            }
            out.append(text)
        }
        return out
    }
}

extension OrganisationImport.Write {
    typealias Contact = (role: ContactRole, name: String, email: String, phone: String)
    typealias Year = (existing: UUID?, start: Day, end: Day, minutes: Int, rateCents: Int?)
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
