import Fluent
import Vapor
import VertrouwdCore
import VertrouwdStore

/// `vertrouwd user create --email E --name N --role admin|counsellor`
struct UserCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["create": UserCreateCommand()]
    var help: String { "Manage staff accounts." }
}

struct UserCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The e-mail address to log in with.") var email: String?
        @Option(name: "name", help: "The person's name.") var name: String?
        @Option(name: "role", help: "admin or counsellor.") var role: String?
    }

    var help: String {
        """
        Creates a staff account. Reads the password twice from standard input (one line each); with no input, \
        generates one.
        """
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var errors = FormErrors()
        let email = errors.email(signature.email, "email")
        let name = errors.text(signature.name, "name", label: "the name", max: 120)
        guard let email, let name else {
            throw Failure(
                description: "Give --email and --name (\(errors.messages.values.sorted().joined(separator: " ")))")
        }
        guard let role = signature.role, role == "admin" || role == "counsellor" else {
            throw Failure(description: "Give --role admin or --role counsellor.")
        }
        if try await User.query(on: app.db).filter(\.$email == email).first() != nil {
            throw Failure(description: "An account with \(email) already exists.")
        }
        let first = readLine(strippingNewline: true) ?? ""
        let password: String
        var generated = false
        if first.isEmpty {
            password = AccountService.generatePassword()
            generated = true
        } else {
            let second = readLine(strippingNewline: true) ?? ""
            guard first == second else { throw Failure(description: "The two passwords are not the same.") }
            if let problem = PasswordPolicy.check(first, email: email, name: name) {
                throw Failure(description: "Password refused: \(problem.message)")
            }
            password = first
        }
        let user = User(
            email: email, name: name, isAdmin: role == "admin", isCounsellor: role == "counsellor",
            passwordHash: try await app.password.async.hash(password))
        let secret = try SecondFactor.enrol(user, masterKey: app.masterKey)
        try await user.create(on: app.db)
        try await Audit.record(
            "user.create", subject: "user:\((try user.requireID()).uuidString)", actor: "cli", store: app.store,
            db: app.db)
        context.console.print("Created \(role) account for \(name) <\(email)>.")
        if generated { context.console.print("Password: \(password)") }
        context.console.print("Enrol the second factor in an authenticator app with this URI:")
        context.console.print(SecondFactor.uri(secret: secret, email: email))
    }
}

enum AccountService {
    /// A password of 5 random words-like chunks: 20 lowercase letters and digits, ~100 bits. Only
    /// for the console (`user create`, `demo`): on the web an account sets its own (`Enrolment`).
    static func generatePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        return (0..<5).map { _ in String((0..<4).map { _ in alphabet.randomElement()! }) }.joined(separator: "-")
    }
}
