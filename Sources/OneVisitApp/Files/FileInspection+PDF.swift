import Foundation

/// PDF: refuses active content — scripts, actions that open files, places or links, data
/// submission, attachments — however it is spelled or packed. Names are compared after
/// their `#xx` escapes are undone (`/Java#53cript` is `/JavaScript`), compressed streams
/// are inflated before they are read, and what cannot be read with certainty is refused
/// rather than let through.
extension FileInspection {
    /// How much all of a PDF's inspected streams together may inflate to.
    static let maxInflatedPDF = 50 * 1024 * 1024

    /// Names that make a reader run code, act on opening or on an event, go to another
    /// file or address, send or fetch data, or carry files.
    static let activePDFNames: Set<String> = [
        "JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "OpenAction", "AA", "RichMedia",
        "SubmitForm", "ImportData", "GoToR", "GoToE", "URI", "XFA",
    ]

    static func pdfUnreadable() -> AppError {
        reject("file.pdf_unreadable", "PDF 文件结构无法检查（已损坏或使用了不支持的压缩方式），请用“另存为 PDF”重新生成后上传")
    }

    static func pdf(_ data: Data, inflateLimit: Int = maxInflatedPDF) throws {
        guard contains(data.suffix(1024), Array("%%EOF".utf8)) else {
            throw reject("file.pdf_truncated", "PDF 文件不完整（缺少文件结束标记），请重新生成后上传")
        }
        let bytes = [UInt8](data)
        let streams = try PDFStream.all(in: bytes)
        // Everything outside stream data is read for names, strings and comments included:
        // a reader that jumps to an object by its offset never sees what precedes it.
        var outside = 0
        for stream in streams {
            try checkPDFNames(bytes[outside..<stream.data.lowerBound])
            outside = stream.data.upperBound
        }
        try checkPDFNames(bytes[outside...])
        var budget = inflateLimit
        for stream in streams {
            try inspect(stream, in: bytes, budget: &budget)
        }
        // A PDF that is also a ZIP archive (a polyglot) carries the archive's directory
        // record near its end; random bytes match that 4-byte signature about once in 10⁵ files.
        if contains(data.suffix(65_557), [0x50, 0x4B, 0x05, 0x06]) {
            throw reject("file.polyglot", "文件同时含有其他格式的内容，不能上传")
        }
    }

    /// A stream is read as its filters decode it. Images and fonts are binary and are not
    /// inflated (a scanned document may expand to hundreds of MB), but may hide no object.
    static func inspect(_ stream: PDFStream, in bytes: [UInt8], budget: inout Int) throws {
        let raw = bytes[stream.data]
        if stream.isBinary {
            try requireNoObject(raw)
            return
        }
        guard let filters = stream.filters, filters.allSatisfy({ $0 == "FlateDecode" }) else { throw pdfUnreadable() }
        // A predictor reorders the inflated bytes; text streams do not use one.
        guard !stream.hasPredictor else { throw pdfUnreadable() }
        var content = Array(raw)
        for index in filters.indices {
            let result: Inflate.Result
            do {
                result = try Inflate.zlib(content[...], limit: budget)
            } catch .tooLarge {
                throw reject("file.pdf_bomb", "PDF 解压后内容过大（超过 \(maxInflatedPDF / 1024 / 1024) MB），疑似压缩炸弹，不能上传")
            } catch {
                throw pdfUnreadable()
            }
            if index == 0 { try checkPDFNames(content[result.consumed...]) }
            budget -= result.bytes.count
            content = result.bytes
        }
        try checkPDFNames(content[...])
    }

    /// Every `/Name` in `bytes`, escapes undone, against the active names.
    static func checkPDFNames(_ bytes: ArraySlice<UInt8>) throws {
        var index = bytes.startIndex
        while let slash = bytes[index...].firstIndex(of: UInt8(ascii: "/")) {
            var end = slash + 1
            while end < bytes.endIndex, PDFLexer.isRegular(bytes[end]) { end += 1 }
            let name = PDFLexer.name(bytes[(slash + 1)..<end])
            if activePDFNames.contains(name) {
                throw reject("file.active_content", "PDF 中含有脚本、链接动作、附件或自动执行内容（/\(name)），不能上传")
            }
            if name == "Encrypt" {
                throw reject("file.pdf_encrypted", "PDF 已加密，无法检查其内容，请去除密码保护后上传")
            }
            index = end
        }
    }

