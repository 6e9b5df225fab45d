import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import VertrouwdApp
import VertrouwdCore
import VertrouwdStore

/// The one list of sealed fields (`SealedRows`, `CaseSealedRow.sealedText`) against the database
/// itself: a practice with every kind of row is read column by column, and every column that
/// holds a sealed value must be on the list — or destroying a case would leave it behind.
@Suite("Sealed fields: one list, and the schema holds no sealed column outside it")
struct SealedFieldTests {
    /// Every text column of every table whose non-empty values are sealed (`v1.` + base64),
    /// read from the database as it is.
    static func sealedColumnsInSchema(_ app: Application) async throws -> (sealed: Set<String>, filled: Set<String>) {
        let sql = app.db as! any SQLDatabase
        let tables: [String]
        if case .postgres = app.settings.database {
            tables = try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()")
                .all().map { try $0.decode(column: "name", as: String.self) }
        } else {
            tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all()
                .map { try $0.decode(column: "name", as: String.self) }
        }
        var sealed: Set<String> = [], filled: Set<String> = []
        for table in tables where !table.hasPrefix("sqlite_") && table != "_fluent_migrations" {
            // (name, is binary): PostgreSQL casts `bytea` to text as hex and has no LENGTH for
            // uuid, number or time columns, so each kind is read in its own way there.
            let columns: [(name: String, binary: Bool)]
            if case .postgres = app.settings.database {
                columns = try await sql.raw("""
                    SELECT column_name AS name, data_type AS type FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = \(bind: table)
                    """).all().map { (try $0.decode(column: "name", as: String.self),
                                      try $0.decode(column: "type", as: String.self) == "bytea") }
            } else {
                columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all()
                    .map { (try $0.decode(column: "name", as: String.self), false) }
            }
            let postgres = if case .postgres = app.settings.database { true } else { false }
            for (column, binary) in columns {
                // A column counts as sealed when one of its values looks sealed; as filled when
                // one is not empty (binary columns too: their length is read).
                // Text is sealed as `v1.` + base64; bytes are sealed raw (nonce, ciphertext, tag),
                // with no mark: every binary column that holds something counts as sealed.
                let looksSealed: SQLQueryString =
                    postgres
                    ? (binary
                        ? "\(ident: column) IS NOT NULL AND LENGTH(\(ident: column)) > 0"
                        : "CAST(\(ident: column) AS TEXT) LIKE 'v1.%'")
                    : """
                        (CAST(\(ident: column) AS TEXT) LIKE 'v1.%' OR (typeof(\(ident: column)) = 'blob' \
                        AND LENGTH(\(ident: column)) > 0))
                        """
                let length: SQLQueryString = postgres && !binary
                    ? "LENGTH(CAST(\(ident: column) AS TEXT))" : "LENGTH(\(ident: column))"
                let text = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE \(looksSealed)")
                    .first()?.decode(column: "n", as: Int.self) ?? 0
                if text > 0 { sealed.insert("\(table).\(column)") }
                let nonEmpty = try await sql.raw("""
                    SELECT COUNT(*) AS n FROM \(ident: table) WHERE \(ident: column) IS NOT NULL AND \(length) > 0
                    """).first()?.decode(column: "n", as: Int.self) ?? 0
                if nonEmpty > 0 { filled.insert("\(table).\(column)") }
            }
        }
        return (sealed, filled)
    }

