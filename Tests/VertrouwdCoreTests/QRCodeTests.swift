import Foundation
import Testing
@testable import VertrouwdCore

/// The QR encoder, checked without a decoder: capacities, function patterns and format and version
/// information against the tables of ISO/IEC 18004, and whole symbols against another encoder.
/// That readers decode what it draws is checked with zbarimg by scripts/qr-check.sh.
@Suite("QR codes, against the tables of ISO/IEC 18004 and another encoder")
struct QRCodeTests {
    // MARK: Capacity

    @Test func theSmallestVersionThatHoldsTheTextIsChosen() {
        // Byte-mode capacities of ISO/IEC 18004 table 7: M holds 14 bytes in version 1, 26 in 2, ...
        let cases: [(bytes: Int, correction: QRCode.ErrorCorrection, version: Int)] = [
            (1, .m, 1), (14, .m, 1), (15, .m, 2), (17, .m, 2), (26, .m, 2), (27, .m, 3), (62, .m, 4),
            (84, .m, 5), (85, .m, 6), (122, .m, 7), (180, .m, 9), (181, .m, 10), (213, .m, 10), (214, .m, 11),
            (2331, .m, 40),
            (11, .q, 1), (12, .q, 2), (46, .q, 4), (86, .q, 7), (151, .q, 10), (152, .q, 11), (1663, .q, 40),
        ]
        for (bytes, correction, version) in cases {
            let text = [UInt8](repeating: UInt8(ascii: "a"), count: bytes)
            #expect(QRCode.smallestVersion(for: text, correction) == version, "\(bytes) at \(correction)")
        }
    }

    @Test func aLinkOfTwoHundredCharactersFits() throws {
        let link = Array(("https://vertrouwd.example.nl/o/" + String(repeating: "k", count: 169)).utf8)
        #expect(link.count == 200)
        #expect(QRCode.smallestVersion(for: link, .m) == 10)
        #expect(QRCode.smallestVersion(for: link, .q) == 12)
    }

    @Test func textBeyondVersionFortyIsRefused() {
        #expect(throws: QRCode.Error.tooLong) { try QRCode(text: String(repeating: "a", count: 2332)) }
        #expect(throws: QRCode.Error.tooLong) { try QRCode(text: String(repeating: "a", count: 1664), correction: .q) }
    }

    @Test func theSizeFollowsTheVersion() throws {
        for (bytes, version) in [(1, 1), (17, 2), (120, 7)] {
            let code = try QRCode(text: String(repeating: "a", count: bytes))
            #expect(code.version == version)
            #expect(code.size == 17 + 4 * version)
        }
    }

    // MARK: Codewords

