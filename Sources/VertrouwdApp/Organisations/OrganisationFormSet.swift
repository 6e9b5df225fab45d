import Vapor

/// Every form of the organisation page, each in its place (`FormSet`): a refused form
/// comes back where it was filled in, and the template reads `forms.contact`, `forms.time`, …
/// The admin's forms are nil for a counsellor and not shown.
struct OrganisationFormSet: FormSet {
    var organisation, counsellors, contact, phase, contractYear: FormView?
    var time: FormView?

    /// The place of each form id.
    static var places: [String: WritableKeyPath<OrganisationFormSet, FormView?>] {
        [
            "organisation": \.organisation, "counsellors": \.counsellors, "contact": \.contact, "phase": \.phase,
            "contract-year": \.contractYear, "time": \.time
        ]
    }
}
