/// The words of the practice, as stored codes (English, stable) with their Dutch labels.
///
/// Codes are stored as strings so SQLite and PostgreSQL hold the same values and statistics can
/// group on them without decrypting anything.
/// Codable as its raw value: stored as text on both databases.
public protocol Labelled: RawRepresentable, CaseIterable, Hashable, Sendable, Codable where RawValue == String {
    /// The Dutch word users see.
    var label: String { get }
}

/// Kind of contact: the two kinds of *melding* with their own steps, or a plain question.
public enum CaseKind: String, Labelled {
    case personalIntegrity = "personal_integrity"
    case businessIntegrity = "business_integrity"
    case informationRequest = "information_request"
    /// A web request or report the counsellor has not classified yet.
    case unclassified

    public var label: String {
        switch self {
        case .personalIntegrity: "Persoonlijke integriteit: ongewenste omgangsvormen (PSA)"
        case .businessIntegrity: "Zakelijke integriteit: vermoeden van een misstand"
        case .informationRequest: "Contact of informatievraag"
        case .unclassified: "Nog niet ingedeeld"
        }
    }

    /// What the seeds tell apart, for the counsellor choosing a kind (seeds 000, 001, 003).
    public static let distinction =
        """
            Een contact of informatievraag is een vraag, geen melding. Een melding is wat een medewerker de \
            vertrouwenspersoon in vertrouwen vertelt; de melder houdt de regie. Een klacht is formeel en gaat naar \
            de klachtencommissie (trede 5 van de escalatieladder). Een melding van een vermoeden van een misstand \
            onder de Wet bescherming klokkenluiders kies je bij Regime, alleen met toestemming van de melder.
            """

    /// The kinds a counsellor can choose.
    public static let classified: [CaseKind] = [.personalIntegrity, .businessIntegrity, .informationRequest]
}

/// What a *melding* is about. A case may touch several categories.
public enum CaseCategory: String, Labelled {
    case bullying, sexualHarassment = "sexual_harassment", intimidation, discrimination
    case aggression, threat, abuseOfPower = "abuse_of_power", workload
    case fraud, informationLeak = "information_leak", internetMisuse = "internet_misuse"
    case misuseOfResources = "misuse_of_resources", theft, extortion, other

    public var label: String {
        switch self {
        case .bullying: "Pesten"
        case .sexualHarassment: "Seksuele intimidatie"
        case .intimidation: "Intimidatie"
        case .discrimination: "Discriminatie"
        case .aggression: "Agressie en geweld"
        case .threat: "Bedreiging"
        case .abuseOfPower: "Machtsmisbruik"
        case .workload: "Werkdruk / arbeidsconflict"
        case .fraud: "Fraude, steekpenningen, corruptie"
        case .informationLeak: "Lekken en misbruik van informatie"
        case .internetMisuse: "Ongewenst gebruik e-mail/internet"
        case .misuseOfResources: "Misbruik bedrijfsmiddelen / werkverzuim"
        case .theft: "Diefstal"
        case .extortion: "Afpersing"
        case .other: "Overig"
        }
    }

    /// The kind a category usually belongs to (used to group "overig" in statistics).
    public var usualKind: CaseKind {
        switch self {
        case .fraud, .informationLeak, .internetMisuse, .misuseOfResources, .theft, .extortion: .businessIntegrity
        default: .personalIntegrity
        }
    }
}

/// Who comes to the counsellor (seed 003 §3).
public enum ReporterRole: String, Labelled {
    case affectedEmployee = "affected_employee", witness, manager
    case formerEmployee = "former_employee", intern, other
    /// Not (yet) known, e.g. after an anonymous web report.
    case unknown

    public var label: String {
        switch self {
        case .unknown: "Onbekend"
        case .affectedEmployee: "Medewerker die het zelf ondervindt"
        case .witness: "Medewerker die weet heeft van een schending"
        case .manager: "Leidinggevende (speelt op eigen afdeling)"
        case .formerEmployee: "Oud-medewerker"
        case .intern: "Stagiair"
        case .other: "Anders"
        }
    }
}

