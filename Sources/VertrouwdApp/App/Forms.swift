import Vapor
import VertrouwdCore
import VertrouwdStore

/// A form as a template draws it: every field with its label, what the user typed, and the error
/// tied to it. One template (`form.leaf`) draws every form the same accessible way.
struct FormView: Encodable, Sendable {
    struct Option: Encodable, Sendable {
        let value: String
        let label: String
        var selected: Bool
    }

    struct Field: Encodable, Sendable {
        let name: String
        let id: String
        let label: String
        /// text, email, password, date, datetime-local, number, textarea, select, checkboxes, checkbox, hidden
        let type: String
        var value: String
        var hint: String?
        var error: String?
        var required: Bool
        var options: [Option]
        var autocomplete: String?
        var inputmode: String?
        var maxlength: Int?
        /// For a file input: the limits a browser with JavaScript checks before sending.
        var fileRules: FileRules? = nil
    }

    /// What a file input accepts, with the messages in the user's language, written into the
    /// page so a few lines of script can say "too large" before a long upload. The server
    /// checks the same and remains the rule.
    struct FileRules: Encodable, Sendable {
        let maxFiles: Int
        let maxBytes: Int
        let tooMany: String
        /// With `{name}` for the file's name.
        let tooLarge: String
    }

    /// A field's error as the summary at the top lists it: the field's label and the message
    /// ("Vul dit in." alone does not say which field).
    struct Problem: Encodable, Sendable {
        let fieldID: String
        let label: String
        let message: String
    }

    var id: String
    var title: String?
    var intro: String?
    var action: String
    var submit: String
    var csrf: String
    var fields: [Field] = []
    var problems: [Problem] = []
    /// A message for the whole form (not tied to one field).
    var formError: String?
    /// What the button says while a form with files is sent (progressive enhancement).
    var sending: String?
    /// What the page says when a form with files could not be sent (the connection dropped).
    var sendingFailed: String?
    /// Drawn folded behind its title (a `<details>`), opened when it has errors. Keeps a page of
    /// many small forms readable, without JavaScript.
    var collapsible = false
    /// A quieter button, for actions such as undo.
    var secondary = false
    /// Asked before the form is sent (progressive enhancement: `data-confirm`).
    var confirm: String?
    /// Sends files (`multipart/form-data`).
    var multipart = false
    /// The heading of the error summary, in the user's language.
    var summaryTitle = "Controleer het formulier"
    var hasErrors: Bool { !problems.isEmpty || formError != nil }

    enum CodingKeys: String, CodingKey {
        case id, title, intro, action, submit, csrf, fields, problems, formError, collapsible, secondary, multipart,
            summaryTitle, hasErrors, sending, confirm, sendingFailed
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encodeIfPresent(title, forKey: .title);
        try c.encodeIfPresent(intro, forKey: .intro)
        try c.encode(action, forKey: .action); try c.encode(submit, forKey: .submit); try c.encode(csrf, forKey: .csrf)
        try c.encode(fields, forKey: .fields); try c.encode(problems, forKey: .problems)
        try c.encodeIfPresent(formError, forKey: .formError); try c.encode(collapsible, forKey: .collapsible)
        try c.encode(secondary, forKey: .secondary)
        try c.encode(summaryTitle, forKey: .summaryTitle)
        try c.encode(multipart, forKey: .multipart)
        try c.encode(hasErrors, forKey: .hasErrors)
        try c.encodeIfPresent(sending, forKey: .sending)
        try c.encodeIfPresent(confirm, forKey: .confirm)
        try c.encodeIfPresent(sendingFailed, forKey: .sendingFailed)
    }

    init(id: String, title: String? = nil, intro: String? = nil, action: String, submit: String, csrf: String) {
        self.id = id; self.title = title; self.intro = intro; self.action = action; self.submit = submit;
        self.csrf = csrf
    }

    mutating func add(
        _ name: String, _ label: String, type: String = "text", value: String? = nil,
        hint: String? = nil, required: Bool = false, autocomplete: String? = nil,
        inputmode: String? = nil, maxlength: Int? = nil
    ) {
        fields.append(
            Field(
                name: name, id: "\(id)-\(name)", label: label, type: type, value: value ?? "",
                hint: hint, error: nil, required: required, options: [],
                autocomplete: autocomplete, inputmode: inputmode, maxlength: maxlength))
    }

    mutating func choice(
        _ name: String, _ label: String, options: [(String, String)], selected: [String],
        multiple: Bool = false, hint: String? = nil, required: Bool = false, blank: String? = nil
    ) {
        var opts = options.map { Option(value: $0.0, label: $0.1, selected: selected.contains($0.0)) }
        if let blank, !multiple {
            opts.insert(Option(value: "", label: blank, selected: selected.allSatisfy(\.isEmpty)), at: 0)
        }
        fields.append(
            Field(
                name: multiple ? "\(name)[]" : name, id: "\(id)-\(name)", label: label,
                type: multiple ? "checkboxes" : "select", value: selected.first ?? "",
                hint: hint, error: nil, required: required, options: opts,
                autocomplete: nil, inputmode: nil, maxlength: nil))
    }

