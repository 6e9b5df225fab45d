import Testing
import VertrouwdCore

@Suite struct SignalTests {
    let today = Day(year: 2026, month: 11, day: 23)!

    func cases(_ n: Int, _ category: CaseCategory, department: String = "", daysAgo: Int = 10) -> [SignalCase] {
        (0..<n).map { SignalCase(id: "\(category.rawValue)-\(department)-\($0)", categories: [category], department: department,
                                 openedOn: today.adding(days: -daysAgo - $0)) }
    }

    @Test func threeCasesOnOneThemeWithinSixMonthsMakeASignal() {
        let signals = Signals.detect(cases(3, .bullying) + cases(2, .fraud), today: today, k: 5)
        #expect(signals.count == 1)
        #expect(signals.first?.category == .bullying)
        #expect(signals.first?.count == 3)
        #expect(signals.first?.department == nil)
    }

    @Test func casesOutsideTheWindowDoNotCount() {
        let old = cases(2, .bullying, daysAgo: 200)
        #expect(Signals.detect(cases(2, .bullying) + old, today: today, k: 5).isEmpty)
        #expect(Signals.detect(cases(2, .bullying) + old, today: today, rule: .init(minimumCases: 3, windowMonths: 12), k: 5).count == 1)
    }

    @Test func aDepartmentIsNamedOnlyWhenItsOwnCountReachesK() {
        let three = Signals.detect(cases(3, .intimidation, department: "Magazijn"), today: today, k: 5)
        #expect(three.map(\.department) == [nil])
        let five = Signals.detect(cases(5, .intimidation, department: "Magazijn"), today: today, k: 5)
        #expect(five.contains { $0.department == "Magazijn" && $0.count == 5 })
    }

    @Test func theAdviceDraftNeverStatesASmallNumber() {
        let signal = Signals.detect(cases(3, .bullying), today: today, k: 5)[0]
        let draft = Signals.adviceDraft(for: signal, organisation: "Zorggroep Noord", k: 5)
        #expect(draft.body.contains(" meldingen bij mij binnenkwamen"))
        #expect(!draft.body.contains("minder dan"))
        #expect(Disclosure.smallFigures(in: draft.subject + "\n" + draft.body, k: 5).isEmpty)
        #expect(!draft.body.contains("3 meldingen"))
        #expect(!draft.body.contains("pesten-"))  // no case ids
        let big = Signals.detect(cases(7, .bullying), today: today, k: 5)[0]
        #expect(Signals.adviceDraft(for: big, organisation: "Zorggroep Noord", k: 5).body.contains("7 meldingen"))
    }

    @Test func professionalDevelopmentCountsFourYearsAgainstTheLVVNorm() {
        let entries: [(kind: DevelopmentKind, on: Day, minutes: Int)] = [
            (.training, today.adding(days: -30), 24 * 60),
            (.peerConsultation, today.adding(months: -47), 20 * 60),
            (.peerConsultation, today.adding(months: -49), 12 * 60), // outside the four years
            (.other, today.adding(days: -1), 16 * 60),
        ]
        let progress = DevelopmentProgress(entries: entries, today: today)
        #expect(progress.parts.map(\.doneMinutes) == [24 * 60, 20 * 60, 16 * 60])
        #expect(progress.parts.map(\.met) == [true, false, true])
        #expect(progress.totalMinutes == 60 * 60)
        #expect(!progress.met)
        let more = DevelopmentProgress(entries: entries + [(.peerConsultation, today, 12 * 60)], today: today)
        #expect(more.met)
    }
}

@Suite struct SmallFigureTests {
    @Test func smallFiguresAboutPeopleAreFound() {
        #expect(Disclosure.smallFigures(in: "Er waren 3 meldingen over pesten.", k: 5) == ["3 meldingen"])
        #expect(Disclosure.smallFigures(in: "Twee collega's van de afdeling Magazijn", k: 5) == ["twee collega's"])
        #expect(Disclosure.smallFigures(in: "4 nieuwe klachten", k: 5) == ["4 klachten"])
    }

