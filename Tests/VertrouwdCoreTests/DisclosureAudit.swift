import Foundation

/// An audit of a published annual report that knows nothing of how it was made: it reads the
/// JSON an organisation receives and works out, for every figure it does not show, the range of
/// values consistent with everything that JSON says — totals, shown cells, "overig" and "Overige
/// samen" rows, and any marker on a hidden cell. A hidden figure passes when its range holds at
/// least k values and starts at 0 or at k or more (it is not proven to hold somebody while it may
/// be fewer than k: "minder dan k" is 0…k−1); a figure pinned to one value must be publishable.
///
/// It reasons with intervals (bounds propagation over the sums the report implies), which can
/// only be wider than the exact answer; `scripts/disclosure_audit.py` solves the same question
/// exactly with an integer program, over the demo's reports in CI.
struct DisclosureAudit {
    struct Violation: CustomStringConvertible {
        let figure: String
        let range: ClosedRange<Int>
        let why: String
        var description: String { "\(figure) ∈ \(range.lowerBound)…\(range.upperBound): \(why)" }
    }

    /// Σ terms (coefficient ±1, variable) = or ≥ constant.
    private struct Constraint {
        var terms: [(Int, String)]
        var constant: Int
        var atLeast = false
    }

    private var bounds: [String: (lo: Int, hi: Int)] = [:]
    private var constraints: [Constraint] = []
    private(set) var violations: [Violation] = []
    private(set) var audited = 0
    private var contradiction: String?

    /// Audits one report's JSON.
    static func audit(_ json: Data) throws -> DisclosureAudit {
        guard let doc = try JSONSerialization.jsonObject(with: json) as? [String: Any], let k = doc["k"] as? Int else {
            throw CocoaError(.coderReadCorrupt)
        }
        var audit = DisclosureAudit()
        let total = doc["total"] as? Int
        let tables = doc["tables"] as? [[String: Any]] ?? []
        let ceiling = total ?? 0
        var markers = Set<String>()
        var hiddenFigures: [String] = []

        for table in tables {
            let id = table["id"] as? String ?? "?"
            let multiValued = table["multiValued"] as? Bool ?? false
            let cells = table["cells"] as? [[String: Any]] ?? []
            var members: [String] = [], hiddenMembers: [String] = [], merged: [String: [String]] = [:]
            var combined: String?
            for cell in cells {
                let name = "\(id)/\(cell["key"] as? String ?? "?")"
                let status = cell["status"] as? String ?? ""
                // A case counts once in a cell, but an "overig" cell or "Overige samen" of a
                // multi-valued table adds up several cells and can exceed the total.
                let sumsSeveral = status == "combined" || (multiValued && (name.hasSuffix(".other")))
                audit.bounds[name] = (0, sumsSeveral ? ceiling * cells.count : ceiling)
                if let count = cell["count"] as? Int { audit.bounds[name] = (count, count) }
                switch status {
                case "combined": combined = name
                case "merged": merged[(cell["mergedInto"] as? String).map { "\(id)/\($0)" } ?? "?", default: []].append(name)
                    hiddenFigures.append(name)
                default:
                    members.append(name)
                    guard cell["count"] as? Int == nil else { break }
                    hiddenMembers.append(name)
                    hiddenFigures.append(name)
                    markers.insert(status)
                    // A marker that gives a reason is information: model what it says.
                    if status == "suppressed" { audit.bounds[name]!.hi = min(ceiling, k - 1) }
                    if status == "complementary" { audit.bounds[name]!.lo = k }
                }
            }
            // A single-valued table counts every case once; the deadlines table counts the
            // whistleblower reports only (below).
            if !multiValued, id != "wbk_deadlines", !id.hasPrefix("subject_"), let total {
                audit.constraints.append(.init(terms: members.map { (1, $0) }, constant: total))
            }
            // A subject table counts the cases of its kind once each.
            if id.hasPrefix("subject_") {
                let kind = "kind/" + id.dropFirst("subject_".count)
                audit.bounds[kind] = audit.bounds[kind] ?? (0, ceiling)
                audit.constraints.append(.init(terms: members.map { (1, $0) } + [(-1, kind)], constant: 0))
            }
            if let combined { audit.constraints.append(.init(terms: hiddenMembers.map { (1, $0) } + [(-1, combined)], constant: 0)) }
            for (into, parts) in merged { audit.constraints.append(.init(terms: parts.map { (1, $0) } + [(-1, into)], constant: 0)) }
            if id == "wbk_deadlines" {
                audit.constraints.append(.init(terms: members.map { (1, $0) } + [(-1, "regime/whistleblower")], constant: 0))
            }
        }
        if markers.count > 1 {
            audit.violations.append(.init(figure: "markers", range: 0...0, why: "hidden cells are told apart: \(markers.sorted())"))
        }
        for c in audit.constraints { for (_, v) in c.terms where audit.bounds[v] == nil {
            audit.violations.append(.init(figure: v, range: 0...0, why: "a sum names a cell the report does not have"))
            audit.bounds[v] = (0, ceiling)
        } }
        audit.propagate()
        if let v = audit.contradiction {
            audit.violations.append(.init(figure: v, range: 0...0, why: "the report's figures contradict each other"))
        }
        for name in hiddenFigures {
            guard let b = audit.bounds[name] else { continue }
            audit.audited += 1
            if b.lo == b.hi {
                if b.lo > 0 && b.lo < k { audit.violations.append(.init(figure: name, range: b.lo...b.hi, why: "pinned to a small count, k=\(k)")) }
            } else if !(b.lo == 0 || b.lo >= k) || b.hi - b.lo + 1 < k {
                audit.violations.append(.init(figure: name, range: b.lo...b.hi, why: "fewer than k=\(k) values left, or proven to hold somebody"))
            }
        }
        return audit
    }

    /// Tightens every bound from every constraint until nothing changes.
    private mutating func propagate() {
        var changed = true, rounds = 0
        while changed && rounds < 200 {
            changed = false
            rounds += 1
            for c in constraints {
                // The range of Σ terms.
                let lows = c.terms.map { a, v in a > 0 ? bounds[v]!.lo : -bounds[v]!.hi }
                let highs = c.terms.map { a, v in a > 0 ? bounds[v]!.hi : -bounds[v]!.lo }
                let sumLo = lows.reduce(0, +), sumHi = highs.reduce(0, +)
                for (i, (a, v)) in c.terms.enumerated() {
                    // a·x = constant − (the rest); for "≥" only the lower side follows.
                    let restHi = sumHi - highs[i], restLo = sumLo - lows[i]
                    let minAX = c.constant - restHi
                    let maxAX = c.atLeast ? Int.max / 4 : c.constant - restLo
                    var b = bounds[v]!
                    if a > 0 { b.lo = max(b.lo, minAX); b.hi = min(b.hi, maxAX) } else { b.lo = max(b.lo, -maxAX); b.hi = min(b.hi, -minAX) }
                    // An empty range means the report contradicts itself: stop and say so.
                    if b.lo > b.hi { contradiction = v; return }
                    if b != bounds[v]! { bounds[v] = b; changed = true }
                }
            }
        }
    }
}
