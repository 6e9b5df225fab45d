import Leaf
import VertrouwdReports

/// `#fold(text, "Lees verder")`: a long text (a story, a message) shows its first part, and the
/// rest behind a `<details>` the reader opens — without JavaScript, and a screen reader hears a
/// button. A text of at most `limit` characters is shown whole. The text is escaped here: the tag
/// writes HTML.
struct FoldTag: UnsafeUnescapedLeafTag {
    static let limit = 1_200
    /// Where a long text is cut: at the last line break or space before this.
    static let head = 900

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 2, let text = ctx.parameters[0].string, let label = ctx.parameters[1].string
        else {
            throw "#fold takes a text and the label of its button"
        }
        let (head, rest) = Self.split(text)
        guard !rest.isEmpty else { return .string(Self.escape(head)) }
        return .string(
            Self.escape(head) + "<details class=\"more\"><summary>" + Self.escape(label) + "</summary>"
                + Self.escape(rest) + "</details>")
    }

    static func split(_ text: String) -> (head: String, rest: String) {
        guard text.count > limit else { return (text, "") }
        let cut = text.index(text.startIndex, offsetBy: head)
        let at = text[..<cut].lastIndex(where: { $0 == "\n" || $0 == " " }).map { text.index(after: $0) } ?? cut
        return (String(text[..<at]), String(text[at...]))
    }

    static func escape(_ text: String) -> String { Markup.xml(text) }
}
