import Foundation

/// A QR code (ISO/IEC 18004, model 2) for a short text, such as the link to an organisation's
/// reporting page on a printed poster.
///
/// The text goes in as its UTF-8 bytes in byte mode. Text beyond ASCII is preceded by an ECI
/// designator for UTF-8: without one, byte mode means ISO 8859-1 and readers guess (zbar reads
/// "ë" as Shift JIS). ASCII text, such as our links, goes without, as every reader expects.
/// The smallest version (1...40) that holds the bytes is chosen, then of the eight masks the one
/// with the lowest penalty score (ISO/IEC 18004 §7.8.3), scored on the symbol as printed, format
/// and version information included (as zxing does): the same text always gives the same symbol.
public struct QRCode: Sendable {
    /// How much damage the symbol survives: M restores about 15 % of the codewords, Q about 25 %.
    public enum ErrorCorrection: Sendable { case m, q }

    /// Why a text cannot be encoded.
    public enum Error: Swift.Error, Equatable {
        /// The text's UTF-8 bytes do not fit even a version-40 symbol at the requested level.
        case tooLong
    }

    /// The symbol version, 1...40.
    public let version: Int
    /// Modules per side, the quiet zone not included: `17 + 4 × version`.
    public let size: Int
    /// The mask pattern (0...7) chosen by the penalty rules; it is also in the format information.
    let mask: Int
    /// Dark modules, row by row.
    private let modules: [Bool]

    /// Encodes `text`, or throws `Error.tooLong` when it does not fit a version-40 symbol.
    public init(text: String, correction: ErrorCorrection = .m) throws {
        try self.init(text: text, correction: correction, mask: nil)
    }

    /// `mask` forces a mask pattern instead of the one with the lowest penalty, to compare with
    /// other encoders in tests.
    init(text: String, correction: ErrorCorrection, mask forcedMask: Int?) throws {
        let bytes = Array(text.utf8)
        guard let version = Self.smallestVersion(for: bytes, correction) else { throw Error.tooLong }

        let data = Self.dataCodewords(bytes, version: version, correction)
        var canvas = Canvas(version: version)
        canvas.place(Self.withErrorCorrection(data, version: version, correction))

        let candidates = (0..<8).map { mask in
            var masked = canvas
            masked.apply(mask: mask)
            masked.drawFormat(correction, mask: mask)
            return masked
        }
        let scores = candidates.map { Self.penalty($0.dark, size: $0.size) }
        let best = forcedMask ?? scores.indices.min { scores[$0] < scores[$1] }!  // on a tie, the lower mask
        self.version = version
        self.size = canvas.size
        self.mask = best
        self.modules = candidates[best].dark
    }

    /// Whether the module in column `x`, row `y` is dark; (0, 0) is the top left. Modules outside
    /// the symbol (the quiet zone) are light.
    public func isDark(x: Int, y: Int) -> Bool {
        (0..<size).contains(x) && (0..<size).contains(y) && modules[y * size + x]
    }
}

// MARK: - Capacity and codewords

extension QRCode {
    /// The smallest version whose data capacity holds `bytes`, or nil when none does.
    static func smallestVersion(for bytes: [UInt8], _ correction: ErrorCorrection) -> Int? {
        (1...40).first { bitsNeeded(bytes, version: $0) <= dataCodewordCount(version: $0, correction) * 8 }
    }

    /// The bit stream's length: the UTF-8 designator if needed, then the mode indicator,
    /// character count and bytes.
    static func bitsNeeded(_ bytes: [UInt8], version: Int) -> Int {
        (needsUTF8Designator(bytes) ? 12 : 0) + 4 + countIndicatorBits(version: version) + 8 * bytes.count
    }

    static func needsUTF8Designator(_ bytes: [UInt8]) -> Bool { bytes.contains { $0 >= 0x80 } }

    /// The character count indicator in byte mode is 8 bits up to version 9, 16 bits from 10.
    static func countIndicatorBits(version: Int) -> Int { version < 10 ? 8 : 16 }