    /// Data that is not read must not hold an object header (`12 0 obj`): a reader that
    /// finds objects by offset would read an object hidden there.
    static func requireNoObject(_ bytes: ArraySlice<UInt8>) throws {
        let marker = Array("obj".utf8)
        var index = bytes.startIndex
        while let found = firstIndex(of: marker, in: bytes, from: index) {
            index = found + 3
            guard index == bytes.endIndex || !PDFLexer.isRegular(bytes[index]) else { continue }
            // Backwards: white space, a generation number, white space, an object number.
            var i = found - 1
            var isHeader = true
            for wantsDigits in [false, true, false, true] {
                let start = i
                while i >= bytes.startIndex, wantsDigits ? (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) : PDFLexer.isWhitespace(bytes[i]) {
                    i -= 1
                }
                if i == start {
                    isHeader = false
                    break
                }
            }
            if isHeader { throw pdfUnreadable() }
        }
    }

    static func firstIndex(of needle: [UInt8], in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start
        while index + needle.count <= bytes.endIndex {
            guard let first = bytes[index...].firstIndex(of: needle[0]), first + needle.count <= bytes.endIndex else { return nil }
            if bytes[first..<(first + needle.count)].elementsEqual(needle) { return first }
            index = first + 1
        }
        return nil
    }
}

/// The tokens of PDF's object syntax, enough to find dictionaries and streams.
struct PDFLexer {
    enum Token: Equatable {
        case name(String), word(String), dictionaryOpen, dictionaryClose, arrayOpen, arrayClose, string, other
    }

    let bytes: [UInt8]
    var position = 0
    /// Where the token `next()` returned last begins.
    var tokenStart = 0

    static func isWhitespace(_ b: UInt8) -> Bool { b == 0 || b == 9 || b == 10 || b == 12 || b == 13 || b == 32 }

    static func isRegular(_ b: UInt8) -> Bool {
        !isWhitespace(b) && !"()<>[]{}/%".utf8.contains(b)
    }

    /// A name's characters with `#xx` escapes decoded.
    static func name(_ raw: ArraySlice<UInt8>) -> String {
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var decoded: [UInt8] = []
        var i = raw.startIndex
        while i < raw.endIndex {
            if raw[i] == UInt8(ascii: "#"), i + 2 < raw.endIndex, let high = hex(raw[i + 1]), let low = hex(raw[i + 2]) {
                decoded.append(high << 4 | low)
                i += 3
            } else {
                decoded.append(raw[i])
                i += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    mutating func next() -> Token? {
        while position < bytes.count {
            let c = bytes[position]
            tokenStart = position
            if Self.isWhitespace(c) {
                position += 1
                continue
            }
            switch c {
            case UInt8(ascii: "%"):
                while position < bytes.count, bytes[position] != 10, bytes[position] != 13 { position += 1 }
                continue
            case UInt8(ascii: "("):
                var depth = 0
                repeat {
                    switch bytes[position] {
                    case UInt8(ascii: "\\"): position += 1
                    case UInt8(ascii: "("): depth += 1
                    case UInt8(ascii: ")"): depth -= 1
                    default: break
                    }
                    position += 1
                } while depth > 0 && position < bytes.count
                return .string
            case UInt8(ascii: "<"):
                if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "<") {
                    position += 2
                    return .dictionaryOpen
                }
                while position < bytes.count, bytes[position] != UInt8(ascii: ">") { position += 1 }
                position += 1
                return .string
            case UInt8(ascii: ">"):
                if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: ">") {
                    position += 2
                    return .dictionaryClose
                }
                position += 1
                return .other
            case UInt8(ascii: "["):
                position += 1
                return .arrayOpen
            case UInt8(ascii: "]"):
                position += 1
                return .arrayClose
            case UInt8(ascii: "/"):
                position += 1
                let start = position
                while position < bytes.count, Self.isRegular(bytes[position]) { position += 1 }
                return .name(Self.name(bytes[start..<position]))
            case _ where Self.isRegular(c):
                let start = position
                while position < bytes.count, Self.isRegular(bytes[position]) { position += 1 }
                return .word(String(decoding: bytes[start..<position], as: UTF8.self))
            default:
                position += 1
                return .other
            }
        }
        return nil
    }
}

/// A stream: its dictionary's tokens and where its data lies.
struct PDFStream {
    var dictionary: [PDFLexer.Token]
    var data: Range<Int>

