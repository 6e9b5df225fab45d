import Fluent
import Foundation
import Vapor
import VertrouwdCore
import VertrouwdStore

/// `vertrouwd audit verify | head | acknowledge`
struct AuditCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = [
        "verify": AuditVerifyCommand(), "head": AuditHeadCommand(), "acknowledge": AuditAcknowledgeCommand()
    ]
    var help: String { "Check the audit log." }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `SEQUENCE:HASH`, as `audit head` and `backup` print it.
    static func parseHead(_ text: String) -> (sequence: Int, hash: String)? {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let sequence = Int(parts[0]), sequence > 0, !parts[1].isEmpty else { return nil }
        return (sequence, String(parts[1]))
    }

    static func headLine(_ entry: AuditEntry?) -> String {
        entry.map { "\($0.sequence):\($0.hash)" } ?? "0:empty"
    }
}

struct AuditVerifyCommand: AsyncCommand {
    /// What `audit verify` finds: the chain, the anchor, and heads kept off the server.
    static func check(
        _ app: Application, heads: [(sequence: Int, hash: String)] = []
    )
        async throws -> (count: Int, problems: [String], anchor: AuditAnchor.Finding?, last: AuditEntry?)
    {
        // The anchor first: a running server moves it on while the chain is read.
        let anchor = app.store.auditAnchor?.read()
        let (count, broken) = try await Audit.verify(db: app.db, key: app.keys.auditChainKey)
        var problems: [String] = []
        if let broken {
            problems.append("the chain holds for \(count) entries, then \(broken.description)")
        }
        let last = try await Audit.newest(db: app.db)
        let finding = try await app.store.auditAnchor?.check(anchor, lastSequence: last?.sequence ?? 0) {
            try await Audit.entry($0, db: app.db)
        }
        if let finding, finding != .intact { problems.append(finding.description) }
        for head in heads {
            let held = try await Audit.entry(head.sequence, db: app.db)
            if held?.hash != head.hash {
                problems.append(
                    held == nil
                        ? "entry \(head.sequence), a head kept off the server, is gone"
                        : "entry \(head.sequence) is not the one kept off the server: the log was rewritten")
            }
        }
        return (count, problems, finding, last)
    }

    struct Signature: CommandSignature {
        @Option(
            name: "head",
            help:
                """
                A head kept off the server (SEQUENCE:HASH, from `audit head` or `backup`): the log must still \
                hold it. May be given more than once, comma-separated.
                """
        )
        var heads: String?
    }

    var help: String { "Checks the audit log's keyed hash chain and its anchor, and says where it breaks." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var heads: [(sequence: Int, hash: String)] = []
        for text in (signature.heads ?? "").split(separator: ",") {
            guard let head = AuditCommand.parseHead(String(text)) else {
                throw AuditCommand.Failure(
                    description: "'\(text)' is not a head: give SEQUENCE:HASH as `audit head` prints it.")
            }
            heads.append(head)
        }
        let (count, problems, finding, last) = try await Self.check(app, heads: heads)
        let acknowledged = try await AuditEvent.query(on: app.db).filter(\.$action == "audit.acknowledge").sort(\.$id)
            .all()
        for entry in acknowledged {
            context.console.print("Acknowledged at entry \(try entry.requireID()): \(entry.detail)")
        }
        guard problems.isEmpty else {
            for problem in problems { context.console.error("Audit log BROKEN: \(problem).") }
            throw AuditCommand.Failure(description: "audit log broken")
        }
        switch finding {
        case nil:
            context.console.print(
                "Audit log intact: \(count) entries, every keyed hash links to the one before. "
                    + "No anchor to compare the end with (\(app.store.auditAnchor?.path ?? "none configured")).")
        default:
            context.console.print(
                """
                Audit log intact: \(count) entries, every keyed hash links to the one before, and it reaches \
                its anchor.
                """
            )
        }
        context.console.print("Head: \(AuditCommand.headLine(last))")
    }
}

/// Prints the newest entry as SEQUENCE:HASH: keep it off the server (a daily mail, a note with
/// each backup); `audit verify --head` checks later that the log still holds it.
struct AuditHeadCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Prints the audit log's head (SEQUENCE:HASH) to keep off the server." }

    func run(using context: CommandContext, signature: Signature) async throws {
        context.console.print(AuditCommand.headLine(try await Audit.newest(db: context.application.db)))
    }
}

/// After an alarm (`AuditAlarm`) an operator who has investigated lets the practice write again:
/// an entry records what was found and why work goes on, and the anchor moves to it. The break
/// itself stays where it is: `audit verify` still reports a changed entry, and lists every
/// acknowledgement. A restore from a backup whose log is intact is the better way when there is one.
struct AuditAcknowledgeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "reason", help: "What was found and who decided to go on.")
        var reason: String?
    }

    var help: String { "Records that a finding in the audit log was investigated, so writing can resume." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let reason = signature.reason?.trimmingCharacters(in: .whitespacesAndNewlines), reason.count >= 10 else {
            throw AuditCommand.Failure(description: "Give a --reason of at least 10 characters: it is kept in the log.")
        }
        let found = try await AuditVerifyCommand.check(app).problems
        guard !found.isEmpty else {
            context.console.print("The audit log is intact: nothing to acknowledge.")
            return
        }
        let entry = try await Audit.acknowledge(found.joined(separator: "; ") + ". Reason: " + reason, store: app.store)
        context.console.print(
            "Recorded at entry \(entry.sequence); the anchor stands there. Head: \(AuditCommand.headLine(entry))")
    }
}
