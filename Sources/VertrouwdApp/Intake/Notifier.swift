import Foundation
import Vapor

/// Tells a counsellor by e-mail that something new waits in Vertrouwd — never what.
/// Sent through a sendmail-compatible command (`VERTROUWD_SENDMAIL`, e.g. `/usr/sbin/sendmail -t`);
/// without one, the dashboard is the only notice.
enum Notifier {
    enum Event {
        case newSubmission, newMessage

        var subject: String {
            switch self {
            case .newSubmission: "Vertrouwd: nieuwe aanvraag of melding"
            case .newMessage: "Vertrouwd: nieuw bericht in een postbus"
            }
        }
    }

    /// Fire and forget: a slow or broken mail command never delays or fails a reporter's request.
    static func notify(_ app: Application, to email: String, about event: Event) {
        guard let command = app.settings.sendmailCommand, !command.isEmpty else { return }
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
        pipe.fileHandleForWriting.write(Data(input.utf8))
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed() }
    }
}
