import Fluent
import Foundation
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// The day's reminders (`Reminders` in Core) for each counsellor, on the dashboard and once a day
/// by mail (`vertrouwd reminders run`, and every morning inside `serve`). The mail holds what and
/// when and a link, never a reference, an organisation or anything of a case.
struct ReminderRun: Sendable {
    let app: Application

    /// One reminder, with the page it leads to (a path).
    struct Item: Encodable, Sendable, Equatable {
        let text: String
        let path: String
    }

    /// What a counsellor is reminded of today: their own cases, and a reporter's message on a
    /// closed case shared with them.
    /// `served`: the organisations they serve with their figures, and `running`: the running cases
    /// they may read (their own and those shared with them), when the caller read them already (the
    /// dashboard); else they are read here.
    static func items(
        for userID: UUID, today: Day, on db: any Database, served known: ([UUID], OrganisationFigures)? = nil,
        running readable: [CaseListing]? = nil
    ) async throws -> [Item] {
        let answerDays = try await Practice.find(Practice.singletonID, on: db)?.responseWorkdays ?? 2
        var items: [Item] = []
        let running: [CaseListing]
        if let readable {
            running = readable.filter { $0.counsellorID == userID }
        } else {
            running = try await CaseListing.read(
                where: "c.counsellor_id = \(bind: userID) AND c.status" + CaseListing.running, order: .oldest,
                categories: false, on: db)
        }
        for c in running {
            for reminder in Reminders.of(
                status: c.status, openedOn: c.openedOn, clock: c.whistleblowerClock, aftercareOn: c.aftercareOn,
                today: today, answerWorkdays: answerDays)
            {
                items.append(Item(text: reminder.text, path: SiteURL.case(.value(c.id)).path))
            }
        }
        for (request, _) in try await ReporterRequest.unanswered(counsellor: userID, on: db) {
            if let reminder = Reminders.reporterRequest(dueOn: request.dueOn, today: today) {
                items.append(
                    Item(text: reminder.text, path: SiteURL.case(.value(request.$case.id)).path + "#retention"))
            }
        }
        for c in try await CaseListing.closedWithMessages(userID: userID, on: db) {
            items.append(
                Item(text: Reminder.messageOnClosedCase.text, path: SiteURL.case(.value(c.id)).path + "#mailbox"))
        }
        let served: [UUID]
        let figures: OrganisationFigures
        if let known {
            (served, figures) = known
        } else {
            served = try await Organisation.served(by: userID, on: db)
            figures = try await OrganisationFigures.of(served, today: today, on: db)
        }
        for orgID in served.sorted(by: { $0.uuidString < $1.uuidString }) {
            guard let year = figures.currentYears[orgID],
                let reminder = Reminders.budget(
                    BudgetStatus(usedMinutes: figures.usedMinutes[orgID] ?? 0, budgetMinutes: year.budgetMinutes))
            else { continue }
            items.append(Item(text: reminder.text, path: SiteURL.organisation(.value(orgID)).path))
        }
        return items
    }

    /// What a run did for one counsellor.
    enum Outcome: Equatable { case nothing, sent(Int), alreadySent, wouldSend(Int), noMail(Int), failed }