    /// Modules left for codewords (data and error correction) once the function patterns and the
    /// format and version information are drawn; some versions leave a few remainder bits.
    static func rawDataModules(version: Int) -> Int {
        let side = 17 + 4 * version
        var modules = side * side - 3 * 64 - 2 * (side - 16) - 31  // finders, timing, format
        if version >= 2 {
            let perSide = version / 7 + 2
            let alignments = perSide * perSide - 3
            modules -= 25 * alignments - 10 * (perSide - 2)  // those on the timing lines overlap them
        }
        if version >= 7 { modules -= 36 }  // two 6 × 3 blocks of version information
        return modules
    }

    static func dataCodewordCount(version: Int, _ correction: ErrorCorrection) -> Int {
        let blocks = correction.blocks(version: version)
        return rawDataModules(version: version) / 8 - blocks.count * blocks.eccPerBlock
    }

    /// ECI 26 (UTF-8) when needed, mode indicator, count, the bytes, a terminator of up to four zero
    /// bits, zero bits to the next byte, then the pad codewords 0xEC and 0x11 in turn until full.
    static func dataCodewords(_ bytes: [UInt8], version: Int, _ correction: ErrorCorrection) -> [UInt8] {
        let capacity = dataCodewordCount(version: version, correction)
        var bits = BitBuffer()
        if needsUTF8Designator(bytes) {
            bits.append(0b0111, count: 4)
            bits.append(26, count: 8)
        }
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: countIndicatorBits(version: version))
        for byte in bytes { bits.append(Int(byte), count: 8) }
        bits.append(0, count: min(4, capacity * 8 - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var codewords = bits.bytes
        for pad in 0..<(capacity - codewords.count) { codewords.append(pad % 2 == 0 ? 0xEC : 0x11) }
        return codewords
    }

    /// Splits the data into blocks (the last ones one codeword longer when it does not divide
    /// evenly), appends each block's Reed–Solomon codewords and interleaves them: first codeword of
    /// every block, then the second, ..., then the error-correction codewords the same way.
    static func withErrorCorrection(_ data: [UInt8], version: Int, _ correction: ErrorCorrection) -> [UInt8] {
        let (eccPerBlock, blockCount) = correction.blocks(version: version)
        let total = rawDataModules(version: version) / 8
        let shortBlocks = blockCount - total % blockCount
        let shortDataLength = total / blockCount - eccPerBlock
        let generator = ReedSolomon.generator(degree: eccPerBlock)

        var dataBlocks: [ArraySlice<UInt8>] = []
        var eccBlocks: [[UInt8]] = []
        var start = data.startIndex
        for block in 0..<blockCount {
            let length = shortDataLength + (block < shortBlocks ? 0 : 1)
            dataBlocks.append(data[start..<start + length])
            eccBlocks.append(ReedSolomon.remainder(of: dataBlocks[block], generator: generator))
            start += length
        }

        var result: [UInt8] = []
        for index in 0...shortDataLength {
            for block in dataBlocks where index < block.count { result.append(block[block.startIndex + index]) }
        }
        for index in 0..<eccPerBlock {
            for block in eccBlocks { result.append(block[index]) }
        }
        return result
    }
}

extension QRCode.ErrorCorrection {
    /// The two level bits of the format information: M is 00, Q is 11.
    var formatBits: Int { self == .m ? 0b00 : 0b11 }

    /// Error-correction codewords per block and the number of blocks (ISO/IEC 18004 table 9).
    func blocks(version: Int) -> (eccPerBlock: Int, count: Int) {
        switch self {
        case .m: (Self.eccPerBlockM[version - 1], Self.blockCountM[version - 1])
        case .q: (Self.eccPerBlockQ[version - 1], Self.blockCountQ[version - 1])
        }
    }

    // Versions 1...40, left to right.
    private static let eccPerBlockM = [
        10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
        26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28
    ]
    private static let blockCountM = [
        1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
        17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49
    ]
    private static let eccPerBlockQ = [
        13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
        28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30
    ]
    private static let blockCountQ = [
        1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
        23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68
    ]
}

/// Bits appended most significant first, packed into bytes.
private struct BitBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ value: Int, count bits: Int) {
        for shift in stride(from: bits - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> shift) & 1 == 1 { bytes[count / 8] |= 0x80 >> UInt8(count % 8) }
            count += 1
        }
    }
}

