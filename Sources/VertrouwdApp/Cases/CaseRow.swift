import Foundation
import VertrouwdCore
import VertrouwdStore

/// One case in a list (the cases page, the dashboard), loaded with its organisation and categories.
struct CaseRow: Encodable, Sendable {
    let url: String
    let reference: String
    let organisation: String
    let kind: String
    let categories: String
    let status: String
    let openedOn: String
    let deadline: DeadlineView?
    let shared: Bool
    let isClosed: Bool

    init(_ c: CaseListing, staff: Staff, today: Day) {
        url = SiteURL.case(.value(c.id)).path
        reference = c.reference
        organisation = c.organisation
        kind = c.kind.label
        categories = c.categoryLabels
        status = c.status.label
        openedOn = c.openedOn.dutch
        // A closed case has no deadline left to miss: no red "te laat" in the closed list.
        deadline = c.status == .closed ? nil : c.whistleblowerClock?.next(today: today).map(DeadlineView.init)
        shared = c.counsellorID != staff.userID
        isClosed = c.status == .closed
    }
}

/// A deadline of the whistleblower law as the pages show it.
struct DeadlineView: Encodable, Sendable {
    let what: String
    let due: String
    let state: String
    let label: String

    init(_ d: WhistleblowerClock.Deadline) {
        what = d.what == .acknowledgement ? "Ontvangstbevestiging" : "Terugkoppeling"
        due = d.due.dutch
        state = d.state.rawValue
        label =
            switch d.state {
            case .met: "op tijd gedaan"
            case .open: "uiterlijk \(d.due.dutch)"
            case .dueSoon: "binnenkort: uiterlijk \(d.due.dutch)"
            case .overdue: "te laat: was \(d.due.dutch)"
            }
    }
}
