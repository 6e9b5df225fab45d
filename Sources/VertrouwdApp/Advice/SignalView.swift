import Fluent
import SQLKit
import Vapor
import VertrouwdCore
import VertrouwdStore

/// A signal (*signalering*) as the dashboard and the advice pages show it: a theme that came up in
/// several cases of one organisation, without a figure below the disclosure threshold.
struct SignalView: Encodable, Sendable {
    let organisation: String
    let theme: String
    let department: String?
    let figure: String
    let period: String
    /// The counsellor's own cases in it (references): shown to them only.
    let ownCases: [String]
    let adviceURL: String
}

extension SignalView {
    /// The cases of the signal window in some organisations: only the plain columns the rule and
    /// the dashboard read (never a sealed field), with their categories.
    static func recentCases(
        in orgIDs: [UUID], today: Day, rule: SignalRule, on db: any Database
    ) async throws -> [WindowCase] {
        try await WindowCase.read(in: orgIDs, from: today.adding(months: -rule.windowMonths), to: today, on: db)
    }

    /// What the signal rule needs of cases.
    static func signalCases(_ cases: [WindowCase], today: Day) -> [SignalCase] {
        cases.map {
            SignalCase(
                id: $0.id.uuidString, categories: Set($0.categories), department: $0.department, openedOn: $0.openedOn)
        }
    }

    /// A signal found in one organisation, with the cases in it (kept in `signalCache`).
    struct Detected: Sendable {
        let signal: Signal
        let cases: [WindowCase]
    }

    /// The signals of some organisations, worked out from one read of their signal windows.
    static func detect(
        in orgIDs: [UUID], today: Day, settings: Settings, on db: any Database
    ) async throws -> [UUID: [Detected]] {
        let rule = settings.signalRule
        let cases = try await recentCases(in: orgIDs, today: today, rule: rule, on: db)
        var detected = Dictionary(uniqueKeysWithValues: orgIDs.map { ($0, [Detected]()) })
        for (orgID, inOrg) in Dictionary(grouping: cases, by: \.organisationID) {
            let byID = Dictionary(uniqueKeysWithValues: inOrg.map { ($0.id.uuidString, $0) })
            detected[orgID] = Signals.detect(
                signalCases(inOrg, today: today), today: today, rule: rule, k: settings.disclosureThreshold
            ).map { Detected(signal: $0, cases: $0.caseIDs.compactMap { byID[$0] }) }
        }
        return detected
    }

    /// The signals of some organisations as kept (`signalCache`), those whose case version moved
    /// (a case written, on any instance), that were worked out on another day or more than 90
    /// minutes ago — or all of them, to `refresh` — worked out anew; and the organisations' names.
    static func kept(
        in orgIDs: [UUID], app: Application, on db: any Database, refresh: Bool = false
    ) async throws -> (names: [UUID: String], detected: [UUID: [Detected]]) {
        let today = Day(Date()), settings = app.settings
        let organisations = try await Organisation.namesAndCaseVersions(of: orgIDs, on: db)
        let detected = try await app.signalCache.values(
            for: orgIDs, generation: { organisations[$0]?.caseVersion ?? -1 }, today: today, refresh: refresh
        ) { missing in
            try await detect(in: missing, today: today, settings: settings, on: db)
        }
        return (organisations.mapValues(\.name), detected)
    }

    /// Works out the signals of every organisation someone serves anew (`startSignalsOfTheDay`:
    /// as the server starts, every hour and just after midnight), so a page finds them kept.
    static func workOutForEveryone(app: Application) async throws {
        _ = try await kept(in: try await Organisation.servedByAnyone(on: app.db), app: app, on: app.db, refresh: true)
    }