extension QRCode {
    /// Reed–Solomon codes over GF(256) with the QR field polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D).
    enum ReedSolomon {
        /// The product of two field elements (shift-and-add, reducing by 0x11D on overflow).
        static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
            var product = 0
            for shift in stride(from: 7, through: 0, by: -1) {
                product = (product << 1) ^ ((product >> 7) * 0x11D)
                if (b >> shift) & 1 == 1 { product ^= Int(a) }
            }
            return UInt8(product)
        }

        /// The generator polynomial (x − α⁰)(x − α¹)…(x − α^(degree−1)) with α = 2, highest power
        /// first, its leading 1 left out.
        static func generator(degree: Int) -> [UInt8] {
            var coefficients = [UInt8](repeating: 0, count: degree)
            coefficients[degree - 1] = 1  // the polynomial 1
            var root: UInt8 = 1
            for _ in 0..<degree {  // multiply by (x − root); − is + in GF(2⁸)
                for index in 0..<degree {
                    coefficients[index] = multiply(coefficients[index], root)
                    if index + 1 < degree { coefficients[index] ^= coefficients[index + 1] }
                }
                root = multiply(root, 2)
            }
            return coefficients
        }

        /// The error-correction codewords: the remainder of data(x) · x^degree divided by the generator.
        static func remainder(of data: ArraySlice<UInt8>, generator: [UInt8]) -> [UInt8] {
            var remainder = [UInt8](repeating: 0, count: generator.count)
            for byte in data {
                let factor = byte ^ remainder.removeFirst()
                remainder.append(0)
                for index in remainder.indices { remainder[index] ^= multiply(generator[index], factor) }
            }
            return remainder
        }
    }
}

// MARK: - The module matrix

/// The symbol while it is drawn: which modules are dark, and which are *reserved* for function
/// patterns and format and version information, so that they take no data and no mask.
private struct Canvas {
    let size: Int
    var dark: [Bool]
    var reserved: [Bool]