    /// The demo practice, plus what it does not make: a report with an attachment, a share, a
    /// reporter's request with its answer, a legal hold.
    static func fill(_ app: Application) async throws {
        _ = try await DemoPractice.load(app: app, today: Day(Date()))
        let reporter = Browser(app)
        let baken = try #require(try await Organisation.query(on: app.db).filter(\.$slug == "het-baken").first())
        let chosen = try #require(try await OrganisationCounsellor.query(on: app.db).filter(\.$organisation.$id == baken.id!).first())
        let receipt = try await reporter.postMultipart("/o/het-baken/melden",
                                                       [("counsellor", chosen.$user.id.uuidString), ("story", "Zie de bijlage.")],
                                                       files: [("files[]", "bewijs.pdf", Data("%PDF-1.4\nbewijs\n".utf8))])
        #expect(receipt.status == .ok)
        let attachment = try #require(try await VertrouwdStore.Attachment.query(on: app.db).first())
        let record = try #require(try await Case.find(attachment.$case.id, on: app.db))
        let owner = record.$counsellor.id
        let c = try await CaseAccess.open(record.id!, by: owner, store: app.store, on: app.db)
        let writer = CaseWriter(store: app.store, staff: owner)
        let colleague = try #require(try await OrganisationCounsellor.query(on: app.db)
            .filter(\.$organisation.$id == record.$organisation.id).filter(\.$user.$id != owner).first())
        try await writer.share(c, with: colleague.$user.id, reason: "Vakantie")
        try await writer.addReporterRequest(c, kind: .correction, body: "Mijn naam is anders gespeld.")
        let request = try #require(try await ReporterRequest.query(on: app.db).filter(\.$case.$id == c.id).first())
        _ = try await writer.answerReporterRequest(c, requestID: request.id!, answer: .granted, note: "Aangepast.")
        let today = Day(Date())
        try await writer.addNote(c, "Eerste gesprek gevoerd.")
        try await writer.postToMailbox(c, kind: .message, body: "Dank voor je melding.", today: today)
        try await writer.addAppointment(c, startsAt: "\(today.adding(days: 1).iso)T10:00", minutes: 60,
                                        mode: AppointmentMode.allCases[0], place: "Praktijkruimte")
        try await writer.reportOnBehalf(c, on: today, anonymous: true, note: "Gemeld bij de directie.",
                                        consent: .init(basis: .reporterConsent(givenOn: today, method: ConsentMethod.allCases[0]),
                                                       remark: "Mondeling"), today: today)
        try await writer.setLegalHold(c, reason: "Lopende procedure", today: today)
    }

    /// Binary columns that hold no sealed value, each for its reason.
    static let binaryButNotSealed: Set<String> = [
        // The case's own key, wrapped by its retention epoch: `destroy` clears it (checked below).
        "cases.wrapped_key",
        // The receipt code's scrypt hash and its salt: a hash, not a sealed text.
        "mailboxes.secret_hash", "mailboxes.salt",
    ]

    @Test func everySealedColumnOfTheSchemaIsOnTheList() async throws {
        try await withVertrouwd { app in
            try await Self.fill(app)
            let (found, filled) = try await Self.sealedColumnsInSchema(app)
            let inSchema = found.subtracting(Self.binaryButNotSealed)
            let listed = SealedRows.columns
            #expect(inSchema.subtracting(listed).isEmpty,
                    "sealed values in columns no list names (destroy would leave them): \(inSchema.subtracting(listed).sorted())")
            // The list names real columns, and the fill reached every one of them (or the check
            // above would pass over an empty table).
            // (`case_attachments.data` held a whole file before attachments were kept in pieces;
            // a new one leaves it empty.)
            let unfilled = listed.subtracting(filled).subtracting(["case_attachments.data"])
            #expect(unfilled.isEmpty, "listed but empty after the fill: \(unfilled.sorted())")
        }
    }

    /// The other way in: a model's field named `…Sealed` that its list leaves out.
    @Test func everyFieldNamedSealedIsOnItsModelsList() {
        for model in SealedRows.all {
            let row = model.init()
            let named = Mirror(reflecting: row).children.compactMap(\.label).filter { $0.hasSuffix("Sealed") }
            let keys = Set(model.sealedColumns.map { $0.split(separator: ".").last.map(String.init) ?? "" })
            for label in named {
                // `_summarySealed` is the wrapper of `summarySealed`; its column is the field's key.
                guard let field = Mirror(reflecting: row).children.first(where: { $0.label == label })?.value as? any AnyDatabaseProperty
                else { continue }
                for key in field.keys {
                    #expect(keys.contains(key.description), "\(model.schema).\(key) (\(label)) is not on \(model)'s list")
                }
            }
        }
    }

    @Test func destroyingACaseLeavesNoSealedValueOfIt() async throws {
        try await withVertrouwd { app in
            try await Self.fill(app)
            let attachment = try #require(try await VertrouwdStore.Attachment.query(on: app.db).first())
            let id = attachment.$case.id
            try await CaseWriter(store: app.store, actor: "cli", userID: nil).destroy(id: id, cause: .retention, today: Day(Date()))
            let sql = app.db as! any SQLDatabase
            let key = try await sql.raw(
                "SELECT COUNT(*) AS n FROM cases WHERE id = \(bind: id) AND wrapped_key IS NOT NULL AND LENGTH(wrapped_key) > 0"
            ).first()?.decode(column: "n", as: Int.self) ?? 0
            #expect(key == 0, "the destroyed case's key is gone")
            for model in SealedRows.all {
                for column in model.sealedColumns {
                    let name = column.split(separator: ".")[1]
                    let caseColumn = model.caseColumn.description
                    let left = try await sql.raw("""
                        SELECT COUNT(*) AS n FROM \(ident: model.schema)
                        WHERE \(ident: caseColumn) = \(bind: id) AND \(ident: String(name)) IS NOT NULL AND LENGTH(\(ident: String(name))) > 0
                        """).first()?.decode(column: "n", as: Int.self) ?? 0
                    #expect(left == 0, "\(column) of the destroyed case still holds \(left) value(s)")
                }
            }
        }
    }
}
