import Fluent
import SQLKit
import Vapor

/// Every route of the application, in one place. Every POST names its body limit (`BodyLimit`):
/// `.small` for buttons, codes and passwords, `.text` for forms with free text, `.upload` for a
/// reporter's story or message with attachments.
func routes(_ app: Application) throws {
    // Public and operational
    app.get("healthz", use: health)
    app.get("login", use: LoginController.show)
    app.post("login", limit: .small, use: LoginController.login)
    app.post("logout", limit: .small, use: LoginController.logout)
    app.get("setup", use: SetupController.show)
    app.post("setup", limit: .small, use: SetupController.create)
    app.get("enrol", ":token", use: Enrolment.show)
    app.post("enrol", ":token", limit: .small, use: Enrolment.complete)
    app.get("calendar", ":file", use: CalendarFeed.feed)

    // The public channel: stable addresses, printed on posters. No account, no IP address.
    app.get("o", ":slug", use: PublicController.show)
    app.get("o", ":slug", "gesprek", use: PublicController.showRequest)
    app.post("o", ":slug", "gesprek", limit: .text, refused: PublicController.refusedRequest, use: PublicController.submitRequest)
    app.get("o", ":slug", "melden", use: PublicController.showReport)
    app.post("o", ":slug", "melden", limit: .upload, refused: PublicController.refusedReport, use: PublicController.submitReport)
    app.get("postbus", use: PostbusController.show)
    app.post("postbus", limit: .small, use: PostbusController.open)
    app.post("postbus", "messages", limit: .upload, refused: PostbusController.refusedMessage, use: PostbusController.send)
    app.post("postbus", "records", ":messageID", "approve", limit: .small, use: PostbusController.approve)
    app.post("postbus", "records", ":messageID", "correct", limit: .text, use: PostbusController.correct)
    app.post("postbus", "logout", limit: .small, use: PostbusController.close)

    // Staff
    let staff = app.grouped(RequireStaffMiddleware())
    staff.get(use: DashboardController.show)
    staff.post("calendar-feed", limit: .small, use: CalendarFeed.renew)
    staff.get("account", use: AccountController.show)
    // Outside the renew check of `RequireStaffMiddleware` (it sends flagged accounts here).
    let loggedIn = app.grouped(LoggedInMiddleware())
    loggedIn.get("account", "renew", use: Enrolment.showRenew)
    loggedIn.post("account", "renew", limit: .small, use: Enrolment.renew)
    staff.post("account", "password", limit: .small, use: AccountController.changePassword)
    staff.post("account", "profile", limit: .text, use: AccountController.updateProfile)

    staff.get("organisations", use: OrganisationsController.index)
    staff.get("organisations", ":orgID", use: OrganisationsController.show)
    staff.post("organisations", ":orgID", "time", limit: .text, use: OrganisationsController.addTime)

    // Annual reports, signals and advice: anonymised output for the organisation.
    let report = staff.grouped("organisations", ":orgID", "years", ":yearID", "report")
    report.get(use: ReportsController.show)
    report.post("sections", limit: .text, use: ReportsController.saveSections)
    report.post("sign-off", limit: .small, use: ReportsController.signOff)
    report.get("export", ":format", use: ReportsController.export)
    staff.get("organisations", ":orgID", "advice", "new", use: AdviceController.new)
    staff.post("organisations", ":orgID", "advice", limit: .text, use: AdviceController.create)
    staff.get("organisations", ":orgID", "advice", ":adviceID", use: AdviceController.show)
    staff.post("organisations", ":orgID", "advice", ":adviceID", "response", limit: .text, use: AdviceController.saveResponse)
    staff.get("organisations", ":orgID", "advice", ":adviceID", "docx", use: AdviceController.docx)
    staff.get("account", "development", use: DevelopmentController.show)
    staff.post("account", "development", limit: .text, use: DevelopmentController.add)

    let admin = app.grouped(RequireStaffMiddleware(admin: true))
    admin.get("organisations", "new", use: OrganisationsController.new)
    admin.post("organisations", limit: .text, use: OrganisationsController.create)
    admin.post("organisations", ":orgID", limit: .text, use: OrganisationsController.update)
    admin.post("organisations", ":orgID", "counsellors", limit: .text, use: OrganisationsController.setCounsellors)
    admin.post("organisations", ":orgID", "contacts", limit: .text, use: OrganisationsController.addContact)
    admin.post("organisations", ":orgID", "phases", limit: .text, use: OrganisationsController.addPhase)
    admin.post("organisations", ":orgID", "contract-years", limit: .text, use: OrganisationsController.addYear)
    admin.get("reports", use: ReportsController.overview)
    admin.get("admin", "users", use: UsersController.index)
    admin.post("admin", "users", limit: .text, use: UsersController.create)
    admin.post("admin", "users", ":userID", "deactivate", limit: .small, use: UsersController.deactivate)
    admin.post("admin", "users", ":userID", "activate", limit: .small, use: UsersController.activate)
    admin.post("admin", "users", ":userID", "reset-totp", limit: .small, use: UsersController.resetSecondFactor)

    // Cases: readable by their counsellor or a substitute only (checked per case, not per role).
    staff.get("cases", use: CasesController.index)
    let counsellor = app.grouped(RequireStaffMiddleware(counsellor: true))
    counsellor.get("cases", "new", use: CasesController.new)
    counsellor.post("cases", limit: .text, use: CasesController.create)
    staff.get("cases", ":caseID", use: CasePage.show)
    staff.get("cases", ":caseID", "identity", use: CaseActions.identity)
    staff.post("cases", ":caseID", "identity", limit: .text, use: CaseActions.updateIdentity)
    staff.post("cases", ":caseID", "details", limit: .text, use: CaseActions.details)
    staff.post("cases", ":caseID", "steps", limit: .small, use: CaseActions.step)
    staff.post("cases", ":caseID", "escalations", limit: .text, use: CaseActions.escalate)
    staff.post("cases", ":caseID", "referrals", limit: .text, use: CaseActions.refer)
    staff.post("cases", ":caseID", "report-on-behalf", limit: .text, use: CaseActions.reportOnBehalf)
    staff.post("cases", ":caseID", "wbk", limit: .text, use: CaseActions.wbk)
    staff.post("cases", ":caseID", "appointments", limit: .text, use: CaseActions.appointment)
    staff.post("cases", ":caseID", "time", limit: .text, use: CaseActions.time)
    staff.post("cases", ":caseID", "notes", limit: .text, use: CaseActions.note)
    staff.post("cases", ":caseID", "peer-summary", limit: .text, use: CaseActions.peerSummary)
    staff.post("cases", ":caseID", "aftercare", limit: .text, use: CaseActions.aftercare)
    staff.post("cases", ":caseID", "close", limit: .text, use: CaseActions.close)
    staff.post("cases", ":caseID", "reopen", limit: .small, use: CaseActions.reopen)
    staff.post("cases", ":caseID", "shares", limit: .small, use: CaseActions.share)
    staff.get("cases", ":caseID", "attachments", ":attachmentID", use: Attachments.download)
    staff.post("cases", ":caseID", "mailbox", "reply", limit: .text, use: CaseMailboxActions.reply)
    staff.post("cases", ":caseID", "mailbox", "acknowledge", limit: .text, use: CaseMailboxActions.acknowledge)
    staff.post("cases", ":caseID", "mailbox", "record", limit: .text, use: CaseMailboxActions.record)
    staff.post("cases", ":caseID", "mailbox", "open", limit: .small, use: CaseMailboxActions.open)
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
