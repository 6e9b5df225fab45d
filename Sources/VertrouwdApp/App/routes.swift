import Fluent
import SQLKit
import Vapor
import VertrouwdStore

/// Every route of the application, in one place, each from its `SiteURL` (so a link made from the
/// same `SiteURL` cannot go stale). Every POST names its body limit (`BodyLimit`): `.small` for
/// buttons, codes and passwords, `.text` for forms with free text, `.upload` for a reporter's
/// story or message with attachments.
func routes(_ app: Application) throws {
    // Public and operational
    app.get(SiteURL.healthz.pathComponents, use: health)
    app.get(SiteURL.login.pathComponents, use: LoginController.show)
    app.post(.login, limit: .small, use: LoginController.login)
    app.post(.logout, limit: .small, use: LoginController.logout)
    app.get(SiteURL.setup.pathComponents, use: SetupController.show)
    app.post(.setup, limit: .small, use: SetupController.create)
    app.get(SiteURL.enrol(token: .key).pathComponents, use: Enrolment.show)
    app.post(.enrol(token: .key), limit: .small, use: Enrolment.complete)
    app.post(.enrolConfirm, limit: .small, use: Enrolment.confirm)
    app.get(SiteURL.calendar(file: .key).pathComponents, use: CalendarFeed.feed)

    // The public channel: stable addresses, printed on posters. No account, no IP address.
    app.get(SiteURL.organisationPage(slug: .key).pathComponents, use: PublicController.show)
    app.get(SiteURL.conversation(slug: .key).pathComponents, use: PublicController.showRequest)
    app.post(
        .conversation(slug: .key), limit: .text, refused: PublicController.refusedRequest,
        use: PublicController.submitRequest)
    app.get(SiteURL.report(slug: .key).pathComponents, use: PublicController.showReport)
    app.post(
        .report(slug: .key), limit: .upload, refused: PublicController.refusedReport, use: PublicController.submitReport
    )
    app.post(.receipt(slug: .key), limit: .small, use: PublicController.receiptInOtherLanguage)
    app.get(SiteURL.postbus.pathComponents, use: PostbusController.show)
    app.post(.postbus, limit: .small, use: PostbusController.open)
    app.post(.postbusMessages, limit: .upload, refused: PostbusController.refusedMessage, use: PostbusController.send)
    app.post(.postbusRecord(.key, .approve), limit: .small, use: PostbusController.approve)
    app.post(.postbusRecord(.key, .correct), limit: .text, use: PostbusController.correct)
    app.post(.postbusLogout, limit: .small, use: PostbusController.close)
    app.get(SiteURL.postbusFile.pathComponents, use: ReporterRights.download)
    app.post(.postbusRequests, limit: .text, use: ReporterRights.request)

    // Staff
    let staff = app.grouped(RequireStaffMiddleware())
    staff.get(SiteURL.dashboard.pathComponents, use: DashboardController.show)
    staff.get(SiteURL.signals.pathComponents, use: SignalsPage.show)
    staff.post(.calendarFeed, limit: .small, use: CalendarFeed.renew)
    staff.get(SiteURL.account.pathComponents, use: AccountController.show)
    // Outside the renew check of `RequireStaffMiddleware` (it sends flagged accounts here).
    let loggedIn = app.grouped(LoggedInMiddleware())
    loggedIn.get(SiteURL.accountRenew.pathComponents, use: Enrolment.showRenew)
    loggedIn.post(.accountRenew, limit: .small, use: Enrolment.renew)
    staff.post(.accountPassword, limit: .small, use: AccountController.changePassword)
    staff.post(.accountProfile, limit: .text, use: AccountController.updateProfile)

    staff.get(SiteURL.organisations.pathComponents, use: OrganisationsController.index)
    staff.get(SiteURL.organisation(.key).pathComponents, use: OrganisationsController.show)
    staff.post(.organisation(.key, .time), limit: .text, use: OrganisationsController.addTime)
    // Corrections: who may correct which row is checked per row (`CorrectionsController.load`).
    staff.get(SiteURL.correction(.key, kind: .key, row: .key).pathComponents, use: CorrectionsController.show)
    staff.post(.correction(.key, kind: .key, row: .key), limit: .text, use: CorrectionsController.change)
    staff.post(.correction(.key, kind: .key, row: .key, remove: true), limit: .small, use: CorrectionsController.remove)

    // Annual reports, signals and advice: anonymised output for the organisation.
    let report = { (part: SiteURL.ReportPart?) in SiteURL.annualReport(.key, year: .key, part) }
    staff.get(report(nil).pathComponents, use: ReportsController.show)
    staff.post(report(.sections), limit: .text, use: ReportsController.saveSections)
    staff.post(report(.signOff), limit: .small, use: ReportsController.signOff)
    staff.get(report(.export(.key)).pathComponents, use: ReportsController.export)
    staff.get(SiteURL.newAdvice(.key).pathComponents, use: AdviceController.new)
    staff.post(.advice(.key), limit: .text, use: AdviceController.create)
    staff.get(SiteURL.advice(.key, .key).pathComponents, use: AdviceController.show)
    staff.post(.advice(.key, .key, .response), limit: .text, use: AdviceController.saveResponse)
    staff.post(.advice(.key, .key, .text), limit: .text, use: AdviceController.saveText)
    staff.post(.advice(.key, .key, .sent), limit: .small, use: AdviceController.markSent)
    staff.get(SiteURL.advice(.key, .key, .docx).pathComponents, use: AdviceController.docx)
    // Policy documents, poster and mailing: the organisation's counsellors and the admins.
    let policy = { (version: Parameter<Int>?, part: SiteURL.PolicyPart?) in
        SiteURL.policy(.key, kind: .key, version: version, part)
    }
    staff.get(policy(nil, nil).pathComponents, use: PolicyController.show)
    staff.post(policy(nil, nil), limit: .small, use: PolicyController.newDraft)
    staff.get(policy(.key, nil).pathComponents, use: PolicyController.document)
    staff.post(policy(.key, nil), limit: .text, use: PolicyController.save)
    staff.post(policy(.key, .adopt), limit: .small, use: PolicyController.adopt)
    staff.get(policy(.key, .docx).pathComponents, use: PolicyController.docx)
    staff.get(SiteURL.organisation(.key, .poster).pathComponents, use: OutreachController.poster)
    staff.get(SiteURL.organisation(.key, .posterDocx).pathComponents, use: OutreachController.posterDocx)
    staff.get(SiteURL.organisation(.key, .mailing).pathComponents, use: OutreachController.mailing)
    staff.get(SiteURL.organisation(.key, .mailingDocx).pathComponents, use: OutreachController.mailingDocx)
    staff.get(SiteURL.development.pathComponents, use: DevelopmentController.show)
    staff.post(.development, limit: .text, use: DevelopmentController.add)

    let admin = app.grouped(RequireStaffMiddleware(admin: true))
    admin.get(SiteURL.newOrganisation.pathComponents, use: OrganisationsController.new)
    admin.post(.organisations, limit: .text, use: OrganisationsController.create)
    admin.get(SiteURL.importOrganisations.pathComponents, use: ImportController.show)
    admin.post(.importOrganisations, limit: .text, refused: ImportController.refused, use: ImportController.preview)
    admin.post(
        .importOrganisationsConfirm, limit: .text, refused: ImportController.refused, use: ImportController.confirm)
    admin.post(.organisation(.key), limit: .text, use: OrganisationsController.update)
    admin.post(.organisation(.key, .counsellors), limit: .text, use: OrganisationsController.setCounsellors)
    admin.post(.organisation(.key, .contacts), limit: .text, use: OrganisationsController.addContact)
    admin.post(.organisation(.key, .phases), limit: .text, use: OrganisationsController.addPhase)
    admin.post(.organisation(.key, .contractYears), limit: .text, use: OrganisationsController.addYear)
    admin.get(SiteURL.practiceOverview.pathComponents, use: ReportsController.overview)
    admin.get(SiteURL.hours.pathComponents, use: HoursController.show)
    admin.get(SiteURL.hoursCSV.pathComponents, use: HoursController.csv)
    admin.get(SiteURL.users.pathComponents, use: UsersController.index)
    admin.post(.users, limit: .text, use: UsersController.create)
    admin.get(SiteURL.policyTemplates.pathComponents, use: PolicyTemplatesController.index)
    admin.get(SiteURL.policyTemplate(kind: .key).pathComponents, use: PolicyTemplatesController.show)
    admin.post(.policyTemplate(kind: .key), limit: .text, use: PolicyTemplatesController.save)
    admin.get(SiteURL.retentionSettings.pathComponents, use: RetentionSettings.show)
    admin.post(.retentionSettings, limit: .small, use: RetentionSettings.save)
    admin.post(.user(.key, .deactivate), limit: .small, use: UsersController.deactivate)
    admin.post(.user(.key, .activate), limit: .small, use: UsersController.activate)
    admin.post(.user(.key, .resetTOTP), limit: .small, use: UsersController.resetSecondFactor)
    admin.post(.user(.key, .unlock), limit: .small, use: UsersController.unlock)
    admin.get(SiteURL.user(.key, .handOver).pathComponents, use: HandOver.show)
    admin.post(.user(.key, .handOver), limit: .small, use: HandOver.save)

    // Cases: readable by their counsellor or a substitute only (checked per case, not per role).
    staff.get(SiteURL.cases.pathComponents, use: CasesController.index)
    let counsellor = app.grouped(RequireStaffMiddleware(counsellor: true))
    counsellor.get(SiteURL.newCase.pathComponents, use: CasesController.new)
    counsellor.post(.cases, limit: .text, use: CasesController.create)
    staff.get(SiteURL.case(.key).pathComponents, use: CasePage.show)
    staff.get(SiteURL.case(.key, .identity).pathComponents, use: CaseIdentity.show)
    staff.get(SiteURL.case(.key, .file).pathComponents, use: CasePage.file)
    staff.post(.case(.key, .identity), limit: .text, use: CaseIdentity.update)
    staff.post(.case(.key, .details), limit: .text, use: CaseActions.details)
    staff.post(.case(.key, .steps), limit: .small, use: CaseActions.step)
    staff.post(.case(.key, .escalations), limit: .text, use: CaseActions.escalate)
    staff.post(.case(.key, .referrals), limit: .text, use: CaseActions.refer)
    staff.post(.case(.key, .reportOnBehalf), limit: .text, use: CaseActions.reportOnBehalf)
    staff.post(.case(.key, .wbk), limit: .text, use: CaseActions.wbk)
    staff.post(.case(.key, .appointments), limit: .text, use: CaseActions.appointment)
    staff.post(.case(.key, .time), limit: .text, use: CaseActions.time)
    staff.get(SiteURL.caseTime(.key, entry: .key).pathComponents, use: CaseCorrections.show)
    staff.post(.caseTime(.key, entry: .key), limit: .text, use: CaseCorrections.change)
    staff.post(.caseTime(.key, entry: .key, remove: true), limit: .small, use: CaseCorrections.remove)
    staff.post(.case(.key, .notes), limit: .text, use: CaseActions.note)
    staff.post(.case(.key, .peerSummary), limit: .text, use: CaseActions.peerSummary)
    staff.post(.case(.key, .aftercare), limit: .text, use: CaseActions.aftercare)
    staff.post(.case(.key, .close), limit: .text, use: CaseActions.close)
    staff.post(.case(.key, .reopen), limit: .small, use: CaseActions.reopen)
    staff.post(.case(.key, .shares), limit: .small, use: CaseActions.share)
    staff.post(.case(.key, .unshare), limit: .small, use: CaseActions.unshare)
    staff.post(.case(.key, .hold), limit: .text, use: ReporterRights.hold)
    staff.post(.case(.key, .requestAnswer), limit: .text, use: ReporterRights.answer)
    staff.get(SiteURL.attachment(.key, .key).pathComponents, use: Attachments.download)
    staff.post(.caseMailbox(.key, .reply), limit: .text, use: CaseMailboxActions.reply)
    staff.post(.caseMailbox(.key, .acknowledge), limit: .text, use: CaseMailboxActions.acknowledge)
    staff.post(.caseMailbox(.key, .record), limit: .text, use: CaseMailboxActions.record)
    staff.post(.caseMailbox(.key, .open), limit: .small, use: CaseMailboxActions.open)
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
