import Fluent
import SQLKit
import Vapor

/// Every route of the application, in one place.
func routes(_ app: Application) throws {
    // Public and operational
    app.get("healthz", use: health)
    app.get("login", use: LoginController.show)
    app.post("login", use: LoginController.login)
    app.post("logout", use: LoginController.logout)
    app.get("setup", use: SetupController.show)
    app.post("setup", use: SetupController.create)
    app.get("calendar", ":file", use: CalendarFeed.feed)

    // The public channel: stable addresses, printed on posters. No account, no IP address.
    app.get("o", ":slug", use: PublicController.show)
    app.get("o", ":slug", "gesprek", use: PublicController.showRequest)
    app.post("o", ":slug", "gesprek", use: PublicController.submitRequest)
    app.get("o", ":slug", "melden", use: PublicController.showReport)
    // Up to three attachments of 10 MB each, plus the text.
    app.on(.POST, "o", ":slug", "melden", body: .collect(maxSize: "32mb"), use: PublicController.submitReport)
    app.get("postbus", use: PostbusController.show)
    app.post("postbus", use: PostbusController.open)
    app.on(.POST, "postbus", "messages", body: .collect(maxSize: "32mb"), use: PostbusController.send)
    app.post("postbus", "records", ":messageID", "approve", use: PostbusController.approve)
    app.post("postbus", "records", ":messageID", "correct", use: PostbusController.correct)
    app.post("postbus", "logout", use: PostbusController.close)

    // Staff
    let staff = app.grouped(RequireStaffMiddleware())
    staff.get(use: DashboardController.show)
    staff.post("calendar-feed", use: CalendarFeed.renew)
    staff.get("account", use: AccountController.show)
    staff.post("account", "password", use: AccountController.changePassword)
    staff.post("account", "profile", use: AccountController.updateProfile)

    staff.get("organisations", use: OrganisationsController.index)
    staff.get("organisations", ":orgID", use: OrganisationsController.show)
    staff.post("organisations", ":orgID", "time", use: OrganisationsController.addTime)

    // Annual reports, signals and advice: anonymised output for the organisation.
    let report = staff.grouped("organisations", ":orgID", "years", ":yearID", "report")
    report.get(use: ReportsController.show)
    report.post("sections", use: ReportsController.saveSections)
    report.post("sign-off", use: ReportsController.signOff)
    report.get("export", ":format", use: ReportsController.export)
    staff.get("organisations", ":orgID", "advice", "new", use: AdviceController.new)
    staff.post("organisations", ":orgID", "advice", use: AdviceController.create)
    staff.get("organisations", ":orgID", "advice", ":adviceID", use: AdviceController.show)
    staff.post("organisations", ":orgID", "advice", ":adviceID", "response", use: AdviceController.saveResponse)
    staff.get("organisations", ":orgID", "advice", ":adviceID", "docx", use: AdviceController.docx)
    staff.get("account", "development", use: DevelopmentController.show)
    staff.post("account", "development", use: DevelopmentController.add)

    let admin = app.grouped(RequireStaffMiddleware(admin: true))
    admin.get("organisations", "new", use: OrganisationsController.new)
    admin.post("organisations", use: OrganisationsController.create)
    admin.post("organisations", ":orgID", use: OrganisationsController.update)
    admin.post("organisations", ":orgID", "counsellors", use: OrganisationsController.setCounsellors)
    admin.post("organisations", ":orgID", "contacts", use: OrganisationsController.addContact)
    admin.post("organisations", ":orgID", "phases", use: OrganisationsController.addPhase)
    admin.post("organisations", ":orgID", "contract-years", use: OrganisationsController.addYear)
    admin.get("reports", use: ReportsController.overview)
    admin.get("admin", "users", use: UsersController.index)
    admin.post("admin", "users", use: UsersController.create)
    admin.post("admin", "users", ":userID", "deactivate", use: UsersController.deactivate)
    admin.post("admin", "users", ":userID", "activate", use: UsersController.activate)
    admin.post("admin", "users", ":userID", "reset-totp", use: UsersController.resetSecondFactor)

    // Cases: readable by their counsellor or a substitute only (checked per case, not per role).
    staff.get("cases", use: CasesController.index)
    let counsellor = app.grouped(RequireStaffMiddleware(counsellor: true))
    counsellor.get("cases", "new", use: CasesController.new)
    counsellor.post("cases", use: CasesController.create)
    staff.get("cases", ":caseID", use: CasePage.show)
    staff.get("cases", ":caseID", "identity", use: CaseActions.identity)
    staff.post("cases", ":caseID", "identity", use: CaseActions.updateIdentity)
    staff.post("cases", ":caseID", "details", use: CaseActions.details)
    staff.post("cases", ":caseID", "steps", use: CaseActions.step)
    staff.post("cases", ":caseID", "escalations", use: CaseActions.escalate)
    staff.post("cases", ":caseID", "referrals", use: CaseActions.refer)
    staff.post("cases", ":caseID", "report-on-behalf", use: CaseActions.reportOnBehalf)
    staff.post("cases", ":caseID", "wbk", use: CaseActions.wbk)
    staff.post("cases", ":caseID", "appointments", use: CaseActions.appointment)
    staff.post("cases", ":caseID", "time", use: CaseActions.time)
    staff.post("cases", ":caseID", "notes", use: CaseActions.note)
    staff.post("cases", ":caseID", "peer-summary", use: CaseActions.peerSummary)
    staff.post("cases", ":caseID", "aftercare", use: CaseActions.aftercare)
    staff.post("cases", ":caseID", "close", use: CaseActions.close)
    staff.post("cases", ":caseID", "shares", use: CaseActions.share)
    staff.get("cases", ":caseID", "attachments", ":attachmentID", use: Attachments.download)
    staff.post("cases", ":caseID", "mailbox", "reply", use: CaseMailboxActions.reply)
    staff.post("cases", ":caseID", "mailbox", "acknowledge", use: CaseMailboxActions.acknowledge)
    staff.post("cases", ":caseID", "mailbox", "record", use: CaseMailboxActions.record)
    staff.post("cases", ":caseID", "mailbox", "open", use: CaseMailboxActions.open)
}

/// GET /healthz — 200 when the database answers.
@Sendable func health(_ req: Request) async throws -> Response {
    do {
        _ = try await (req.db as! any SQLDatabase).raw("SELECT 1 AS ok").all()
        return Response(status: .ok, body: .init(string: "ok\n"))
    } catch {
        return Response(status: .serviceUnavailable, body: .init(string: "database unavailable\n"))
    }
}
