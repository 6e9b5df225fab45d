import Foundation
import VertrouwdCore
import VertrouwdStore

/// `vertrouwd qr [--pbm [--scale N]] [--correction m|q] --text TEXT`: the QR code the poster
/// carries, as SVG (default) or as a PBM image on standard output, so an independent decoder
/// can read it back (`scripts/qr-check.sh`). Runs before the application starts: it needs no
/// database and no key.
public enum QRTool {
    /// Handles `arguments` (after `qr`); returns the exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        var text: String?
        var pbm = false
        var scale = 4
        var correction = QRCode.ErrorCorrection.m
        var rest = arguments[...]
        let usage = "Usage: vertrouwd qr [--pbm [--scale N]] [--correction m|q] --text TEXT\n"
        func fail(_ message: String) -> Int32 {
            FileHandle.standardError.write(Data("qr: \(message)\n\(usage)".utf8))
            return 2
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--help", "-h":
                FileHandle.standardOutput.write(Data(usage.utf8))
                return 0
            case "--pbm": pbm = true
            case "--scale":
                guard let value = rest.popFirst().flatMap(Int.init), (1...64).contains(value) else {
                    return fail("--scale takes 1 to 64")
                }
                scale = value
            case "--correction":
                switch rest.popFirst()?.lowercased() {
                case "m": correction = .m
                case "q": correction = .q
                default: return fail("--correction takes m or q")
                }
            case "--text":
                guard let value = rest.popFirst() else { return fail("--text needs a value") }
                text = value
            default: return fail("unknown argument \(argument)")
            }
        }
        guard let text, !text.isEmpty else { return fail("--text is required") }
        do {
            let code = try QRCode(text: text, correction: correction)
            FileHandle.standardOutput.write(pbm ? code.pbm(scale: scale) : Data(code.svg(title: text).utf8))
            return 0
        } catch {
            return fail("the text is too long for a QR code")
        }
    }
}