    mutating func choice<L: Labelled>(
        _ name: String, _ label: String, _ type: L.Type, selected: [String],
        multiple: Bool = false, hint: String? = nil, required: Bool = false,
        blank: String? = nil
    ) {
        choice(
            name, label, options: L.allCases.map { ($0.rawValue, $0.label) }, selected: selected,
            multiple: multiple, hint: hint, required: required, blank: blank)
    }

    /// One choice shown as radio buttons: friendlier than a list on a phone.
    mutating func radios(
        _ name: String, _ label: String, options: [(String, String)], selected: String,
        hint: String? = nil, required: Bool = false
    ) {
        fields.append(
            Field(
                name: name, id: "\(id)-\(name)", label: label, type: "radios", value: selected,
                hint: hint, error: nil, required: required,
                options: options.map { Option(value: $0.0, label: $0.1, selected: $0.0 == selected) },
                autocomplete: nil, inputmode: nil, maxlength: nil))
    }

    /// A file input for several files; the form becomes multipart.
    /// A file input; `sending` is what the button says while the files go (a phone's upload takes a while).
    mutating func files(
        _ name: String, _ label: String, hint: String?, accept: String, rules: FileRules, sending: String? = nil,
        failed: String? = nil
    ) {
        multipart = true
        self.sending = sending
        self.sendingFailed = failed
        fields.append(
            Field(
                name: "\(name)[]", id: "\(id)-\(name)", label: label, type: "file", value: accept,
                hint: hint, error: nil, required: false, options: [], autocomplete: nil, inputmode: nil, maxlength: nil,
                fileRules: rules))
    }

    /// The tick that writes hours past the contract year's budget, shown once the server asked
    /// (`ContractYear.crossing`: the question is the field's message).
    mutating func askOverBudget(_ errors: FormErrors, checked: Bool) {
        guard errors["overBudget"] != nil || checked else { return }
        checkbox("overBudget", "Toch schrijven, boven het tegoed", checked: checked)
    }

    mutating func checkbox(_ name: String, _ label: String, checked: Bool, hint: String? = nil) {
        fields.append(
            Field(
                name: name, id: "\(id)-\(name)", label: label, type: "checkbox",
                value: checked ? "on" : "", hint: hint, error: nil, required: false, options: [],
                autocomplete: nil, inputmode: nil, maxlength: nil))
    }

    /// Ties validation errors to their fields and lists them at the top, in field order.
    mutating func apply(_ errors: FormErrors) {
        for i in fields.indices {
            let key = fields[i].name.hasSuffix("[]") ? String(fields[i].name.dropLast(2)) : fields[i].name
            if let message = errors.messages[key] {
                fields[i].error = message
                problems.append(Problem(fieldID: fields[i].id, label: fields[i].label, message: message))
            }
        }
        formError = errors.general
    }
}

/// Validation errors, keyed by field name, in Dutch.
struct FormErrors: Sendable {
    var messages: [String: String] = [:]
    var general: String?

    var isEmpty: Bool { messages.isEmpty && general == nil }

    subscript(field: String) -> String? {
        get { messages[field] }
        set { messages[field] = newValue }
    }

    /// The messages a text check gives, so staff and public forms share one check in their own words.
    struct TextMessages {
        let missing: String
        let tooLong: (Int, Int) -> String
        let characters: String

        /// Dutch, naming the field: "Vul de naam in."
        static func staff(_ label: String) -> TextMessages {
            let capital = label.prefix(1).uppercased() + label.dropFirst()
            return TextMessages(
                missing: "Vul \(label) in.",
                tooLong: { max, now in "\(capital) is te lang: maximaal \(max) tekens (nu \(now))." },
                characters: "\(capital) bevat tekens die niet zijn toegestaan.")
        }
    }

