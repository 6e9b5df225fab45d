import Testing
import VertrouwdCore

@Suite("E-mail addresses")
struct EmailAddressTests {
    @Test func commonAddressesPass() {
        for good in ["anna@praktijk.nl", "a.de.vries+vp@mail.example.org", "x_y-z@sub.domein.co.uk", "o'brien@example.ie"] {
            #expect(EmailAddress.isValid(good), "\(good)")
        }
    }

    /// The review's `comma@example.org,evil` became a second recipient with `sendmail -t`.
    @Test func headerSeparatorsAndOddFormsAreRefused() {
        for bad in ["comma@example.org,evil", "a@b.nl,evil@x.nl", "a@b.nl;x@y.nl", "Anna <a@b.nl>", "\"a b\"@b.nl", "a b@b.nl",
                    "a@b.nl\r\nBcc: x@y.nl", "a@@b.nl", "a@b", "@b.nl", "a@", ".a@b.nl", "a.@b.nl", "a..b@b.nl", "a@-b.nl",
                    "a@b-.nl", "a@b..nl", "a@b.n", "a@b.12", "ä@b.nl", "a@bücher.de", "a(x)@b.nl",
                    String(repeating: "a", count: 65) + "@b.nl", "a@" + String(repeating: "b", count: 64) + ".nl"] {
            #expect(!EmailAddress.isValid(bad), "\(bad.debugDescription)")
        }
    }
}
