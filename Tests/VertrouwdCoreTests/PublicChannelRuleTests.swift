import Foundation
import Testing
@testable import VertrouwdCore

@Suite("Receipt codes, languages and attachments")
struct PublicChannelRuleTests {
    @Test func aCodeHas28DigitsInSevenGroupsAndReadsBackHowEverItIsTyped() throws {
        let code = ReceiptCode.generate()
        #expect(code.digits.count == 28 && code.digits.allSatisfy(\.isNumber))
        #expect(code.grouped.split(separator: " ").map(\.count) == Array(repeating: 4, count: 7))
        #expect(ReceiptCode(typed: code.grouped) == code)
        #expect(ReceiptCode(typed: code.digits) == code)
        let dashed = stride(from: 0, to: 28, by: 7).map { i in String(Array(code.digits)[i..<i + 7]) }.joined(separator: "-")
        #expect(ReceiptCode(typed: dashed) == code)
        #expect(!code.description.contains(code.secret), "the secret never lands in a log line")
    }

    @Test(arguments: ["", "1234", String(repeating: "1", count: 27), String(repeating: "1", count: 29), "1234 5678 9012 3456 7890 1234 567x", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨"])
    func malformedCodesAreRefused(typed: String) { #expect(ReceiptCode(typed: typed) == nil) }

    @Test func codesDoNotRepeat() {
        #expect(Set((0..<200).map { _ in ReceiptCode.generate().digits }).count == 200)
    }

    @Test func theSecretIsCheckedAgainstItsSaltedHashOnly() throws {
        let cheap = ReceiptHash.Parameters(rounds: 1 << 10, blockSize: 8, parallelism: 1)
        let salt = ReceiptHash.newSalt()
        let hash = try ReceiptHash.hash(secret: "12345678901234567890", salt: salt, parameters: cheap)
        #expect(hash.count == 32)
        #expect(ReceiptHash.verify(secret: "12345678901234567890", salt: salt, expected: hash, parameters: cheap))
        #expect(!ReceiptHash.verify(secret: "12345678901234567891", salt: salt, expected: hash, parameters: cheap))
        #expect(!ReceiptHash.verify(secret: "12345678901234567890", salt: ReceiptHash.newSalt(), expected: hash, parameters: cheap))
        #expect(try ReceiptHash.hash(secret: "12345678901234567890", salt: ReceiptHash.newSalt(), parameters: cheap) != hash)
    }

    @Test func kdfParametersRoundTripThroughTheirStoredForm() {
        #expect(ReceiptHash.Parameters(stored: ReceiptHash.Parameters.standard.description) == .standard)
        #expect(ReceiptHash.Parameters.standard.description == "scrypt:N=8192,r=8,p=1")
        #expect(ReceiptHash.Parameters(stored: "scrypt:N=1000,r=8,p=1") == nil)
        #expect(ReceiptHash.Parameters(stored: "argon2:whatever") == nil)
    }

    @Test(arguments: [(nil, Language.nl), ("en-GB,en;q=0.9", .en), ("nl-NL,nl;q=0.9,en;q=0.8", .nl), ("en;q=0.5,nl;q=0.9", .nl),
                      ("de-DE,de;q=0.9", .nl), ("en-US", .en), ("*", .nl), ("en;q=0", .nl)])
    func englishOnlyWhenTheBrowserPrefersIt(header: String?, expected: Language) {
        #expect(Language.negotiate(acceptLanguage: header) == expected)
    }

    @Test func everyTopicHasTextInBothLanguagesAndAKind() {
        for topic in PublicTopic.allCases {
            #expect(!topic.label(.nl).isEmpty && !topic.label(.en).isEmpty && topic.label(.nl) != topic.label(.en))
        }
        #expect(PublicTopic.wrongdoing.kind == .businessIntegrity)
        #expect(PublicTopic.other.kind == .unclassified)
    }

    @Test func filesAreRecognisedByTheirBytesNotTheirName() {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0])
        #expect(AttachmentRules.kind(of: png, filename: "x.pdf") == .success(.png))
        #expect(AttachmentRules.kind(of: Data("%PDF-1.7".utf8), filename: "scan") == .success(.pdf))
        #expect(AttachmentRules.kind(of: Data([0xFF, 0xD8, 0xFF, 0xE0]), filename: "a.jpeg") == .success(.jpeg))
        #expect(AttachmentRules.kind(of: Data([0x50, 0x4B, 0x03, 0x04]), filename: "brief.docx") == .success(.docx))
        #expect(AttachmentRules.kind(of: Data([0x50, 0x4B, 0x03, 0x04]), filename: "archief.zip") == .failure(.notAllowed))
        #expect(AttachmentRules.kind(of: Data([0x4D, 0x5A]), filename: "foto.png") == .failure(.notAllowed))
        #expect(AttachmentRules.kind(of: Data("gewoon tekst".utf8), filename: "notitie.txt") == .success(.text))
        #expect(AttachmentRules.kind(of: Data([0x61, 0x00, 0x62]), filename: "binair.txt") == .failure(.notAllowed))
        #expect(AttachmentRules.kind(of: Data(), filename: "leeg.pdf") == .failure(.empty))
        #expect(AttachmentRules.kind(of: Data(count: AttachmentRules.maximumBytes + 1), filename: "groot.pdf") == .failure(.tooLarge))
    }

    @Test func fileNamesLoseTheirPathsAndControlCharacters() {
        #expect(AttachmentRules.cleanName("../../etc/passwd") == "passwd")
        #expect(AttachmentRules.cleanName("C:\\Users\\anna\\foto.jpg") == "foto.jpg")
        #expect(AttachmentRules.cleanName("a\u{0}b\nc.pdf") == "abc.pdf")
        #expect(AttachmentRules.cleanName("") == "bijlage")
    }
}
