import Fluent
import Foundation
import Vapor
import VertrouwdStore

/// Tells a counsellor by e-mail that something new waits in Vertrouwd — never what.
/// Sent through a sendmail-compatible command (`VERTROUWD_SENDMAIL`, e.g. `/usr/sbin/sendmail -t`);
/// without one, the dashboard is the only notice.
enum Notifier {
    enum Event {
        case newSubmission, newMessage, handedOver

        var subject: String {
            switch self {
            case .newSubmission: "Vertrouwd: nieuwe aanvraag of melding"
            case .newMessage: "Vertrouwd: nieuw bericht in een postbus"
            case .handedOver: "Vertrouwd: meldingen overgedragen"
            }
        }
    }

    /// Fire and forget: a slow or broken mail command never delays or fails a reporter's request.
    /// At most one mail per address per `notificationWindow` (15 minutes): what arrives in
    /// between goes out as one mail at the window's end, so fifty messages in a mailbox are
    /// one or two mails, not fifty.
    static func notify(_ app: Application, to email: String, about event: Event) {
        guard let command = app.settings.sendmailCommand, !command.isEmpty else { return }
        // Forms refuse line breaks in an address; this is the last wall before a mail header.
        guard !email.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return }
        let batch = app.notificationBatch, window = app.settings.notificationWindow
        Task.detached {
            switch await batch.admit(email, now: Date(), window: window) {
            case .now: send(app, command: command, to: email, about: event)
            case .later(let delay):
                try? await Task.sleep(for: .seconds(delay))
                await batch.sent(email, now: Date())
                send(app, command: command, to: email, about: event)
            case .waiting: break
            }
        }
    }

    /// The enrolment link of a new account, straight to its own address (never batched).
    static func sendEnrolment(_ app: Application, to email: String, name: String, link: String) {
        guard let command = app.settings.sendmailCommand, !command.isEmpty,
            !(email + name + link).unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return }
        let message = """
            To: \(email)
            Subject: Vertrouwd: stel je account in
            Content-Type: text/plain; charset=utf-8

            Hallo \(name),

            Er is een account voor je aangemaakt in Vertrouwd. Stel via deze link zelf je wachtwoord
            en de authenticator-app in (de link werkt één keer en 72 uur lang):

            \(link)

            Verwachtte je dit bericht niet? Gebruik de link dan niet en meld het bij je praktijk.

            """
        let logger = app.logger
        Task.detached {
            do { try run(command, input: message) } catch {
                logger.warning("Enrolment mail could not be sent: \(String(reflecting: type(of: error)))")
            }
        }
    }

    static func send(_ app: Application, command: String, to email: String, about event: Event) {
        let logger = app.logger
        let message = """
            To: \(email)
            Subject: \(event.subject)
            Content-Type: text/plain; charset=utf-8

            Er staat iets nieuws voor je klaar in Vertrouwd. Log in om het te lezen.
            (Dit bericht bevat bewust geen inhoud.)

            """
        Task.detached {
            do {
                try run(command, input: message)
            } catch {
                logger.warning("Notification could not be sent: \(String(reflecting: type(of: error)))")
            }
        }
    }

    /// The audit log was found changed outside Vertrouwd (`AuditAlarm`): every admin is mailed,
    /// when mail is set up.
    static func alarmAdmins(_ app: Application, finding: String) {
        guard let command = app.settings.sendmailCommand, !command.isEmpty else { return }
        Task.detached {
            let admins = (try? await User.query(on: app.db).filter(\.$isAdmin == true).all()) ?? []
            for admin in admins {
                sendAlarm(
                    app, command: command, to: admin.email,
                    subject: "Vertrouwd: ALARM - het auditlogboek is gewijzigd",
                    text:
                        """
                            Vertrouwd heeft gevonden dat het auditlogboek buiten de applicatie om is \
                            gewijzigd:\n\(finding).\n\nZie de README, 'The audit log'.
                            """
                )
            }
        }
    }

    /// A mail to an admin about the system itself (never about a case).
    static func sendAlarm(_ app: Application, command: String, to email: String, subject: String, text: String) {
        guard !email.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return }
        let logger = app.logger
        let message = "To: \(email)\nSubject: \(subject)\nContent-Type: text/plain; charset=utf-8\n\n\(text)\n"
        Task.detached {
            do { try run(command, input: message) } catch {
                logger.warning("Alarm mail could not be sent: \(String(reflecting: type(of: error)))")
            }
        }
    }

    struct Failed: Error {}

    static func run(_ command: String, input: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardInput = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A mail command that hangs is stopped after half a minute, so the next mail still goes.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        defer { watchdog.cancel() }
        // The throwing write: a command that exits without reading (a broken pipe) is a failed
        // mail, not a crash of the server.
        try pipe.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed() }
    }
}

/// Who was mailed when, per instance: one mail per address per window, the rest batched.
actor NotificationBatch {
    enum Decision: Equatable { case now, later(TimeInterval), waiting }

    private var lastSent: [String: Date] = [:]
    private var pending: Set<String> = []

    func admit(_ email: String, now: Date, window: TimeInterval) -> Decision {
        if pending.contains(email) { return .waiting }
        if let last = lastSent[email], now.timeIntervalSince(last) < window {
            pending.insert(email)
            return .later(window - now.timeIntervalSince(last))
        }
        lastSent[email] = now
        return .now
    }

    func sent(_ email: String, now: Date) {
        pending.remove(email)
        lastSent[email] = now
    }
}

extension Application {
    private struct NotificationBatchKey: StorageKey { typealias Value = NotificationBatch }

    /// Set once by `configure`.
    var notificationBatch: NotificationBatch {
        get { storage[NotificationBatchKey.self]! }
        set { storage[NotificationBatchKey.self] = newValue }
    }
}
