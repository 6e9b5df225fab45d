import Vapor

/// Every form of the case page, each in its place: the field's name is the form's `FormView.id`,
/// so a refused form comes back to where it was filled in, and the template reads
/// `forms.details`, `forms.reply`, … A form the case has no use for (no mailbox yet, no WBK
/// regime) is nil and not shown.
struct CaseFormSet: Encodable, Sendable {
    var details, peerSummary, wbk, report: FormView?
    var escalation, referral, appointment, time, note, aftercare, close: FormView?
    var share, reopen, hold: FormView?
    var openMailbox, reply, record, acknowledge: FormView?

    /// The place of each form id; the step and answer forms live elsewhere on the page.
    static var places: [String: WritableKeyPath<CaseFormSet, FormView?>] {
        [
            "details": \.details, "peerSummary": \.peerSummary, "wbk": \.wbk, "report": \.report,
            "escalation": \.escalation, "referral": \.referral, "appointment": \.appointment, "time": \.time,
            "note": \.note, "aftercare": \.aftercare, "close": \.close, "share": \.share, "reopen": \.reopen,
            "hold": \.hold, "openMailbox": \.openMailbox, "reply": \.reply, "record": \.record,
            "acknowledge": \.acknowledge
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
                // Checked in every test that draws a case page: a form is found by its id.
                assert(form.id == id, "the form \(form.id) sits in the place of \(id)")
                change(id, &form)
                self[keyPath: place] = form
            }
        }
    }
}