    /// The stream dictionary's own entries (not those of dictionaries inside it): each
    /// key's value as tokens, `5 0 R` and `[/A /B]` whole.
    var entries: [String: [PDFLexer.Token]] {
        var result: [String: [PDFLexer.Token]] = [:]
        let end = dictionary.count - 1  // the closing `>>`
        var i = 1
        while i < end {
            guard case .name(let key) = dictionary[i] else {
                i += 1
                continue
            }
            i += 1
            var value: [PDFLexer.Token] = []
            if i < end {
                switch dictionary[i] {
                case .dictionaryOpen, .arrayOpen:
                    var depth = 0
                    repeat {
                        switch dictionary[i] {
                        case .dictionaryOpen, .arrayOpen: depth += 1
                        case .dictionaryClose, .arrayClose: depth -= 1
                        default: break
                        }
                        value.append(dictionary[i])
                        i += 1
                    } while depth > 0 && i < end
                case .word:
                    while i < end, case .word = dictionary[i] {
                        value.append(dictionary[i])
                        i += 1
                    }
                default:
                    value.append(dictionary[i])
                    i += 1
                }
            }
            result[key] = value
        }
        return result
    }

    /// The filter names in order, or nil when they are not written out (an indirect reference).
    var filters: [String]? {
        guard let value = entries["Filter"] else { return [] }
        var names: [String] = []
        for token in value {
            switch token {
            case .name(let name): names.append(name)
            case .arrayOpen, .arrayClose: continue
            default: return nil
            }
        }
        return names
    }

    var hasPredictor: Bool {
        guard let value = entries["DecodeParms"] else { return false }
        for (index, token) in value.enumerated() where token == .name("Predictor") {
            if index + 1 < value.count, case .word(let number) = value[index + 1], Int(number) == 1 { continue }
            return true
        }
        return false
    }

    /// Images and embedded font programs, which are never object syntax. An object stream
    /// (one with `/N` or `/First`) is always read, whatever else it claims to be.
    var isBinary: Bool {
        let entries = entries
        if entries["N"] != nil || entries["First"] != nil || entries["Type"] == [.name("ObjStm")] { return false }
        let binarySubtypes: Set<String> = ["Image", "Type1C", "CIDFontType0C", "OpenType"]
        if case .name(let subtype)? = entries["Subtype"]?.first, binarySubtypes.contains(subtype) { return true }
        return entries["Length1"] != nil || entries["Length2"] != nil || entries["Length3"] != nil || entries["Type"] == [.name("XRef")]
    }

    /// Every stream of the file, in order. A `stream` keyword the syntax does not explain
    /// (inside a string, after no dictionary) makes the file unreadable: a reader might
    /// see a stream there and hide what it holds.
    static func all(in bytes: [UInt8]) throws -> [PDFStream] {
        var lexer = PDFLexer(bytes: bytes)
        var streams: [PDFStream] = []
        var keywords: Set<Int> = []
        var depth = 0
        var current: [PDFLexer.Token] = []
        var closed: [PDFLexer.Token]?
        let endstream = Array("endstream".utf8)
        while let token = lexer.next() {
            if token == .dictionaryOpen {
                if depth == 0 { current = [] }
                depth += 1
            }
            if depth > 0 { current.append(token) }
            if token == .dictionaryClose, depth > 0 {
                depth -= 1
                if depth == 0 {
                    closed = current
                    continue
                }
            }
            if token == .word("stream"), depth == 0, let dictionary = closed, let start = dataStart(bytes, after: lexer.position) {
                guard let end = FileInspection.firstIndex(of: endstream, in: bytes[...], from: start) else {
                    throw FileInspection.pdfUnreadable()
                }
                keywords.insert(lexer.tokenStart)
                streams.append(PDFStream(dictionary: dictionary, data: start..<end))
                lexer.position = end + endstream.count
            }
            closed = nil
        }
        // Every `>> stream⏎` outside stream data must be one of the streams found.
        let keyword = Array("stream".utf8)
        var outside = 0
        for range in streams.map(\.data) + [bytes.count..<bytes.count] {
            var index = outside
            while let found = FileInspection.firstIndex(of: keyword, in: bytes[outside..<range.lowerBound], from: index) {
                index = found + keyword.count
                guard dataStart(bytes, after: index) != nil else { continue }
                var before = found - 1
                while before > 0, PDFLexer.isWhitespace(bytes[before]) { before -= 1 }
                if before > 0, bytes[before] == UInt8(ascii: ">"), bytes[before - 1] == UInt8(ascii: ">"), !keywords.contains(found) {
                    throw FileInspection.pdfUnreadable()
                }
            }
            outside = range.upperBound
        }
        return streams
    }

    /// The data begins after the end of line that follows `stream`.
    static func dataStart(_ bytes: [UInt8], after position: Int) -> Int? {
        guard position < bytes.count else { return nil }
        if bytes[position] == 13 { return position + 1 < bytes.count && bytes[position + 1] == 10 ? position + 2 : position + 1 }
        return bytes[position] == 10 ? position + 1 : nil
    }
}
