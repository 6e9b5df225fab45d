import Foundation
import VertrouwdCore
import VertrouwdStore

/// Every text of the public channel, in Dutch and English, at plain-language (B1) level.
/// Templates get one of these as `t`.
struct PublicText: Encodable, Sendable {
    let lang: String
    let otherLang: String
    let otherLangName: String
    let skip: String
    let footer: String
    let acute: String
    let device: String
    // organisation page
    let orgTitle: String
    let orgIntro: String
    let whoTitle: String
    let reachTitle: String
    let phone: String
    let whatsapp: String
    let email: String
    let whenTitle: String
    let happensTitle: String
    let happens: [String]
    let requestLink: String
    let reportLink: String
    let mailboxLink: String
    let stepsTitle: String
    let doesTitle: String
    let does: [String]
    let doesNotTitle: String
    let doesNot: [String]
    let whoMayTitle: String
    let whoMay: String
    /// Who else may report suspected wrongdoing, where the counsellor is the organisation's channel
    /// under the Wet bescherming klokkenluiders (as the meldregeling template, §3, lists them).
    let whoMayWhistleblower: String
    /// What happens with such a report: the organisation has to investigate it.
    let happensWhistleblower: String
    let internalTitle: String
    let internalIntro: String
    let complaintTitle: String
    let complaintText: String
    let complaintCommittee: String
    /// When the organisation's committee is not filled in.
    let complaintAsk: String
    let externalTitle: String
    let externalText: String
    let externalAdvice: String
    // forms
    let requestTitle: String
    let requestIntro: String
    let reportTitle: String
    let reportIntro: String
    let required: String
    let optional: String
    let send: String
    let checkForm: String
    let whichCounsellor: String
    let modeQuestion: String
    let momentsQuestion: String
    let momentsHint: String
    let contactQuestion: String
    let contactHint: String
    let topicQuestion: String
    let whatHappened: String
    let whatHappenedHint: String
    let whistleblowerLabel: String
    let whistleblowerHint: String
    let contactWish: String
    let contactNo: String
    let contactYes: String
    let contactHow: String
    let anonymousNote: String
    // receipt
    let receiptTitle: String
    let receiptCodeTitle: String
    let receiptAdvice: String
    /// The same advice in the other language: the receipt page has no language switch.
    let receiptAdviceOther: String
    let proofTitle: String
    let proofNote: String
    let proofOrganisation: String
    let proofReference: String
    let proofDate: String
    let printHint: String
    let printProof: String
    /// The button that unfolds the rest of a long text; the link to the newest message.
    let readMore, toNewest: String
    let toMailbox: String
    // mailbox
    let mailboxTitle: String
    let mailboxIntro: String
    let codeLabel: String
    let codeHint: String
    let open: String
    let wrongCode: String
    let busyCode: String
    let tooManyMessages: String
    let yourReport: String
    /// The button while a form with files is sent.
    let sendingFiles: String
    let sendingFailed: String
    /// The mailbox of a case whose words were not kept apart: never the counsellor's text instead.
    let wordsNotKept: String
    let messagesTitle: String
    let you: String
    let counsellor: String
    let noMessages: String
    let messageLabel: String
    let sendMessage: String
    let close: String
    let closed: String
    let recordTitle: String
    let recordIntro: String
    let approve: String
    let approved: String
    let correction: String
    let sendCorrection: String
    let acknowledgement: String
    let sent: String
    // validation
    let errRequired: String
    let errChoose: String
    let errTooLong: String
    let errCharacters: String
    let errContact: String
    let errExpired: String
    let filesLabel: String
    let filesHint: String
    let attachments: String
    let errTooManyFiles: String
    let errFileTooLarge: String
    let errFileType: String
    let errFilesAgain: String
    /// The WBK tick with a topic of undesirable behaviour.
    let errWhistleblowerTopic: String
    /// With `{minutes}`.
    let errBusy: String
    /// Too many uploads at once: the text came back, the files did not.
    let errUploadBusy: String
    /// With `{minutes}`: this sender sent its share (`FloodGuard`).
    let errSenderBusy: String
    /// The form came back without a valid token (an old tab, a lost cookie): shown on the form.
    let errFormExpired: String
    /// The attachments together were over the limit ({mb}): shown on the form, text kept.
    let errFilesTooLarge: String
    /// A form without attachments was over its limit (only a hostile client gets here).
    let errFormTooLarge: String
    // error pages
    let notFoundTitle: String
    let notFoundText: String
    let formExpiredTitle: String
    let formExpiredText: String
    let tooLargeTitle: String
    let tooLargeText: String
    let errorTitle: String
    let errorText: String
    let keptTitle: String
    let keptText: String