    /// Sends each active counsellor with reminders today's mail, once: the day is recorded before
    /// the mail goes, in the same unique pair every instance checks. `dryRun` records and sends
    /// nothing. Without a mail command nothing is recorded either (the dashboard shows the same).
    func run(today: Day, dryRun: Bool) async throws -> [(email: String, outcome: Outcome)] {
        var done: [(email: String, outcome: Outcome)] = []
        let command = app.settings.sendmailCommand.flatMap { $0.isEmpty ? nil : $0 }
        for user in try await User.query(on: app.db).filter(\.$isCounsellor == true).filter(\.$active == true).sort(
            \.$email
        ).all() {
            let items = try await Self.items(for: user.requireID(), today: today, on: app.db)
            guard !items.isEmpty else { done.append((user.email, .nothing)); continue }
            if dryRun { done.append((user.email, .wouldSend(items.count))); continue }
            guard let command else { done.append((user.email, .noMail(items.count))); continue }
            let message = Self.message(to: user, items: items, today: today, base: app.settings.publicURL)
            // A day other than today (`--today`) is sent but not recorded: it must not stand in
            // for that day's own mail.
            guard today == Day(Date()) else {
                try Notifier.run(command, input: message)
                done.append((user.email, .sent(items.count)))
                continue
            }
            let mail = ReminderMail()
            mail.$user.id = try user.requireID()
            mail.onDay = today
            mail.sentAt = Date()
            do {
                try await mail.create(on: app.db)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                done.append((user.email, .alreadySent))
                continue
            }
            do {
                try Notifier.run(command, input: message)
            } catch {
                // Not sent: the next run (half an hour later) tries again.
                try? await mail.delete(on: app.db)
                app.logger.error("A reminder mail could not be sent: \(String(reflecting: type(of: error)))")
                done.append((user.email, .failed))
                continue
            }
            done.append((user.email, .sent(items.count)))
        }
        return done
    }

    /// The mail: what and when, and links; nothing of any case.
    static func message(to user: User, items: [Item], today: Day, base: String?) -> String {
        let root = (base ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let lines = items.map { "- \($0.text)\n  \(root)\($0.path)" }.joined(separator: "\n")
        return """
            To: \(user.email)
            Subject: Vertrouwd: \(items.count == 1 ? "1 herinnering" : "\(items.count) herinneringen") voor \
            \(today.dutch)
            Content-Type: text/plain; charset=utf-8

            Goedemorgen \(user.name),

            Dit vraagt vandaag je aandacht in Vertrouwd:

            \(lines)

            Log in om de meldingen te openen. (Dit bericht bevat bewust geen inhoud van meldingen.)

            """
    }
}

extension Application {
    /// Every morning (from 7:00, checked every half hour) the day's reminder mails go out; the
    /// `reminder_mails` pair makes it once a day per counsellor, across restarts and instances.
    func startDailyReminders() {
        guard let command = settings.sendmailCommand, !command.isEmpty else { return }
        let app = self
        let task = Task.detached {
            try? await Task.sleep(for: .seconds(90))
            while !Task.isCancelled {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "Europe/Amsterdam") ?? .current
                if calendar.component(.hour, from: Date()) >= 7 {
                    do {
                        _ = try await ReminderRun(app: app).run(today: Day(Date()), dryRun: false)
                    } catch {
                        app.logger.error("Reminder run failed: \(String(reflecting: type(of: error)))")
                    }
                }
                try? await Task.sleep(for: .seconds(30 * 60))
            }
        }
        lifecycle.use(CancelOnShutdown(task: task))
    }
}

/// `vertrouwd reminders run [--dry-run] [--today YYYY-MM-DD]`
struct RemindersCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["run": RemindersRunCommand()]
    var help: String { "The counsellors' daily reminder mails." }
}

struct RemindersRunCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "dry-run", help: "Say who would get a mail, and send and record nothing.")
        var dryRun: Bool
        @Option(name: "today", help: "Run as if it were this day (YYYY-MM-DD).")
        var today: String?
    }

    var help: String {
        "Sends each counsellor with something due the day's reminder mail, once a day (links only, no case contents)."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let today = try Day.option(signature.today)
        for (email, outcome) in try await ReminderRun(app: context.application).run(
            today: today, dryRun: signature.dryRun)
        {
            let what: String =
                switch outcome {
                case .nothing: "nothing due"
                case .sent(let n): "sent (\(n) reminder(s))"
                case .alreadySent: "already sent today"
                case .wouldSend(let n): "would send \(n) reminder(s) (dry run)"
                case .noMail(let n): "\(n) reminder(s), not sent: VERTROUWD_SENDMAIL is not set"
                case .failed: "the mail command failed; the next run tries again"
                }
            context.console.print("\(email): \(what)")
        }
    }
}