    /// A text: trimmed, present when required, not longer than `max`, no control characters.
    /// A single-line field (by default every field of at most 200 characters: names, e-mail,
    /// subjects) takes no line breaks or tabs either: a CR/LF in an e-mail address reached the
    /// `To:` header of sendmail.
    mutating func text(
        _ value: String?, _ field: String, max: Int, required: Bool, messages: TextMessages,
        singleLine: Bool? = nil
    ) -> String? {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { self.messages[field] = messages.missing }
            return nil
        }
        if trimmed.count > max {
            self.messages[field] = messages.tooLong(max, trimmed.count)
            return nil
        }
        let lineBreaks: Set<Unicode.Scalar> = ["\n", "\r", "\t"]
        let oneLine = singleLine ?? (max <= 200)
        if trimmed.unicodeScalars.contains(where: { scalar in
            (scalar.properties.generalCategory == .control && (oneLine || !lineBreaks.contains(scalar)))
                || (oneLine && (scalar == "\u{2028}" || scalar == "\u{2029}"))
        }) {
            self.messages[field] = messages.characters
            return nil
        }
        return trimmed
    }

    mutating func text(
        _ value: String?, _ field: String, label: String, max: Int = 200, required: Bool = true,
        singleLine: Bool? = nil
    ) -> String? {
        text(value, field, max: max, required: required, messages: .staff(label), singleLine: singleLine)
    }

    /// Text written for an organisation may not name a small number of people ("3 meldingen",
    /// "twee collega's"): the disclosure rule for words. Fields that already have a message keep it.
    mutating func noSmallFigures(_ texts: [(field: String, text: String)], k: Int) {
        for (field, text) in texts where messages[field] == nil {
            let small = Disclosure.smallFigures(in: text, k: k)
            if !small.isEmpty {
                messages[field] =
                    """
                        Dit noemt een klein aantal (\(small.joined(separator: ", "))): onder de \(k) mensen of \
                        meldingen is iemand te herkennen, ook met ‘een’, ‘drie keer’ of ‘minder dan \(k)’. Schrijf \
                        het zonder getal, bijvoorbeeld ‘meldingen over pesten’.
                        """
            }
        }
    }

    mutating func choice<L: Labelled>(
        _ value: String?, _ field: String, _ type: L.Type, label: String, required: Bool = true
    ) -> L? {
        guard let value, !value.isEmpty else {
            if required { messages[field] = "Kies \(label)." }
            return nil
        }
        guard let v = L(rawValue: value) else { messages[field] = "Kies \(label) uit de lijst."; return nil }
        return v
    }

    mutating func day(_ value: String?, _ field: String, label: String, required: Bool = true) -> Day? {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            if required { messages[field] = "Vul \(label) in." }
            return nil
        }
        if let d = Day(iso: trimmed) { return d }
        // Also accept how Dutch users type a date: 23-11-2026.
        let parts = trimmed.split(separator: "-")
        if parts.count == 3, let dd = Int(parts[0]), let mm = Int(parts[1]), let yy = Int(parts[2]),
            parts[2].count == 4,
            let d = Day(year: yy, month: mm, day: dd)
        {
            return d
        }
        messages[field] =
            "\(label.prefix(1).uppercased() + label.dropFirst()) is geen geldige datum (bijvoorbeeld 2026-11-23)."
        return nil
    }

    mutating func integer(
        _ value: String?, _ field: String, label: String, range: ClosedRange<Int>, required: Bool = true
    ) -> Int? {
        let trimmed = (value ?? "").trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            if required { messages[field] = "Vul \(label) in." }
            return nil
        }
        guard let n = Int(trimmed), range.contains(n) else {
            messages[field] =
                """
                    \(label.prefix(1).uppercased() + label.dropFirst()) moet een heel getal zijn van \
                    \(range.lowerBound) tot en met \(range.upperBound).
                    """
            return nil
        }
        return n
    }

    mutating func email(_ value: String?, _ field: String, required: Bool = true) -> String? {
        guard let text = text(value, field, label: "het e-mailadres", max: 254, required: required, singleLine: true)
        else { return nil }
        guard EmailAddress.isValid(text) else {
            messages[field] = "Dit is geen geldig e-mailadres (bijvoorbeeld naam@praktijk.nl)."
            return nil
        }
        return text.lowercased()
    }
}

extension Request {
    /// Decodes a form; a body that is not a valid form (broken encoding, invalid UTF-8) becomes
    /// `nil`, so the handler answers with a message instead of a 500.
    func form<T: Decodable>(_ type: T.Type) -> T? {
        try? content.decode(T.self)
    }
}

/// The forms of a page, each in a place of its own named by the form's `FormView.id`: a refused
/// form comes back where it was filled in, and the template reads each by name.
protocol FormSet: Encodable, Sendable {
    /// The place of each form id.
    static var places: [String: WritableKeyPath<Self, FormView?>] { get }
}

extension FormSet {
    /// Puts a form shown again (with what the user typed and why it was refused) in its place.
    mutating func put(_ form: FormView) {
        if let place = Self.places[form.id] { self[keyPath: place] = form }
    }

    /// Changes every form present.
    mutating func update(_ change: (_ id: String, inout FormView) -> Void) {
        for (id, place) in Self.places {
            if var form = self[keyPath: place] {
                // Checked in every test that draws the page: a form is found by its id.
                assert(form.id == id, "the form \(form.id) sits in the place of \(id)")
                change(id, &form)
                self[keyPath: place] = form
            }
        }
    }
}