    @Test func aSCIITextIsPlainByteMode() {
        // 0100 (byte mode), 00000001 (one byte), 01000001 ("A"), 0000 (terminator), then the pad codewords.
        let data = QRCode.dataCodewords(Array("A".utf8), version: 1, .m)
        #expect(data == [0x40, 0x14, 0x10,
                              0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC])
    }

    @Test func textBeyondASCIIIsMarkedAsUTF8() {
        // 0111 00011010 (ECI 26, UTF-8), 0100 00000010 (two bytes), C3 A9 ("é"), terminator and padding.
        let data = QRCode.dataCodewords(Array("é".utf8), version: 1, .m)
        #expect(Array(data.prefix(8)) == [0x71, 0xA4, 0x02, 0xC3, 0xA9, 0x00, 0xEC, 0x11])
        #expect(data.count == 16)
    }

    @Test func reedSolomonGivesTheCodewordsOfTheStandardsWorkedExample() {
        // ISO/IEC 18004 annex I: "01234567" in a version 1-M symbol.
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80,
                             0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        let ecc = QRCode.ReedSolomon.remainder(of: data[...], generator: QRCode.ReedSolomon.generator(degree: 10))
        #expect(ecc == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    // MARK: Function patterns

    @Test func finderPatternsSitInThreeCornersWithLightSeparators() throws {
        let code = try QRCode(text: "https://vertrouwd.example.nl/o/de-linde")
        let last = code.size - 1
        for (left, top) in [(0, 0), (last - 6, 0), (0, last - 6)] {
            for dy in -1...7 {
                for dx in -1...7 where (0...last).contains(left + dx) && (0...last).contains(top + dy) {
                    // Rings around the centre: 0 and 1 the dark 3 × 3 core, 2 light, 3 dark, 4 the separator.
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    #expect(code.isDark(x: left + dx, y: top + dy) == (ring < 2 || ring == 3), "finder at (\(left), \(top)), module (\(dx), \(dy))")
                }
            }
        }
    }

    @Test func timingPatternsAlternateBetweenTheFinders() throws {
        let code = try QRCode(text: "https://vertrouwd.example.nl/o/de-linde")
        for index in 8...(code.size - 9) {
            #expect(code.isDark(x: index, y: 6) == (index % 2 == 0), "row 6, column \(index)")
            #expect(code.isDark(x: 6, y: index) == (index % 2 == 0), "column 6, row \(index)")
        }
    }

    @Test func alignmentPatternsSitWhereTheTableSays() throws {
        let code = try QRCode(text: String(repeating: "a", count: 120))  // version 7: centres 6, 22 and 38
        #expect(code.version == 7)
        for (x, y) in [(22, 6), (6, 22), (22, 22), (38, 22), (22, 38), (38, 38)] {
            for dy in -2...2 {
                for dx in -2...2 {
                    let expected = max(abs(dx), abs(dy)) != 1  // dark centre and edge, light ring between
                    #expect(code.isDark(x: x + dx, y: y + dy) == expected, "alignment at (\(x), \(y))")
                }
            }
        }
    }

    @Test func theFormatInformationNamesTheLevelAndTheChosenMask() throws {
        // ISO/IEC 18004 table C.1: the 15 bits (already XORed with 101010000010010), by mask 0...7.
        let table: [QRCode.ErrorCorrection: [String]] = [
            .m: ["101010000010010", "101000100100101", "101111001111100", "101101101001011",
                 "100010111111001", "100000011001110", "100111110010111", "100101010100000"],
            .q: ["011010101011111", "011000001101000", "011111100110001", "011101000000110",
                 "010010010110100", "010000110000011", "010111011011010", "010101111101101"],
        ]
        for correction in [QRCode.ErrorCorrection.m, .q] {
            let code = try QRCode(text: "https://vertrouwd.example.nl/o/de-linde", correction: correction)
            let s = code.size
            // Most significant bit first: along row 8 and up column 8 by the top-left finder; up
            // column 8 by the bottom-left finder, then along row 8 by the top-right one.
            let first = [(0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (7, 8), (8, 8),
                         (8, 7), (8, 5), (8, 4), (8, 3), (8, 2), (8, 1), (8, 0)]
            let second = (0..<7).map { (8, s - 1 - $0) } + (7..<15).map { (s - 15 + $0, 8) }
            #expect(bits(of: code, at: first) == table[correction]![code.mask], "\(correction)")
            #expect(bits(of: code, at: second) == table[correction]![code.mask], "\(correction)")
            #expect(code.isDark(x: 8, y: s - 8), "the module that is always dark")
        }
    }

    @Test func versionInformationIsWrittenTwiceFromVersionSeven() throws {
        let code = try QRCode(text: String(repeating: "a", count: 120))
        #expect(code.version == 7)
        // ISO/IEC 18004 table D.1: version 7 is 000111110010010100; bit 0 first, three to a row.
        let topRight = (0..<18).reversed().map { (code.size - 11 + $0 % 3, $0 / 3) }
        let bottomLeft = topRight.map { ($0.1, $0.0) }
        #expect(bits(of: code, at: topRight) == "000111110010010100")
        #expect(bits(of: code, at: bottomLeft) == "000111110010010100")
    }

    // MARK: Whole symbols

    /// Made by segno 1.6.6 (Python), which picks the same masks. The texts fill their symbols: segno
    /// puts a zero byte before the pad codewords where ISO/IEC 18004 puts none, so only symbols
    /// without padding can match.
    @Test func wholeSymbolsMatchAnotherEncoder() throws {
        let cases: [(text: String, correction: QRCode.ErrorCorrection, rows: String)] = [
            ("https://vt.nl/", .m, """
            #######.####..#######
            #.....#.###.#.#.....#
            #.###.#..#.##.#.###.#
            #.###.#.###...#.###.#
            #.###.#..#.#..#.###.#
            #.....#..##...#.....#
            #######.#.#.#.#######
            ........###.#........
            #.##.###..###.#..#.##
            ..#..#...#...########
            #.#...#.#..#.#...#.##
            .####..###.....#.#.#.
            #.#####.####.##.##..#
            ........#..####.#....
            #######.#.##.##.#....
            #.....#.#....#.####.#
            #.###.#...#.##..#.##.
            #.###.#.##..#..#...#.
            #.###.#.#..##..#..#..
            #.....#....##.###...#
            #######.#.#####.###..
            """),
            ("https://vt.nl/o/zorg", .q, """
            #######....##.#...#######
            #.....#.#...#.....#.....#
            #.###.#....#.##.#.#.###.#
            #.###.#.#..###.#..#.###.#
            #.###.#.##......#.#.###.#
            #.....#...#.##....#.....#
            #######.#.#.#.#.#.#######
            ........###..####........
            .#.####.###.#.#.###.##.#.
            ..#....#.#..#.####.#####.
            ...#.##.####.#.##.#..#..#
            ##.###.#.#..#.##.###.####
            .##..###...####.###.....#
            ###.##.......####...#..#.
            ##..#.#.#...####.#..#####
            #.##...##.#....#...#.##.#
            #..#.###.##.#.#.#####.##.
            ........###.##..#...#.##.
            #######..###..#.#.#.#...#
            #.....#.#.###...#...#...#
            #.###.#.##..#.#######..##
            #.###.#.#.#.##..###....##
            #.###.#...#.#.#.##..#####
            #.....#.#....#.....##.###
            #######...##....##...#..#
            """),
            ("https://vertrouwd.example.nl/o/kerk-" + String(repeating: "x", count: 86), .m, """
            #######..#..#...##.##....##.####....#.#######
            #.....#.##...#...###.#....###.#.##.#..#.....#
            #.###.#......##.#.#..##.#..#...#...#..#.###.#
            #.###.#..#.#..##...##.#.##...#.....##.#.###.#
            #.###.#.###.##...#..#######.###.#####.#.###.#
            #.....#..#.#.##..####...#.###.###.....#.....#
            #######.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#######
            .........#..#.#..#.##...###.###.#..##........
            #.#.#.#..#.#.###.##.#####.###.###..#....#..#.
            #..#.#.#..#..#.#..#.###.#......#.....#..###.#
            .####.###.....####.#..###..###......##..##.##
            .........###.#..#.#....#.##.###.#####.#.#..#.
            ##########.########.##....###.###.##.####....
            ###.#..##.#.#.#########.#..#...#.......#.##.#
            .#.##.###...##..#..#..####...#...#..##....###
            ##.##....##.##.###.....#.##.#..########.#..#.
            .#....#...#.....###.##....#######.##..####...
            .#.#...#.#.#..###.###...#..#...##......#.##.#
            .#..####..######...#.#####...#..##.#.#....###
            ###..#.##.#.##..##...#.#.##.###.###.#####..#.
            .#..#####.#..##..##.#####.###.###.########...
            #.###...#.##.#.##.###...#..#...#....#...#..##
            ..#.#.#.##....###...#.#.##...#...#.##.#.#.###
            ...##...#..#..#.##..#...##.####.#..##...#...#
            ...######.#####.#.#.#########.#####.######.#.
            .#...#..#..##....#..#####..##..#...#.#.#...##
            .##.####..##.##.###.#......#.#...#.#.###.####
            #.#..#..#.##..#.#...##...##.###.###.#.###..##
            #######...#...##...#.##.#.###.###.#.#..#.#...
            ##.#.#.###......##..#.##...#...#...#.##..##.#
            #.....#####...#.###.#..#.#...#...#.#..#.#.###
            ..#.##.###.#.....###.#...##.#...###.####...#.
            #.....##.#.........#.##.#.####.##.#.#..#.#...
            .###.....##.#.####..#.###..#...#...#.#...##.#
            ....#.#..#.##.#####.#..#.#.....###.####.#.###
            .####..###..####.#.#.#...##.###.###...###..#.
            #..##.#.#.....###.#######.###.###.#.######...
            ........###.##.#..#.#...#..#...#....#...#..##
            #######..####...##.##.#.##...#...#.##.#.#.#.#
            #.....#..###....#.#.#...#.#####.##..#...#...#
            #.###.#.#..#..##.##.#######.#.###..#######.#.
            #.###.#......#..##.#...#...#...#....###.##..#
            #.###.#.##.....#..#..#...#.###...#.##.###..##
            #.....#..#..##...####.#.###.###.####...#...#.
            #######.#.#.#...#.###..##.###.###.#..#.....##
            """),
        ]
        for (text, correction, rows) in cases {
            let code = try QRCode(text: text, correction: correction)
            let drawn = (0..<code.size).map { y in
                String((0..<code.size).map { x in code.isDark(x: x, y: y) ? "#" : "." })
            }
            #expect(drawn == rows.split(separator: "\n").map(String.init), "\(text)")
        }
    }

    @Test func eachMaskIsDrawnAsAnotherEncoderDrawsIt() throws {
        // segno 1.6.6 with the mask forced: rows top to bottom, the leftmost module the highest bit.
        let rowsByMask: [[Int]] = [
            [0x1FC27F, 0x105541, 0x174A5D, 0x174F5D, 0x175D5D, 0x104241, 0x1FD57F,
             0x000500, 0x154612, 0x1C2B71, 0x05D597, 0x0CB612, 0x10C2A8, 0x001B33,
             0x1FC717, 0x104333, 0x17528A, 0x17471A, 0x175F55, 0x104B92, 0x1FD61B],
            [0x1FD87F, 0x104F41, 0x17505D, 0x17455D, 0x17475D, 0x105841, 0x1FD57F,
             0x000F00, 0x146C25, 0x1681DB, 0x0F7F3D, 0x061CB8, 0x1A6802, 0x001199,
             0x1FDDBD, 0x104999, 0x174820, 0x174DB0, 0x1755FF, 0x104138, 0x1FDCB1],
            [0x1FCE7F, 0x104641, 0x17565D, 0x175C5D, 0x17515D, 0x105141, 0x1FD57F,
             0x001600, 0x17CA7C, 0x0488FF, 0x02C9E6, 0x14159C, 0x17DED9, 0x0018BD,
             0x1FCB66, 0x1050BD, 0x175EFB, 0x175494, 0x175324, 0x10481C, 0x1FDA6A],
            [0x1FDE7F, 0x105D41, 0x174B5D, 0x175C5D, 0x174A5D, 0x104C41, 0x1FD57F,
             0x001D00, 0x16E74B, 0x0488FF, 0x14528B, 0x0F382A, 0x17DED9, 0x0013D0,
             0x1FD6D0, 0x1050BD, 0x174596, 0x175922, 0x175324, 0x104371, 0x1FD7DC],
            [0x1FD67F, 0x104E41, 0x17415D, 0x175B5D, 0x17595D, 0x105941, 0x1FD57F,
             0x001100, 0x1172F9, 0x0AB01C, 0x134EFA, 0x059280, 0x19E63A, 0x00105E,
             0x1FDC7A, 0x1047A1, 0x175618, 0x174C77, 0x174438, 0x104F00, 0x1FD289],
            [0x1FC87F, 0x105E41, 0x17565D, 0x17505D, 0x17415D, 0x104941, 0x1FD57F,
             0x001E00, 0x105ACE, 0x03948E, 0x02C9E6, 0x161DBC, 0x1A6802, 0x00109D,
             0x1FCB66, 0x104CCC, 0x174EFB, 0x174CB4, 0x1745FF, 0x10403C, 0x1FDA6A],
            [0x1FD87F, 0x105E41, 0x17525D, 0x17405D, 0x17535D, 0x104F41, 0x1FD57F,
             0x000E00, 0x13FE97, 0x03948E, 0x065BAF, 0x179BA4, 0x1A6802, 0x00105E,
             0x1FDFF4, 0x105CCC, 0x175CB2, 0x175AAC, 0x1745FF, 0x1040FF, 0x1FDEF8],
            [0x1FC27F, 0x104141, 0x17485D, 0x174F5D, 0x17495D, 0x105041, 0x1FD57F,
             0x000100, 0x12D4A0, 0x1C2B71, 0x0CF105, 0x08245B, 0x10C2A8, 0x001FA1,
             0x1FC55E, 0x105333, 0x174618, 0x175553, 0x174F55, 0x104F00, 0x1FD452],
        ]
        for (mask, rows) in rowsByMask.enumerated() {
            let code = try QRCode(text: "https://vt.nl/", correction: .m, mask: mask)
            let drawn = (0..<code.size).map { y in
                (0..<code.size).reduce(0) { row, x in row << 1 | (code.isDark(x: x, y: y) ? 1 : 0) }
            }
            #expect(drawn == rows, "mask \(mask)")
        }
    }

    @Test func thePenaltyScoresAsAnotherEncoderScores() throws {
        // segno 1.6.6's score (its mask_scores, N1 + N2 + N3 + N4) of the symbols above.
        for (mask, score) in [1046, 1053, 1107, 1040, 1043, 1108, 1158, 1040].enumerated() {
            let code = try QRCode(text: "https://vt.nl/", correction: .m, mask: mask)
            #expect(QRCode.penalty(modules(of: code), size: code.size) == score, "mask \(mask)")
        }
        let version7 = try QRCode(text: "https://vertrouwd.example.nl/o/kerk-" + String(repeating: "x", count: 86))
        #expect(QRCode.penalty(modules(of: version7), size: version7.size) == 1821)
        // Counted by hand. Blank: 42 runs of 21 (19 points each), 400 blocks of 2 × 2 (3 each) and
        // 0 % dark (10 steps of 5 % from half, 10 each).
        #expect(QRCode.penalty(Array(repeating: false, count: 21 * 21), size: 21) == 42 * 19 + 400 * 3 + 100)
        // A checkerboard: no runs, blocks or finder-like patterns, and 221 of 441 dark.
        #expect(QRCode.penalty((0..<(21 * 21)).map { ($0 / 21 + $0 % 21) % 2 == 0 }, size: 21) == 0)
    }

    // MARK: Rendering

    @Test func theSVGHasAnEscapedTitleAQuietZoneAndOnePath() throws {
        let code = try QRCode(text: "https://vt.nl/")  // version 1: 21 modules and 2 × 4 of quiet zone
        let svg = code.svg(title: "Meld \"hier\" <veilig> & snel", size: "40mm")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 29 29\""))
        #expect(svg.contains("<title>Meld &quot;hier&quot; &lt;veilig&gt; &amp; snel</title>"))
        #expect(svg.contains("width=\"40mm\" height=\"40mm\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(svg.contains("d=\"M4 4h7v1h-7z"), "the top row starts with the finder's seven dark modules")
        let openingTag = code.svg(title: "QR").prefix { $0 != ">" }
        #expect(!openingTag.contains("width"), "without a size, the page sets it")
    }

    @Test func thePBMIsBinaryWithAQuietZone() throws {
        let code = try QRCode(text: "https://vt.nl/")
        let pbm = code.pbm(scale: 4)
        let header = Data("P4\n116 116\n".utf8)  // (21 + 2 × 4) × 4 pixels
        #expect(pbm.prefix(header.count) == header)
        let bytesPerRow = 15
        #expect(pbm.count == header.count + 116 * bytesPerRow)
        let pixels = Array(pbm.dropFirst(header.count))
        #expect(pixels.prefix(16 * bytesPerRow).allSatisfy { $0 == 0 }, "the quiet zone is white")
        // Row 16 is the finder's top edge: pixels 16...43 black, the separator at 44...47 white.
        let row16 = Array(pixels[(16 * bytesPerRow)..<(17 * bytesPerRow)])
        #expect(Array(row16.prefix(6)) == [0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xF0])
    }

    private func modules(of code: QRCode) -> [Bool] {
        (0..<code.size).flatMap { y in (0..<code.size).map { x in code.isDark(x: x, y: y) } }
    }

    private func bits(of code: QRCode, at positions: [(Int, Int)]) -> String {
        String(positions.map { code.isDark(x: $0.0, y: $0.1) ? "1" : "0" })
    }
}