    init(version: Int) {
        size = 17 + 4 * version
        dark = Array(repeating: false, count: size * size)
        reserved = dark
        for index in 0..<size {  // timing patterns; the finders cover their ends
            setFunction(x: 6, y: index, dark: index % 2 == 0)
            setFunction(x: index, y: 6, dark: index % 2 == 0)
        }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] { drawFinder(centreX: x, centreY: y) }
        let centres = Self.alignmentCentres(version: version)
        for x in centres {
            for y in centres {
                let onAFinder = (x == 6 && y == 6) || (x == 6 && y == size - 7) || (x == size - 7 && y == 6)
                if !onAFinder { drawAlignment(centreX: x, centreY: y) }
            }
        }
        drawFormat(.m, mask: 0)  // reserves the format areas; the real bits come after masking
        if version >= 7 { drawVersion(version) }
    }

    mutating func setFunction(x: Int, y: Int, dark isDark: Bool) {
        dark[y * size + x] = isDark
        reserved[y * size + x] = true
    }

    /// A 7 × 7 finder with its light separator, clipped at the symbol's edge.
    mutating func drawFinder(centreX: Int, centreY: Int) {
        for dy in -4...4 {
            for dx in -4...4 where (0..<size).contains(centreX + dx) && (0..<size).contains(centreY + dy) {
                let ring = max(abs(dx), abs(dy))
                setFunction(x: centreX + dx, y: centreY + dy, dark: ring != 2 && ring != 4)
            }
        }
    }

    mutating func drawAlignment(centreX: Int, centreY: Int) {
        for dy in -2...2 {
            for dx in -2...2 { setFunction(x: centreX + dx, y: centreY + dy, dark: max(abs(dx), abs(dy)) != 1) }
        }
    }

    /// Row and column coordinates of the alignment pattern centres (ISO/IEC 18004 table E.1): 6,
    /// then back from `size − 7` in equal even steps, the smallest that reach; the first gap takes
    /// what is left. Version 32 is the table's one exception, with steps of 26 rather than 22.
    static func alignmentCentres(version: Int) -> [Int] {
        guard version >= 2 else { return [] }
        let gaps = version / 7 + 1
        let last = 4 * version + 10
        let step = version == 32 ? 26 : 2 * ((last - 6 + 2 * gaps - 1) / (2 * gaps))
        return [6] + (0..<gaps).reversed().map { last - $0 * step }
    }

    /// 15 bits: the level and the mask, a BCH(15,5) code of them, XOR 101010000010010, written
    /// twice: around the top-left finder, and split between the other two finders.
    mutating func drawFormat(_ correction: QRCode.ErrorCorrection, mask: Int) {
        let bits = Self.formatInformation(correction, mask: mask)
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        // Most significant bit first: along row 8, then up column 8, stepping over the timing pattern.
        let aroundTopLeft = [
            (0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (7, 8), (8, 8),
            (8, 7), (8, 5), (8, 4), (8, 3), (8, 2), (8, 1), (8, 0)
        ]
        for (index, (x, y)) in aroundTopLeft.enumerated() { setFunction(x: x, y: y, dark: bit(14 - index)) }
        for index in 0..<7 { setFunction(x: 8, y: size - 1 - index, dark: bit(14 - index)) }  // up column 8
        for index in 7..<15 { setFunction(x: size - 15 + index, y: 8, dark: bit(14 - index)) }  // along row 8
        setFunction(x: 8, y: size - 8, dark: true)  // the module that is always dark
    }

    static func formatInformation(_ correction: QRCode.ErrorCorrection, mask: Int) -> Int {
        let data = correction.formatBits << 3 | mask
        return (data << 10 | bchRemainder(data << 10, generator: 0b101_0011_0111)) ^ 0b101_0100_0001_0010
    }

    /// 18 bits: the version and a BCH(18,6) code of it, in a 6 × 3 block beside the top-right
    /// finder and its mirror image beside the bottom-left finder; least significant bit first.
    mutating func drawVersion(_ version: Int) {
        let bits = version << 12 | Self.bchRemainder(version << 12, generator: 0b1_1111_0010_0101)
        for index in 0..<18 {
            let isDark = (bits >> index) & 1 == 1
            let (across, along) = (size - 11 + index % 3, index / 3)
            setFunction(x: across, y: along, dark: isDark)
            setFunction(x: along, y: across, dark: isDark)
        }
    }

    /// The remainder of a polynomial over GF(2) divided by `generator`, both as bit patterns.
    static func bchRemainder(_ value: Int, generator: Int) -> Int {
        func degree(_ polynomial: Int) -> Int { Int.bitWidth - polynomial.leadingZeroBitCount - 1 }
        var remainder = value
        while degree(remainder) >= degree(generator) {
            remainder ^= generator << (degree(remainder) - degree(generator))
        }
        return remainder
    }

    /// Writes the codewords most significant bit first in two-module columns from the bottom right,
    /// upwards and downwards in turn, skipping the vertical timing column and the reserved modules.
    /// Modules left over at the end (the remainder bits) stay light.
    mutating func place(_ codewords: [UInt8]) {
        var bitIndex = 0
        var right = size - 1
        var upwards = true
        while right > 0 {
            if right == 6 { right = 5 }
            for step in 0..<size {
                let y = upwards ? size - 1 - step : step
                for x in [right, right - 1] where !reserved[y * size + x] && bitIndex < codewords.count * 8 {
                    dark[y * size + x] = (codewords[bitIndex / 8] >> (7 - UInt8(bitIndex % 8))) & 1 == 1
                    bitIndex += 1
                }
            }
            right -= 2
            upwards.toggle()
        }
    }

    /// Inverts every unreserved module where the mask's condition holds (ISO/IEC 18004 table 10;
    /// `x` is the column, `y` the row).
    mutating func apply(mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !reserved[y * size + x] {
                let invert =
                    switch mask {
                    case 0: (x + y) % 2 == 0
                    case 1: y % 2 == 0
                    case 2: x % 3 == 0
                    case 3: (x + y) % 3 == 0
                    case 4: (x / 3 + y / 2) % 2 == 0
                    case 5: x * y % 2 + x * y % 3 == 0
                    case 6: (x * y % 2 + x * y % 3) % 2 == 0
                    default: ((x + y) % 2 + x * y % 3) % 2 == 0
                    }
                if invert { dark[y * size + x].toggle() }
            }
        }
    }
}

