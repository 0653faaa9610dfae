/// Decompresses zlib data (RFC 1950 around RFC 1951 deflate), as PDF's FlateDecode
/// filter stores it, so that `FileInspection` can read what a PDF compresses. Written by
/// hand after zlib's `puff.c`: Foundation on Linux has no decompression API, and no
/// package in use exposes one. Output stops at `limit` bytes, so a small upload cannot
/// expand into gigabytes.
enum Inflate {
    enum Failure: Error, Equatable {
        /// Not zlib data, or damaged, or cut short.
        case corrupt
        /// More than `limit` bytes would come out.
        case tooLarge
    }

    /// The decompressed bytes and how many input bytes the zlib stream took (its
    /// Adler-32 trailer included when present).
    struct Result {
        var bytes: [UInt8]
        var consumed: Int
    }

    static func zlib(_ input: ArraySlice<UInt8>, limit: Int) throws(Failure) -> Result {
        let bytes = Array(input)
        guard bytes.count >= 2 else { throw .corrupt }
        let cmf = Int(bytes[0]), flg = Int(bytes[1])
        // Method 8 (deflate), window ≤ 32 KiB, header check, no preset dictionary.
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (cmf << 8 | flg) % 31 == 0, flg & 0x20 == 0 else { throw .corrupt }
        var decoder = Decoder(input: bytes, position: 2, limit: limit)
        try decoder.run()
        return Result(bytes: decoder.output, consumed: min(bytes.count, decoder.position + 4))
    }

    /// Canonical Huffman code: how many codes of each length, and the symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        init(lengths: ArraySlice<Int>) throws(Failure) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for length in lengths { counts[length] += 1 }
            var left = 1
            for length in 1..<16 {
                left = (left << 1) - counts[length]
                if left < 0 { throw .corrupt }  // over-subscribed
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                               4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static let fixed: (literals: Huffman, distances: Huffman) = {
        var lengths = [Int](repeating: 8, count: 288)
        for symbol in 144..<256 { lengths[symbol] = 9 }
        for symbol in 256..<280 { lengths[symbol] = 7 }
        // The fixed tables are complete codes; construction cannot fail.
        return (try! Huffman(lengths: lengths[...]), try! Huffman(lengths: [Int](repeating: 5, count: 30)[...]))
    }()

    struct Decoder {
        let input: [UInt8]
        var position: Int
        let limit: Int
        var output: [UInt8] = []
        var bitBuffer = 0
        var bitCount = 0

        init(input: [UInt8], position: Int, limit: Int) {
            self.input = input
            self.position = position
            self.limit = limit
        }

        mutating func bits(_ need: Int) throws(Failure) -> Int {
            var value = bitBuffer
            while bitCount < need {
                guard position < input.count else { throw .corrupt }
                value |= Int(input[position]) << bitCount
                position += 1
                bitCount += 8
            }
            bitBuffer = value >> need
            bitCount -= need
            return value & ((1 << need) - 1)
        }

        mutating func decode(_ h: Huffman) throws(Failure) -> Int {
            var code = 0, first = 0, index = 0
            for length in 1..<16 {
                code |= try bits(1)
                let count = h.counts[length]
                if code - count < first { return h.symbols[index + code - first] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw .corrupt
        }

        mutating func run() throws(Failure) {
            var last = 0
            repeat {
                last = try bits(1)
                switch try bits(2) {
                case 0: try stored()
                case 1: try codes(Inflate.fixed.literals, Inflate.fixed.distances)
                case 2: try dynamic()
                default: throw .corrupt
                }
            } while last == 0
        }

        mutating func stored() throws(Failure) {
            bitBuffer = 0
            bitCount = 0
            guard position + 4 <= input.count else { throw .corrupt }
            let length = Int(input[position]) | Int(input[position + 1]) << 8
            let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
            guard length == ~complement & 0xFFFF else { throw .corrupt }
            position += 4
            guard position + length <= input.count else { throw .corrupt }
            guard output.count + length <= limit else { throw .tooLarge }
            output.append(contentsOf: input[position..<(position + length)])
            position += length
        }

        mutating func dynamic() throws(Failure) {
            let literalCount = try bits(5) + 257
            let distanceCount = try bits(5) + 1
            let codeLengthCount = try bits(4) + 4
            guard literalCount <= 286, distanceCount <= 30 else { throw .corrupt }
            var lengths = [Int](repeating: 0, count: 19)
            for index in 0..<codeLengthCount { lengths[Inflate.codeLengthOrder[index]] = try bits(3) }
            let codeLengths = try Huffman(lengths: lengths[...])
            lengths = []
            while lengths.count < literalCount + distanceCount {
                let symbol = try decode(codeLengths)
                switch symbol {
                case 0..<16: lengths.append(symbol)
                case 16:
                    guard let previous = lengths.last else { throw .corrupt }
                    lengths += repeatElement(previous, count: 3 + (try bits(2)))
                case 17: lengths += repeatElement(0, count: 3 + (try bits(3)))
                default: lengths += repeatElement(0, count: 11 + (try bits(7)))
                }
            }
            guard lengths.count == literalCount + distanceCount, lengths[256] != 0 else { throw .corrupt }
            try codes(Huffman(lengths: lengths[..<literalCount]), Huffman(lengths: lengths[literalCount...]))
        }

        mutating func codes(_ literals: Huffman, _ distances: Huffman) throws(Failure) {
            while true {
                var symbol = try decode(literals)
                if symbol < 256 {
                    guard output.count < limit else { throw .tooLarge }
                    output.append(UInt8(symbol))
                    continue
                }
                if symbol == 256 { return }
                symbol -= 257
                guard symbol < 29 else { throw .corrupt }
                let length = Inflate.lengthBase[symbol] + (try bits(Inflate.lengthExtra[symbol]))
                let distanceSymbol = try decode(distances)
                guard distanceSymbol < 30 else { throw .corrupt }
                let distance = Inflate.distanceBase[distanceSymbol] + (try bits(Inflate.distanceExtra[distanceSymbol]))
                guard distance <= output.count else { throw .corrupt }
                guard output.count + length <= limit else { throw .tooLarge }
                let start = output.count - distance
                if distance >= length {
                    // Copied out first: appending a slice of `output` to itself would copy all of it.
                    let copy = Array(output[start..<(start + length)])
                    output.append(contentsOf: copy)
                } else {
                    for index in 0..<length { output.append(output[start + index]) }
                }
            }
        }
    }
}