    /// The phrasings the disclosure audit of issue 23 got past the old guard, and their English.
    @Test func numbersInWordsTimesAndGroupsAreFound() {
        let k = 5
        for (text, finding) in [
            ("2 integriteitsmeldingen en 1 klokkenluidersmelding", "2 integriteitsmeldingen"),
            ("Er kwam een WBK-melding binnen.", "een wbk-melding"),
            ("Eén klokkenluider meldde fraude.", "eén klokkenluider"),
            ("Drie keer kwam intimidatie ter sprake.", "drie keer"),
            ("2 vrouwelijke verpleegkundigen", "2 vrouwelijke"),
            ("4x een klacht over de afdeling Staf", "4 x"),
            ("Er waren minder dan 5 meldingen over intimidatie.", "minder dan 5"),
            ("Two colleagues reported bullying.", "two colleagues"),
            ("three times", "three times"),
            ("fewer than 5 reports", "fewer than 5"),
            ("Tweemaal werd agressie gemeld.", "tweemaal"),
        ] {
            #expect(Disclosure.smallFigures(in: text, k: k).contains(finding), "\(text)")
        }
        #expect(Disclosure.smallFigures(in: "2 integriteitsmeldingen en 1 klokkenluidersmelding", k: k).count == 2)
        // What the review of issue 23 got past the first version of the guard.
        for text in ["Er kwam een anonieme melding binnen.", "een WBK melding", "Drie van de medewerkers", "Two of the nurses",
                     "in twee gevallen", "3 personeelsleden", "hooguit vier meldingen", "< 5 meldingen", "geen meldingen over fraude",
                     "twee medewerksters", "3 teamleiders", "nog geen vijf klachten",
                     // and what the second review found
                     "Het aantal WBK-meldingen was 2.", "WBK-meldingen: 2 dit jaar", "0 meldingen over fraude", "nul klachten",
                     "1-2 meldingen", "(2) meldingen", "een paar collega's", "enkele meldingen"] {
            #expect(!Disclosure.smallFigures(in: text, k: k).isEmpty, "\(text)")
        }
    }

    /// Ordinary letters pass: dates, numbered points, "een melding doen", the practice's own rhythm.
    @Test func datesListsAndGeneralPhrasesPass() {
        let k = 5
        for text in ["tussen 06-06-2026 en 15-03-2026 meldingen die gaan over pesten",
                     "1. Medewerkers weten de vertrouwenspersoon te vinden.\n2) Leidinggevenden krijgen een training.",
                     "Aanbeveling 2: leidinggevenden bespreken omgangsvormen.",
                     "Iedereen kan een melding doen; een klacht indienen kan bij de commissie.",
                     "Tweemaal per jaar een workshop.", "Op 3 maart gaven we 2 workshops in 4 uur.",
                     "Er kwam een aantal meldingen over werkdruk.", "Voor medewerkers: 3 workshops per jaar.",
                     // the third review: deadlines, dates and general statements
                     "Meldingen worden binnen 2 werkdagen bevestigd.", "Een klokkenluider krijgt binnen 3 maanden terugkoppeling.",
                     "Klachten vanaf 1 januari gaan naar de commissie.", "U hoeft geen melding te doen.",
                     "Geen medewerker hoeft bang te zijn.", "Enkel medewerkers kunnen dit zien."] {
            #expect(Disclosure.smallFigures(in: text, k: k).isEmpty, "\(text): \(Disclosure.smallFigures(in: text, k: k))")
        }
        // The draft from a signal passes on every day of the year (dates are dd-mm-yyyy).
        let start = Day(year: 2026, month: 1, day: 1)!
        for offset in 0..<365 {
            let today = start.adding(days: offset)
            let cases = (0..<3).map { SignalCase(id: "c\($0)", categories: [.intimidation], department: "", openedOn: today.adding(days: -$0)) }
            let signal = Signals.detect(cases, today: today, k: k)[0]
            let draft = Signals.adviceDraft(for: signal, organisation: "Zorggroep Noord", k: k)
            #expect(Disclosure.smallFigures(in: draft.subject + "\n" + draft.body, k: k).isEmpty, "\(today.dutch)")
        }
    }

    @Test func largeFiguresDatesAndOtherNumbersPass() {
        #expect(Disclosure.smallFigures(in: "Er waren 12 meldingen.", k: 5).isEmpty)
        #expect(Disclosure.smallFigures(in: "Op 3 maart gaven we 2 workshops in 4 uur.", k: 5).isEmpty)
        #expect(Disclosure.smallFigures(in: "minder dan 10 meldingen", k: 5).isEmpty)
        #expect(Disclosure.smallFigures(in: "We gaven 2 workshops voor medewerkers en 2x per jaar een spreekuur.", k: 5).isEmpty)
        #expect(Disclosure.smallFigures(in: "Een gesprek met de directie; een vertrouwenspersoon is bereikbaar.", k: 5).isEmpty)
        #expect(Disclosure.smallFigures(in: "", k: 5).isEmpty)
    }
}