    func tooLong(_ max: Int, _ now: Int) -> String {
        errTooLong.replacingOccurrences(of: "{max}", with: String(max)).replacingOccurrences(
            of: "{now}", with: String(now))
    }

    static func of(_ language: Language) -> PublicText { language == .en ? en : nl }

    /// The attachment limits and their messages, for the file input (see `FormView.FileRules`).
    /// Three files within the per-file limit always fit the route's body limit.
    var fileRules: FormView.FileRules {
        FormView.FileRules(
            maxFiles: AttachmentRules.maximumFiles, maxBytes: AttachmentRules.maximumBytes,
            tooMany: errTooManyFiles, tooLarge: errFileTooLarge)
    }

    /// Dates and times as the reporter reads them, in the practice's time zone.
    func dateFormatter(_ style: DateFormatter.Style) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: lang == "en" ? "en_GB" : "nl_NL")
        formatter.timeZone = Day.practiceTimeZone
        formatter.dateStyle = style
        formatter.timeStyle = .short
        return formatter
    }

    static let nl = PublicText(
        lang: "nl", otherLang: "en", otherLangName: "English", skip: "Naar de inhoud",
        footer:
            """
                Deze site bewaart geen IP-adres en geen gegevens over je browser. Om het kanaal voor iedereen open \
                te houden onthoudt de server hooguit tien minuten, alleen in zijn werkgeheugen, een versleutelde \
                vingerafdruk van je netwerkadres waaruit dat adres niet terug te halen is; die wordt nooit \
                opgeslagen of gelogd. Er zijn alleen eigen, noodzakelijke cookies, die verdwijnen als je je browser \
                sluit: één die formulieren beveiligt, één die je taalkeuze onthoudt en één zolang je postbus open \
                is. Geen cookies of diensten van anderen.
                """,
        acute: "Ben je in acuut gevaar? Bel 112.",
        device: "Tip: gebruik liever je eigen telefoon of computer en niet het netwerk van je werk.",
        orgTitle: "Vertrouwenspersoon voor medewerkers van {org}",
        orgIntro:
            """
                Heb je op je werk te maken met pesten, intimidatie, discriminatie, agressie of seksuele \
                intimidatie? Of denk je dat er iets niet klopt, zoals fraude? Dan kun je in vertrouwen praten met \
                een externe vertrouwenspersoon. Die is onafhankelijk en niet in dienst van je organisatie.
                """,
        whoTitle: "Wie zijn wij?", reachTitle: "Zo bereik je ons", phone: "Telefoon", whatsapp: "WhatsApp",
        email: "E-mail",
        whenTitle: "Wanneer", happensTitle: "Wat gebeurt er met je verhaal?",
        happens: [
            "Wat je vertelt blijft vertrouwelijk.",
            "Jij houdt de regie. De vertrouwenspersoon doet niets zonder jouw toestemming.",
            """
                Er zijn twee uitzonderingen: als de wet het eist, of als er ernstig gevaar is voor jou of voor \
                anderen. Dan kan de vertrouwenspersoon iets doen zonder jouw toestemming. Als het kan, hoor je dat \
                eerst.
                """,
            "Soms is je verhaal kwijt kunnen al genoeg. Samen kijken jullie wat je wilt.",
            "Je mag anoniem melden.",
            """
                Zonder jouw toestemming hoort je organisatie niet dat je contact hebt gehad. Ze krijgt een \
                jaarverslag, signalen en adviezen, zonder namen en zonder kleine aantallen. Wil je dat de \
                vertrouwenspersoon iets aankaart, bijvoorbeeld bij je leidinggevende of HR, dan weet die het wel: \
                dat gebeurt alleen als jij dat wilt.
                """
        ],
        requestLink: "Vraag een gesprek aan", reportLink: "Doe een melding (ook anoniem)",
        mailboxLink: "Heb je al een ontvangstcode? Open je postbus", stepsTitle: "Wat wil je doen?",
        doesTitle: "Wat doet de vertrouwenspersoon?",
        does: [
            "Luistert naar je verhaal en denkt met je mee.",
            "Legt uit wat je kunt doen, en helpt je het zelf op te lossen als dat kan.",
            "Gaat als je dat wilt mee naar een gesprek, of helpt je bij een klacht of een melding.",
            "Verwijst je zo nodig door, bijvoorbeeld naar een bedrijfsarts of een advocaat."
        ],
        doesNotTitle: "Wat doet de vertrouwenspersoon niet?",
        doesNot: [
            "Geen onderzoek naar wat er is gebeurd.",
            "Geen oordeel over wie gelijk heeft.",
            "Geen beslissingen namens je organisatie."
        ],
        whoMayTitle: "Wie kan er terecht?",
        whoMay:
            """
                Iedereen die voor {org} werkt of werkte: medewerkers, leidinggevenden, oud-medewerkers, stagiairs, \
                uitzendkrachten en vrijwilligers. Het kost je niets.
                """,
        whoMayWhistleblower:
            """
                Een vermoeden van een misstand mag je hier ook melden als je door je werk op een andere manier met \
                {org} te maken hebt: als zzp'er, sollicitant, bestuurder, toezichthouder of aandeelhouder, of als \
                je werkt voor een leverancier of (onder)aannemer van {org}.
                """,
        happensWhistleblower:
            """
                Doe je een melding van een vermoeden van een misstand onder de Wet bescherming klokkenluiders, dan \
                gaat die melding wél naar de organisatie, want die moet het onderzoeken. Je naam blijft geheim, \
                behalve als jij zegt dat het mag of als de wet het eist.
                """,
        internalTitle: "Interne vertrouwenspersoon",
        internalIntro: "Je organisatie heeft ook een eigen vertrouwenspersoon. Je mag kiezen bij wie je terechtkunt.",
        complaintTitle: "Een klacht indienen",
        complaintText:
            """
                Wil je een formele klacht over ongewenst gedrag indienen? Dan kun je naar de klachtencommissie. De \
                vertrouwenspersoon kan je daarbij helpen.
                """,
        complaintCommittee: "Klachtencommissie:",
        complaintAsk: "Vraag de vertrouwenspersoon bij welke klachtencommissie je terechtkunt.",
        externalTitle: "Melden buiten je organisatie",
        externalText:
            """
                Een vermoeden van een misstand mag je ook melden bij een bevoegde instantie buiten je organisatie: \
                een overheidsdienst die zulke meldingen mag onderzoeken. Dat mag ook zonder eerst hier te melden. \
                Bijvoorbeeld:
                """,
        externalAdvice:
            "Gratis en vertrouwelijk advies krijg je bij de afdeling Advies van het Huis voor Klokkenluiders.",
        requestTitle: "Een gesprek aanvragen",
        requestIntro:
            """
                Laat weten hoe we je kunnen bereiken. De vertrouwenspersoon neemt contact met je op, meestal binnen \
                {days} werkdagen.
                """,
        reportTitle: "Een melding doen",
        reportIntro:
            """
                Je hoeft je naam niet te geven. Na het versturen krijg je een ontvangstcode. Met die code lees je \
                in je postbus de antwoorden van de vertrouwenspersoon.
                """,
        required: "verplicht", optional: "niet verplicht", send: "Versturen", checkForm: "Kijk dit nog even na",
        whichCounsellor: "Met wie wil je contact?", modeQuestion: "Hoe wil je praten?",
        momentsQuestion: "Wanneer komt het je goed uit?", momentsHint: "Bijvoorbeeld: dinsdagmiddag of na 17.00 uur.",
        contactQuestion: "Hoe kunnen we je bereiken?",
        contactHint:
            """
                Bijvoorbeeld je telefoonnummer of een privé e-mailadres. Alleen de vertrouwenspersoon ziet dit, of \
                een collega-vertrouwenspersoon die hem of haar vervangt.
                """,
        topicQuestion: "Waar gaat het over?",
        whatHappened: "Wat is er gebeurd?",
        whatHappenedHint:
            "Vertel in je eigen woorden wat er is gebeurd, wanneer en waar. Noem alleen namen als je dat wilt.",
        whistleblowerLabel: "Dit is een melding van een vermoeden van een misstand (Wet bescherming klokkenluiders)",
        whistleblowerHint:
            """
                Alleen bij een vermoeden van een misstand: iets wat fout gaat en ook anderen of de samenleving raakt, \
                zoals fraude of gevaar voor de gezondheid, de veiligheid of het milieu. Dan krijg je binnen 7 dagen \
                een ontvangstbevestiging (een bericht dat je melding binnen is), en binnen 3 maanden daarna \
                informatie over wat er met je melding gebeurt, in je postbus.
                """,
        contactWish: "Wil je dat we contact met je opnemen?", contactNo: "Nee, ik lees de antwoorden in mijn postbus",
        contactYes: "Ja, neem contact met me op", contactHow: "Hoe kunnen we je bereiken?",
        anonymousNote: "Wil je anoniem blijven? Vul dan geen naam of contactgegevens in.",
        receiptTitle: "Verstuurd", receiptCodeTitle: "Je ontvangstcode",
        receiptAdvice:
            """
                Schrijf deze code op en bewaar hem goed. Je ziet hem maar één keer. Zonder de code kun je je \
                postbus niet openen, en wij kunnen hem niet opnieuw maken.
                """,
        receiptAdviceOther:
            """
                In English: this is your receipt code. Write it down now; it is shown only once. With it you open \
                your mailbox.
                """,
        proofTitle: "Bewijs van indiening",
        proofNote:
            """
                Dit bewijs laat zien dat en wanneer je iets hebt ingediend. Er staat geen inhoud op en geen \
                ontvangstcode.
                """,
        proofOrganisation: "Organisatie", proofReference: "Kenmerk", proofDate: "Ingediend op",
        printHint: "Afdrukken kan via het menu van je browser. Alleen het bewijs wordt afgedrukt, niet de code.",
        printProof: "Bewijs afdrukken",
        readMore: "Lees verder", toNewest: "Naar het nieuwste bericht",
        toMailbox: "Naar je postbus",
        mailboxTitle: "Je postbus", mailboxIntro: "Vul je ontvangstcode in om je melding en de antwoorden te lezen.",
        codeLabel: "Ontvangstcode", codeHint: "28 cijfers. Spaties mogen.", open: "Openen",
        wrongCode: "Deze code klopt niet, of je moet even wachten voor je het opnieuw probeert. Controleer de cijfers.",
        busyCode: "Het is nu erg druk. Je code is nog niet gecontroleerd. Probeer het over een paar seconden opnieuw.",
        tooManyMessages:
            """
                Je hebt het afgelopen etmaal al \(MailboxThrottle.messagesPerDay) berichten gestuurd; meer kan pas \
                morgen. Je vertrouwenspersoon leest ze. Wat je schreef staat er nog, niets is verstuurd.
                """,
        yourReport: "Wat je stuurde",
        sendingFiles: "Bezig met versturen… (met bestanden kan dit even duren)",
        sendingFailed:
            """
                De verbinding viel weg voordat er antwoord kwam: je bericht is misschien niet aangekomen. Je tekst \
                staat er nog. Zag je geen ontvangstcode? Probeer het dan nog eens (kwam het toch aan, dan krijgt de \
                vertrouwenspersoon het twee keer; dat is niet erg).
                """,
        wordsNotKept:
            """
                Je eerste melding staat hier niet: die kwam niet via dit formulier binnen, of is van voor de tijd \
                dat we hem apart bewaarden. Je vertrouwenspersoon heeft hem. Wil je hem nalezen? Vraag het in een \
                bericht.
                """,
        messagesTitle: "Berichten", you: "Jij", counsellor: "Vertrouwenspersoon",
        noMessages: "Nog geen berichten. Kijk later nog eens.", messageLabel: "Bericht aan de vertrouwenspersoon",
        sendMessage: "Bericht versturen", close: "Postbus sluiten", closed: "Je postbus is gesloten.",
        recordTitle: "Verslag van je gesprek",
        recordIntro: "Lees het verslag. Klopt het? Keur het dan goed. Klopt er iets niet? Schrijf wat er anders moet.",
        approve: "Het verslag klopt", approved: "Goedgekeurd op", correction: "Wat moet er anders?",
        sendCorrection: "Correctie versturen",
        acknowledgement: "Ontvangstbevestiging", sent: "Verstuurd.",
        errRequired: "Vul dit in.", errChoose: "Kies een van de mogelijkheden.",
        errTooLong: "Dit is te lang: maximaal {max} tekens (nu {now}).",
        errCharacters: "Hier staan tekens in die niet zijn toegestaan.",
        errContact: "Vul in hoe we je kunnen bereiken, of kies 'Nee'.",
        errExpired: "Je postbus is gesloten omdat je een tijd niets deed. Open hem opnieuw met je code.",
        filesLabel: "Bijlagen (niet verplicht)",
        filesHint:
            """
                Je mag 3 bestanden meesturen, elk tot 10 MB: pdf, jpg, png, txt, docx of odt. Uit foto's (jpg, png) \
                halen wij de verborgen gegevens, zoals de plaats en het tijdstip van de foto en het toestel. \
                Documenten (pdf, docx, odt) sturen we door zoals ze zijn: daarin kan de naam staan van wie ze \
                maakte of van de computer. Wil je anoniem blijven? Haal die gegevens er dan eerst uit, of maak een \
                schermafbeelding.
                """,
        attachments: "Bijlagen",
        errTooManyFiles: "Kies niet meer dan 3 bestanden.",
        errFileTooLarge: "Het bestand {name} is groter dan 10 MB.",
        errFileType: "Het bestand {name} kan niet worden verstuurd. Gebruik pdf, jpg, png, txt, docx of odt.",
        errFilesAgain: "Kies je bijlagen opnieuw: een browser bewaart gekozen bestanden niet.",
        errWhistleblowerTopic:
            """
                Een melding onder de Wet bescherming klokkenluiders gaat over een vermoeden van een misstand, zoals \
                fraude. Bij pesten, intimidatie, discriminatie of agressie helpt de vertrouwenspersoon je \
                vertrouwelijk. Haal het vinkje weg of kies een ander onderwerp. Er is nog niets verstuurd.
                """,
        errBusy:
            """
                Het is nu erg druk. Er is nog niets verstuurd. Je tekst staat hieronder nog: probeer het over \
                {minutes} minuut/minuten opnieuw met Versturen.
                """,
        errUploadBusy:
            """
                Het is nu erg druk. Er is nog niets verstuurd. Je tekst staat hieronder nog: kies je bestanden \
                opnieuw en klik over een minuut opnieuw op Versturen.
                """,
        errSenderBusy:
            """
                Vanaf deze verbinding is de afgelopen minuten al een aantal keer iets verstuurd. Er is nu nog niets \
                verstuurd. Je tekst staat hieronder nog: probeer het over {minutes} minuten opnieuw, of vanaf een \
                andere verbinding.
                """,
        errFormExpired:
            """
                Dit formulier was verlopen, daarom is er nog niets verstuurd. Wat je schreef staat er nog. Kijk het \
                na en klik opnieuw op Versturen.
                """,
        errFilesTooLarge:
            """
                Je bijlagen zijn samen groter dan {mb} MB, daarom is er nog niets verstuurd. Wat je schreef staat \
                er nog. Kies kleinere bestanden (elk tot 10 MB) of stuur er minder.
                """,
        errFormTooLarge:
            """
                Wat je verstuurde is langer dan dit formulier aanneemt, daarom is er nog niets verstuurd. Wat \
                binnenkwam staat er nog. Maak het korter en klik opnieuw op Versturen.
                """,
        notFoundTitle: "Niet gevonden",
        notFoundText: "Deze pagina bestaat niet. Kijk of het adres op de poster of in de mail goed is overgenomen.",
        formExpiredTitle: "Formulier verlopen",
        formExpiredText:
            """
                Dit formulier kon niet worden verwerkt omdat het verlopen is. Er is niets verstuurd. Ga terug, laad \
                de pagina opnieuw en probeer het nog eens.
                """,
        tooLargeTitle: "Te groot",
        tooLargeText: "Wat je verstuurde is te groot. Er is niets verstuurd. Maak bijlagen kleiner of stuur er minder.",
        errorTitle: "Er ging iets mis",
        errorText: "Er ging aan onze kant iets mis. Er is niets verstuurd. Probeer het later opnieuw.",
        keptTitle: "Wat je schreef",
        keptText: "Dit is niet verstuurd. Kopieer wat je nodig hebt voordat je deze pagina verlaat.")

    static let en = PublicText(
        lang: "en", otherLang: "nl", otherLangName: "Nederlands", skip: "Skip to content",
        footer:
            """
                This site keeps no IP address and no data about your browser. To keep the channel open for \
                everyone, the server remembers for at most ten minutes, in its working memory only, an encrypted \
                fingerprint of your network address from which the address cannot be recovered; it is never stored \
                or logged. It only uses its own necessary cookies, which disappear when you close your browser: one \
                that protects forms, one that remembers your language choice and one while your mailbox is open. No \
                third-party cookies or services.
                """,
        acute: "In immediate danger? Call 112.",
        device: "Tip: use your own phone or computer rather than your employer's network.",
        orgTitle: "Confidential counsellor for the staff of {org}",
        orgIntro:
            """
                Are you dealing with bullying, intimidation, discrimination, aggression or sexual harassment at \
                work? Or do you think something is wrong, such as fraud? You can talk in confidence with an \
                external confidential counsellor, who is independent and not employed by your organisation.
                """,
        whoTitle: "Who we are", reachTitle: "How to reach us", phone: "Phone", whatsapp: "WhatsApp", email: "Email",
        whenTitle: "When", happensTitle: "What happens with your story?",
        happens: [
            "What you tell us stays confidential.",
            "You stay in control. The counsellor takes no step without your permission.",
            """
                There are two exceptions: if the law requires it, or if there is serious danger to you or to others. \
                Then the counsellor may act without your permission. Where possible, you will be told first.
                """,
            "Sometimes telling your story is enough. Together you decide what you want.",
            "You may report anonymously.",
            """
                Without your permission, your organisation does not hear that you were in contact. It receives a \
                yearly report, signals and advice, without names and without small numbers. If you want the \
                counsellor to raise something, for example with your manager or HR, then that person does know: \
                that only happens if you want it.
                """
        ],
        requestLink: "Ask for a conversation", reportLink: "Make a report (anonymous if you like)",
        mailboxLink: "Already have a receipt code? Open your mailbox", stepsTitle: "What would you like to do?",
        doesTitle: "What does the counsellor do?",
        does: [
            "Listens to your story and thinks along with you.",
            "Explains your options, and helps you solve it yourself where possible.",
            "If you want, comes along to a conversation, or helps you with a complaint or a report.",
            "Refers you on when needed, for example to an occupational physician or a lawyer."
        ],
        doesNotTitle: "What does the counsellor not do?",
        doesNot: [
            "No investigation into what happened.",
            "No judgement about who is right.",
            "No decisions on behalf of your organisation."
        ],
        whoMayTitle: "Who can come?",
        whoMay:
            """
                Everyone who works or worked for {org}: employees, managers, former employees, interns, temporary \
                workers and volunteers. It costs you nothing.
                """,
        whoMayWhistleblower:
            """
                You may also report suspected wrongdoing here if your work brings you into contact with {org} in \
                another way: as a self-employed contractor, job applicant, director, supervisory board member or \
                shareholder, or if you work for a supplier or (sub)contractor of {org}.
                """,
        happensWhistleblower:
            """
                If you report suspected wrongdoing under the Dutch Whistleblower Protection Act, that report does go \
                to the organisation, because it has to investigate it. Your name stays secret, unless you say it may \
                be shared or the law requires it.
                """,
        internalTitle: "Internal confidential counsellor",
        internalIntro: "Your organisation also has its own confidential counsellor. You may choose whom to turn to.",
        complaintTitle: "Making a complaint",
        complaintText:
            """
                Do you want to make a formal complaint about undesirable behaviour? You can go to the complaints \
                committee. The counsellor can help you with it.
                """,
        complaintCommittee: "Complaints committee:",
        complaintAsk: "Ask the counsellor which complaints committee you can turn to.",
        externalTitle: "Reporting outside your organisation",
        externalText:
            """
                You may also report suspected wrongdoing to a competent authority outside your organisation: a \
                public body that may investigate such reports. You may do so without reporting here first. For \
                example:
                """,
        externalAdvice:
            "You can get free and confidential advice from the advice department of the Huis voor Klokkenluiders.",
        requestTitle: "Ask for a conversation",
        requestIntro: "Tell us how to reach you. The counsellor will contact you, usually within {days} working days.",
        reportTitle: "Make a report",
        reportIntro:
            """
                You do not have to give your name. After sending you get a receipt code. With it you read the \
                counsellor's replies in your mailbox.
                """,
        required: "required", optional: "optional", send: "Send", checkForm: "Please check this",
        whichCounsellor: "Who would you like to contact?", modeQuestion: "How would you like to talk?",
        momentsQuestion: "When suits you?", momentsHint: "For example: Tuesday afternoon or after 5 pm.",
        contactQuestion: "How can we reach you?",
        contactHint:
            """
                For example your phone number or a private email address. Only the counsellor sees this, or a fellow \
                counsellor standing in for them.
                """,
        topicQuestion: "What is it about?",
        whatHappened: "What happened?",
        whatHappenedHint: "Tell in your own words what happened, when and where. Only give names if you want to.",
        whistleblowerLabel: "This is a report of suspected wrongdoing (Dutch Whistleblower Protection Act)",
        whistleblowerHint:
            """
                Only for suspected wrongdoing: something that goes wrong and also affects others or society, such as \
                fraud or a danger to health, safety or the environment. You will then get an acknowledgement (a \
                message that your report has arrived) within 7 days, and within 3 months after that, information \
                about what happens with your report, in your mailbox.
                """,
        contactWish: "Would you like us to contact you?", contactNo: "No, I will read the replies in my mailbox",
        contactYes: "Yes, please contact me", contactHow: "How can we reach you?",
        anonymousNote: "Want to stay anonymous? Then leave out your name and contact details.",
        receiptTitle: "Sent", receiptCodeTitle: "Your receipt code",
        receiptAdvice:
            """
                Write this code down and keep it safe. It is shown only once. Without it you cannot open your \
                mailbox, and we cannot make it again.
                """,
        receiptAdviceOther:
            """
                In het Nederlands: dit is je ontvangstcode. Schrijf hem nu op; je ziet hem maar één keer. Hiermee \
                open je je postbus.
                """,
        proofTitle: "Proof of submission",
        proofNote:
            "This proof shows that and when you submitted something. It contains no content and no receipt code.",
        proofOrganisation: "Organisation", proofReference: "Reference", proofDate: "Submitted on",
        printHint: "You can print from your browser's menu. Only the proof is printed, not the code.",
        printProof: "Print the proof",
        readMore: "Read more", toNewest: "To the newest message",
        toMailbox: "Go to your mailbox",
        mailboxTitle: "Your mailbox", mailboxIntro: "Enter your receipt code to read your report and the replies.",
        codeLabel: "Receipt code", codeHint: "28 digits. Spaces are fine.", open: "Open",
        wrongCode: "This code is not right, or you have to wait a moment before trying again. Please check the digits.",
        busyCode: "It is very busy right now. Your code has not been checked yet. Please try again in a few seconds.",
        tooManyMessages:
            """
                You have sent \(MailboxThrottle.messagesPerDay) messages in the last 24 hours; more can be sent \
                tomorrow. Your counsellor reads them. What you wrote is still here; nothing was sent.
                """,
        yourReport: "What you sent",
        sendingFiles: "Sending… (with files this may take a while)",
        sendingFailed:
            """
                The connection dropped before an answer came: your message may not have arrived. Your text is still \
                here. Did you not see a receipt code? Then try once more (if it did arrive, the counsellor gets it \
                twice; that is fine).
                """,
        wordsNotKept:
            """
                Your first report is not shown here: it did not come in through this form, or it dates from before \
                we kept it apart. Your counsellor has it. Would you like to read it again? Ask in a message.
                """,
        messagesTitle: "Messages", you: "You", counsellor: "Counsellor",
        noMessages: "No messages yet. Please check again later.", messageLabel: "Message to the counsellor",
        sendMessage: "Send message", close: "Close mailbox", closed: "Your mailbox is closed.",
        recordTitle: "Record of your conversation",
        recordIntro:
            "Please read the record. Is it correct? Then approve it. Is something wrong? Write what should change.",
        approve: "The record is correct", approved: "Approved on", correction: "What should change?",
        sendCorrection: "Send correction",
        acknowledgement: "Acknowledgement of receipt", sent: "Sent.",
        errRequired: "Please fill this in.", errChoose: "Please choose one of the options.",
        errTooLong: "This is too long: at most {max} characters (now {now}).",
        errCharacters: "This contains characters that are not allowed.",
        errContact: "Tell us how to reach you, or choose 'No'.",
        errExpired: "Your mailbox was closed because you were inactive for a while. Open it again with your code.",
        filesLabel: "Attachments (optional)",
        filesHint:
            """
                You may send 3 files, each up to 10 MB: pdf, jpg, png, txt, docx or odt. We remove the hidden data \
                from photos (jpg, png), such as where and when a photo was taken and with which device. Documents \
                (pdf, docx, odt) are passed on as they are: they can contain the name of who wrote them or of the \
                computer. Want to stay anonymous? Remove that data first, or take a screenshot.
                """,
        attachments: "Attachments",
        errTooManyFiles: "Choose no more than 3 files.",
        errFileTooLarge: "The file {name} is larger than 10 MB.",
        errFileType: "The file {name} cannot be sent. Use pdf, jpg, png, txt, docx or odt.",
        errFilesAgain: "Please choose your attachments again: a browser does not keep chosen files.",
        errWhistleblowerTopic:
            """
                A report under the Whistleblower Protection Act is about suspected wrongdoing, such as fraud. With \
                bullying, intimidation, discrimination or aggression the counsellor helps you in confidence. Remove \
                the tick or choose another topic. Nothing has been sent yet.
                """,
        errBusy:
            """
                It is very busy right now. Nothing has been sent yet. Your text is still below: please press Send \
                again in {minutes} minute(s).
                """,
        errUploadBusy:
            """
                It is very busy right now. Nothing has been sent yet. Your text is still below: choose your files \
                again and press Send again in a minute.
                """,
        errSenderBusy:
            """
                Several messages were sent from this connection in the last few minutes. Nothing has been sent yet. \
                Your text is still below: please try again in {minutes} minutes, or from another connection.
                """,
        errFormExpired:
            """
                This form had expired, so nothing has been sent yet. What you wrote is still here. Please check it \
                and press Send again.
                """,
        errFilesTooLarge:
            """
                Your attachments together are larger than {mb} MB, so nothing has been sent yet. What you wrote is \
                still here. Choose smaller files (each up to 10 MB) or send fewer.
                """,
        errFormTooLarge:
            """
                What you sent is longer than this form accepts, so nothing has been sent yet. What arrived is still \
                here. Please make it shorter and press Send again.
                """,
        notFoundTitle: "Not found",
        notFoundText: "This page does not exist. Please check the address on the poster or in the email.",
        formExpiredTitle: "Form expired",
        formExpiredText:
            """
                This form could not be processed because it expired. Nothing was sent. Go back, reload the page and \
                try again.
                """,
        tooLargeTitle: "Too large",
        tooLargeText: "What you sent is too large. Nothing was sent. Make attachments smaller or send fewer.",
        errorTitle: "Something went wrong",
        errorText: "Something went wrong on our side. Nothing was sent. Please try again later.",
        keptTitle: "What you wrote", keptText: "This was not sent. Copy what you need before you leave this page.")
}

extension FormErrors {
    /// Checks a reporter's free text, with the messages in the reporter's language.
    static func publicText(
        _ value: String?, _ field: String, max: Int, required: Bool, t: PublicText, errors: inout FormErrors
    ) -> String? {
        errors.text(
            value, field, max: max, required: required,
            messages: .init(missing: t.errRequired, tooLong: t.tooLong, characters: t.errCharacters))
    }
}
