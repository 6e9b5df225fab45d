import Vapor

/// Every form of the organisation page, each in its place (see `CaseFormSet`): a refused form
/// comes back where it was filled in, and the template reads `forms.contact`, `forms.time`, …
/// The admin's forms are nil for a counsellor and not shown.
struct OrganisationFormSet: Encodable, Sendable {
    var organisation, counsellors, contact, phase, contractYear: FormView?
    var time: FormView?

    /// The place of each form id.
    static var places: [String: WritableKeyPath<OrganisationFormSet, FormView?>] {
        [
            "organisation": \.organisation, "counsellors": \.counsellors, "contact": \.contact, "phase": \.phase,
            "contract-year": \.contractYear, "time": \.time
        ]
    }

    /// Puts a form shown again (with what the user typed and why it was refused) in its place.
    mutating func put(_ form: FormView) {
        if let place = Self.places[form.id] { self[keyPath: place] = form }
    }

    /// Changes every form present.
    mutating func update(_ change: (_ id: String, inout FormView) -> Void) {
        for (id, place) in Self.places {
            if var form = self[keyPath: place] {
                // Checked in every test that draws an organisation page: a form is found by its id.
                assert(form.id == id, "the form \(form.id) sits in the place of \(id)")
                change(id, &form)
                self[keyPath: place] = form
            }
        }
    }
}