/// How the contact came in.
public enum IntakeChannel: String, Labelled {
    case phone, whatsapp, email, inPerson = "in_person", online, webForm = "web_form"

    public var label: String {
        switch self {
        case .phone: "Telefoon"
        case .whatsapp: "WhatsApp"
        case .email: "E-mail"
        case .inPerson: "Persoonlijk"
        case .online: "Online (video)"
        case .webForm: "Webformulier"
        }
    }
}

/// The reporter's relation to the person complained about (*beklaagde*).
public enum AccusedRelation: String, Labelled {
    case manager, colleague, subordinate, client, thirdParty = "third_party", unknown

    public var label: String {
        switch self {
        case .manager: "Leidinggevende"
        case .colleague: "Collega"
        case .subordinate: "Ondergeschikte"
        case .client: "Cliënt, klant, leerling of ouder"
        case .thirdParty: "Derde (extern)"
        case .unknown: "Onbekend / niet van toepassing"
        }
    }
}

/// The legal regime a case runs under.
public enum Regime: String, Labelled {
    /// *Vertrouwelijk gesprek* (Arbowet): the reporter leads; no clocks.
    case confidential
    /// *Melding onder de Wet bescherming klokkenluiders*: acknowledgement and feedback clocks.
    case whistleblower

    public var label: String {
        switch self {
        case .confidential: "Vertrouwelijk gesprek (Arbowet)"
        case .whistleblower: "Melding Wet bescherming klokkenluiders"
        }
    }
}

/// Where a counsellor refers a reporter to.
public enum ReferralTarget: String, Labelled {
    case coach, mediator, socialWork = "social_work", lawyer, occupationalPhysician = "occupational_physician"
    case victimSupport = "victim_support", legalCounter = "legal_counter"
    case whistleblowersAuthority = "whistleblowers_authority", labourInspectorate = "labour_inspectorate", police

    public var label: String {
        switch self {
        case .coach: "Coach"
        case .mediator: "Mediator"
        case .socialWork: "Maatschappelijk werk"
        case .lawyer: "Advocaat / jurist"
        case .occupationalPhysician: "Bedrijfsarts"
        case .victimSupport: "Slachtofferhulp"
        case .legalCounter: "Juridisch Loket"
        case .whistleblowersAuthority: "Huis voor Klokkenluiders"
        case .labourInspectorate: "Nederlandse Arbeidsinspectie"
        case .police: "Politie"
        }
    }
}

/// How a case ended.
public enum Outcome: String, Labelled {
    case heard, informalSolution = "informal_solution", referred, formalComplaint = "formal_complaint"
    case policeReport = "police_report", reportedToEmployer = "reported_to_employer"
    case reporterWithdrew = "reporter_withdrew", noContact = "no_contact", other

    public var label: String {
        switch self {
        case .heard: "Gehoord, verhaal kwijt"
        case .informalSolution: "Informele oplossing"
        case .referred: "Doorverwezen"
        case .formalComplaint: "Formele klacht ingediend"
        case .policeReport: "Aangifte gedaan"
        case .reportedToEmployer: "Gemeld bij de werkgever"
        case .reporterWithdrew: "Melder ziet af van vervolg"
        case .noContact: "Geen contact meer"
        case .other: "Overig"
        }
    }
}

/// How a reporter gave consent for a step towards a third party.
public enum ConsentMethod: String, Labelled {
    case oral, written, email, mailbox

    public var label: String {
        switch self {
        case .oral: "Mondeling (in gesprek of telefoon)"
        case .written: "Schriftelijk"
        case .email: "Per e-mail of bericht"
        case .mailbox: "Via de beveiligde postbus"
        }
    }
}

/// How an appointment takes place.
public enum AppointmentMode: String, Labelled {
    case inPerson = "in_person", phone, online

    public var label: String {
        switch self {
        case .inPerson: "Persoonlijk"
        case .phone: "Telefonisch"
        case .online: "Online"
        }
    }
}
