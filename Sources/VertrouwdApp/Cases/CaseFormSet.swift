import Vapor

/// Every form of the case page, each in its place: the field's name is the form's `FormView.id`,
/// so a refused form comes back to where it was filled in, and the template reads
/// `forms.details`, `forms.reply`, … A form the case has no use for (no mailbox yet, no WBK
/// regime) is nil and not shown.
struct CaseFormSet: FormSet {
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
}