    /// The signals in the organisations a counsellor serves. Each organisation's are worked out
    /// once for all who serve it and kept until one of its cases is written, on any instance
    /// (`signalCache`, `organisation_case_versions`), or the day turns; what is the viewer's own
    /// (their cases, those shared with them) is picked out here.
    static func all(
        for staff: Staff, serving served: [UUID]? = nil, app: Application, on db: any Database
    ) async throws -> [SignalView] {
        let orgIDs: [UUID]
        if let served { orgIDs = served } else { orgIDs = try await Organisation.served(by: staff.userID, on: db) }
        guard !orgIDs.isEmpty else { return [] }
        let (names, detected) = try await kept(in: orgIDs, app: app, on: db)
        guard detected.values.contains(where: { !$0.isEmpty }) else { return [] }
        let shared = try await CaseShare.cases(sharedWith: staff.userID, on: db)
        var views: [(latest: Day, count: Int, view: SignalView)] = []
        for (orgID, found) in detected {
            for (signal, inSignal) in found.lazy.map({ ($0.signal, $0.cases) }) {
                // A destroyed case still counts, but has no reference to list.
                let own = inSignal.filter {
                    !$0.reference.isEmpty && ($0.counsellorID == staff.userID || shared.contains($0.id))
                }
                var query = "category=\(signal.category.rawValue)"
                if let d = signal.department {
                    query += "&department=\(d.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                }
                views.append(
                    (
                        inSignal.map(\.openedOn).max() ?? signal.from, signal.count,
                        SignalView(
                            organisation: names[orgID] ?? "", theme: signal.category.label,
                            department: signal.department,
                            figure: "\(signal.count) meldingen", period: "\(signal.from.dutch) en \(signal.to.dutch)",
                            ownCases: own.map(\.reference).sorted(),
                            adviceURL: SiteURL.newAdvice(.value(orgID)).path + "?\(query)")
                    ))
            }
        }
        // The latest case first (what came up this week needs an eye before what has been running
        // for months), then the most cases, then by name.
        return views.sorted {
            ($1.latest, $1.count, $0.view.organisation, $0.view.theme)
                < ($0.latest, $0.count, $1.view.organisation, $1.view.theme)
        }.map(\.view)
    }
}

extension Application {
    /// Works out every served organisation's signals as the server starts, every hour, and just
    /// after each midnight in the practice's time zone (the signal window moves with the day). The
    /// hourly round bounds how long a case written past the case versions (an older release during
    /// an upgrade, a change made by hand in the database) goes unseen, without a page paying for it.
    func startSignalsOfTheDay() {
        let app = self
        let task = Task.detached {
            while !Task.isCancelled {
                do {
                    try await SignalView.workOutForEveryone(app: app)
                } catch {
                    app.logger.error("Working out the signals failed: \(String(reflecting: type(of: error)))")
                }
                try? await Task.sleep(for: .seconds(SignalView.secondsToNextRound(from: Date())))
            }
        }
        lifecycle.use(CancelOnShutdown(task: task))
    }
}

extension SignalView {
    /// An hour, or less when midnight in the practice's time zone comes first (then five seconds
    /// past it); at least a minute.
    static func secondsToNextRound(from now: Date) -> Double {
        let midnight = Day(now).adding(days: 1).date
        let local = midnight.addingTimeInterval(-Double(Day.practiceTimeZone.secondsFromGMT(for: midnight)))
        return max(60, min(3600, local.timeIntervalSince(now) + 5))
    }
}

/// GET /signals — every signal in the organisations the counsellor serves; the dashboard shows
/// the first `DashboardController.signalsShown`.
enum SignalsPage {
    struct Context: Encodable, Sendable {
        let meta: PageMeta
        let signals: DashboardController.Bounded<SignalView>
    }

    @Sendable static func show(_ req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        // Signals are a counsellor's: an admin who serves no organisation has none.
        let signals =
            staff.user.isCounsellor ? try await SignalView.all(for: staff, app: req.application, on: req.db) : []
        return try await req.page(
            .signals,
            Context(meta: req.meta("Signalen", section: "dashboard"), signals: .init(signals, shown: signals.count)))
    }
}