// MARK: - Choosing the mask

extension QRCode {
    /// The penalty score of ISO/IEC 18004 §7.8.3.1, lower is better: runs of five or more modules
    /// of one colour, 2 × 2 blocks of one colour, finder-like 1:1:3:1:1 patterns with four light
    /// modules before or after them, and how far the share of dark modules is from half.
    static func penalty(_ dark: [Bool], size: Int) -> Int {
        let rows = (0..<size).map { y in Array(dark[(y * size)..<((y + 1) * size)]) }
        let columns = (0..<size).map { x in (0..<size).map { y in dark[y * size + x] } }
        var score = 0
        for line in rows + columns {
            var run = 1
            for index in 1..<size {
                if line[index] == line[index - 1] { run += 1; continue }
                if run >= 5 { score += run - 2 }
                run = 1
            }
            if run >= 5 { score += run - 2 }
            // As segno counts them: the quiet zone beyond the edge is light, and a pattern that
            // counts is not counted again as part of one overlapping it (1011101|1101).
            var start = 0
            while start + 7 <= size {
                let counts =
                    line[start..<(start + 7)].elementsEqual(Self.finderLike)
                    && (!line[max(0, start - 4)..<start].contains(true)
                        || !line[(start + 7)..<min(size, start + 11)].contains(true))
                if counts { score += 40 }
                start += counts ? 7 : 1
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = dark[y * size + x]
                if dark[y * size + x + 1] == colour && dark[(y + 1) * size + x] == colour
                    && dark[(y + 1) * size + x + 1] == colour
                {
                    score += 3
                }
            }
        }
        let darkCount = dark.filter { $0 }.count
        score += 10 * (abs(darkCount * 20 - dark.count * 10) / dark.count)  // per 5 % away from 50 %
        return score
    }

    private static let finderLike = [true, false, true, true, true, false, true]
}

// MARK: - Rendering

extension QRCode {
    /// The quiet zone around the symbol, in modules (ISO/IEC 18004 §6.3.8).
    static let quietZone = 4

    /// An SVG drawing with a 4-module quiet zone on a white background, the dark modules as one
    /// `<path>` and the viewBox in modules. `title` becomes the `<title>` that screen readers
    /// announce; `size` (such as `"40mm"`) sets the width and height, or leaves them to the page.
    public func svg(title: String, size: String? = nil) -> String {
        let side = self.size + 2 * Self.quietZone
        var path = ""
        for y in 0..<self.size {
            var x = 0
            while x < self.size {  // one rectangle per horizontal run of dark modules
                guard isDark(x: x, y: y) else { x += 1; continue }
                let start = x
                while isDark(x: x, y: y) { x += 1 }
                path += "M\(start + Self.quietZone) \(y + Self.quietZone)h\(x - start)v1h-\(x - start)z"
            }
        }
        let dimensions = size.map { " width=\"\(Self.escaped($0))\" height=\"\(Self.escaped($0))\"" } ?? ""
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)"\(dimensions) \
            shape-rendering="crispEdges" role="img"><title>\(Self.escaped(title))</title>\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// A binary PBM image (P4) with a 4-module quiet zone, `scale` (≥ 1) pixels per module: a
    /// format that decoders such as zbarimg read without further tools.
    public func pbm(scale: Int = 4) -> Data {
        precondition(scale >= 1, "a module needs at least one pixel")
        let side = (size + 2 * Self.quietZone) * scale
        var image = Data("P4\n\(side) \(side)\n".utf8)
        let bytesPerRow = (side + 7) / 8
        for pixelY in 0..<side {
            var row = [UInt8](repeating: 0, count: bytesPerRow)
            for pixelX in 0..<side
            where isDark(x: pixelX / scale - Self.quietZone, y: pixelY / scale - Self.quietZone) {
                row[pixelX / 8] |= 0x80 >> UInt8(pixelX % 8)  // 1 is black in PBM
            }
            image.append(contentsOf: row)
        }
        return image
    }

    /// `text` as XML character data or attribute value; control characters, which XML 1.0 does
    /// not allow, are left out.
    private static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20: continue
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
