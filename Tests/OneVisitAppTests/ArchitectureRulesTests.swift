import Foundation
import OneVisitDomain
import Testing

/// The shape rules of issue 11, read from the source files on disk: small files, short
/// handlers, every path from the site-path enum, no state lists outside the case policy.
@Suite("Architecture rules")
struct ArchitectureRulesTests {
    // MARK: the rules

    @Test func noSwiftFileInSources_isOver500Lines() throws {
        let long = try SourceTree.swiftFiles(under: "Sources").filter { !$0.isGenerated && $0.lineCount > 500 }
        #expect(long.isEmpty, "\(long.map { "\($0.path): \($0.lineCount) lines" }.joined(separator: "\n"))")
    }

    /// A handler is any `func` in a file named `*Routes*.swift` or under a `Pages/` folder, and
    /// any trailing closure of a `.get/.post/.put/.patch/.delete/.head/.on(…)` call in the app
    /// target; its length runs from the line of `func` (or of the call) to its closing brace.
    @Test func noRouteHandler_isOver40Lines() throws {
        var long: [String] = []
        for file in try SourceTree.swiftFiles(under: "Sources/OneVisitApp") {
            let lexed = SwiftLexer(file.text)
            if file.isRouteFile {
                for body in lexed.functionBodies() where body.lines > 40 {
                    long.append("\(file.path):\(body.firstLine) func \(body.name): \(body.lines) lines")
                }
            }
            for body in lexed.routeClosures() where body.lines > 40 {
                long.append("\(file.path):\(body.firstLine) closure of .\(body.name)(…): \(body.lines) lines")
            }
        }
        #expect(long.isEmpty, "\(long.joined(separator: "\n"))")
    }

    /// A path literal: a string literal that starts with "/" and a letter ("/cases", "/api/v1"),
    /// other than a file of the operating system ("/proc/self/status").
    @Test func noRoutePathLiteral_outsideSitePathFiles() throws {
        var found: [String] = []
        for file in try SourceTree.swiftFiles(under: "Sources/OneVisitApp") where !file.name.hasPrefix("SitePath") {
            for literal in SwiftLexer(file.text).stringLiterals where literal.text.looksLikeSitePath && !literal.text.hasPrefix("/proc/") {
                found.append("\(file.path):\(literal.line) \"\(literal.text.prefix(60))\"")
            }
        }
        #expect(found.isEmpty, "\(found.count) path literals:\n\(found.joined(separator: "\n"))")
    }

    @Test func noTemplate_writesALinkOrFormActionAsAPath() throws {
        var found: [String] = []
        for file in try SourceTree.files(under: "Sources/OneVisitApp/Resources/templates", ext: "mustache") {
            for (index, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for attribute in ["href=\"/", "action=\"/"] where line.contains(attribute) {
                    found.append("\(file.path):\(index + 1) \(line.trimmingCharacters(in: .whitespaces).prefix(90))")
                }
            }
        }
        #expect(found.isEmpty, "\(found.count) written paths:\n\(found.joined(separator: "\n"))")
    }

    /// Which states allow what is the case policy's question (`CasePolicy`, `CaseMachine`),
    /// so no other code names a state: not `CaseState.x`, not `.underReview`, not "underReview".
    ///
    /// Allowed: `Persistence/` (migrations are append-only history and may not change what
    /// they once wrote) and `Bench/` (the bulk seed writes a fixed mix of historical rows
    /// straight into the tables to measure queries, by design without the service).
    @Test func noCaseStateNamed_outsideTheCasePolicy() throws {
        let allowed = ["Sources/OneVisitDomain/Cases/", "Sources/OneVisitApp/Persistence/", "Sources/OneVisitApp/Bench/"]
        var found: [String] = []
        for file in try SourceTree.swiftFiles(under: "Sources") where !allowed.contains(where: file.path.hasPrefix) {
            let lexed = SwiftLexer(file.text)
            for (line, state) in lexed.caseStateReferences() {
                found.append("\(file.path):\(line) \(state)")
            }
        }
        #expect(found.isEmpty, "\(found.count) state references:\n\(found.joined(separator: "\n"))")
    }

    /// Issue 12: one style per table. A table is read either through a Fluent model
    /// (`static let schema = "…"`: cold admin pages, migrations) or through a row struct on
    /// the lean data path (`static let table = "…"`, `TableRow`) — never both; and every
    /// table on a hot path (a case step, the audit append, idempotency, sign-in, the progress
    /// query, the work queues, the KPI figures) is a row struct.
    @Test func noTable_isReadThroughBothAFluentModelAndARowStruct() throws {
        func names(_ pattern: String) throws -> [String: String] {
            let regex = try NSRegularExpression(pattern: pattern)
            var found: [String: String] = [:]
            for file in try SourceTree.swiftFiles(under: "Sources") {
                let text = file.text as NSString
                for match in regex.matches(in: file.text, range: NSRange(location: 0, length: text.length)) {
                    found[text.substring(with: match.range(at: 1))] = file.path
                }
            }
            return found
        }
        let fluent = try names(#"static let schema = "([a-z_]+)""#)
        let rows = try names(#"static let table = "([a-z_]+)""#)
        let both = Set(fluent.keys).intersection(rows.keys).sorted()
        #expect(both.isEmpty, "read both ways: \(both.map { "\($0) (\(fluent[$0]!), \(rows[$0]!))" })")
        let hot = ["cases", "case_materials", "case_events", "case_tasks", "case_documents", "payments", "audit_records",
                   "audit_head", "idempotency_records", "sessions", "accounts", "kpi_counters"]
        #expect(hot.filter { rows[$0] == nil }.isEmpty, "hot tables without a row struct: \(hot.filter { rows[$0] == nil })")
        #expect(!fluent.isEmpty, "the rule reads the Fluent models too")
    }

    // MARK: the rules' own checks (so a rule cannot pass by reading nothing)

    @Test func theRules_readTheRealTree() throws {
        let sources = try SourceTree.swiftFiles(under: "Sources")
        #expect(sources.count > 50)
        #expect(sources.contains { $0.isRouteFile })
        #expect(try SourceTree.files(under: "Sources/OneVisitApp/Resources/templates", ext: "mustache").count > 10)
    }

    @Test func theLexer_skipsCommentsAndStrings_andMeasuresBodies() {
        let source = #"""
        // func hidden() {
        /* { nested /* } */ */
        func handler() {
            let a = "}{ \("x" + "{") /cases"
            let b = #"raw "/guides" }"#
            let c = """
              /multi {
              """
            router.get("/x") { _, _ in
                state == .underReview ? CaseState.received : .approved
                guide.state == GuideState.approved
            }
        }
        """#
        let lexed = SwiftLexer(source)
        #expect(lexed.functionBodies().map(\.name) == ["handler"])
        #expect(lexed.functionBodies().first?.lines == 11)
        #expect(lexed.routeClosures().first?.lines == 4)
        #expect(lexed.stringLiterals.filter(\.text.looksLikeSitePath).map(\.text) == ["/x"])
        #expect(lexed.caseStateReferences().map(\.state) == [".underReview", "CaseState.received", ".approved"])
    }
}

// MARK: reading the tree

struct SourceFile {
    var path: String
    var text: String

    var name: String { (path as NSString).lastPathComponent }
    var lineCount: Int { text.split(separator: "\n", omittingEmptySubsequences: false).count - (text.hasSuffix("\n") ? 1 : 0) }
    var isRouteFile: Bool { name.contains("Routes") || path.contains("/Pages/") }
    /// Generated code says so in its first lines (STYLE.md 9) and is not held to the size rule.
    var isGenerated: Bool { text.prefix(400).lowercased().contains("generated by") }
}

enum SourceTree {
    /// The package root: two folders above this file (Tests/OneVisitAppTests/…).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func swiftFiles(under folder: String) throws -> [SourceFile] { try files(under: folder, ext: "swift") }

    static func files(under folder: String, ext: String) throws -> [SourceFile] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var files: [SourceFile] = []
        for case let url as URL in walker where url.pathExtension == ext {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            files.append(SourceFile(path: relative, text: try String(contentsOf: url, encoding: .utf8)))
        }
        return files.sorted { $0.path < $1.path }
    }
}

// MARK: a small Swift lexer

/// Splits Swift source into code and string literals: comments and the insides of string
/// literals are blanked (newlines kept), so braces and names are counted in code only.
struct SwiftLexer {
    struct Literal { var line: Int; var text: String }
    struct Body { var name: String; var firstLine: Int; var lines: Int }

    /// The source with comments and string contents replaced by spaces.
    private(set) var code: [UInt8]
    private(set) var stringLiterals: [Literal] = []
    private var lineStarts: [Int] = [0]

    init(_ text: String) {
        let bytes = Array(text.utf8)
        code = bytes
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { lineStarts.append(index + 1) }
        var i = 0
        while i < bytes.count {
            if starts(bytes, i, "//") {
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { blank(i); i += 1 }
            } else if starts(bytes, i, "/*") {
                i = skipBlockComment(bytes, i)
            } else if bytes[i] == UInt8(ascii: "\"") || (bytes[i] == UInt8(ascii: "#") && rawStringStart(bytes, i) != nil) {
                i = skipString(bytes, i, record: true)
            } else {
                i += 1
            }
        }
    }

    func line(of offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    // MARK: queries

    /// Every `func` with a body: its name, first line and length in lines.
    func functionBodies() -> [Body] {
        var bodies: [Body] = []
        for start in occurrences(of: "func") {
            var i = start + 4
            let nameStart = i
            while i < code.count, code[i] != UInt8(ascii: "(") && code[i] != UInt8(ascii: "<") && code[i] != UInt8(ascii: "{") { i += 1 }
            let name = String(decoding: code[nameStart..<i], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            // The body is the first `{` outside the signature's parentheses.
            var depth = 0
            var open: Int?
            while i < code.count {
                let c = code[i]
                if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") { depth -= 1 }
                if depth == 0, c == UInt8(ascii: "{") { open = i; break }
                if depth == 0, c == UInt8(ascii: "}") || isWord(at: i, "func") || isWord(at: i, "var") || isWord(at: i, "let") { break }
                i += 1
            }
            guard let open, let close = matchingBrace(open) else { continue }
            bodies.append(Body(name: name, firstLine: line(of: start), lines: line(of: close) - line(of: start) + 1))
        }
        return bodies
    }

    /// Every trailing closure of a `.get/.post/.put/.patch/.delete/.head/.on(…)` call
    /// (`router.get("/x") { request, context in … }`).
    func routeClosures() -> [Body] {
        var bodies: [Body] = []
        for method in ["get", "post", "put", "patch", "delete", "head", "on"] {
            for start in occurrences(of: method) where start > 0 && code[start - 1] == UInt8(ascii: ".") {
                var i = start + method.utf8.count
                while i < code.count, code[i] == UInt8(ascii: " ") { i += 1 }
                guard i < code.count, code[i] == UInt8(ascii: "("), let close = matching(i, open: "(", close: ")") else { continue }
                i = close + 1
                while i < code.count, code[i] == UInt8(ascii: " ") { i += 1 }
                guard i < code.count, code[i] == UInt8(ascii: "{"), let end = matchingBrace(i) else { continue }
                // A closure names its parameters before `in` on its first line; an `if … {` body does not.
                let firstLine = code[i..<(code[i...].firstIndex(of: UInt8(ascii: "\n")) ?? code.count)]
                guard firstLine.indices.contains(where: { isWord(at: $0, "in") }) else { continue }
                bodies.append(Body(name: method, firstLine: line(of: start), lines: line(of: end) - line(of: start) + 1))
            }
        }
        return bodies.sorted { $0.firstLine < $1.firstLine }
    }

    /// Names of case states in code (`CaseState.x`, `.x`) and in string literals ("x").
    /// `.received`, `.approved`, `.rejected` and `.delivered` are also names of other
    /// statuses, so they count only on a line that mentions a state; a name qualified by
    /// another type (`GuideState.approved`) is not a case state.
    func caseStateReferences() -> [(line: Int, state: String)] {
        let names = CaseState.allCases.map(\.rawValue)
        let shared: Set<String> = ["received", "approved", "rejected", "delivered"]
        var found: [(Int, Int, String)] = []
        for name in names {
            for start in occurrences(of: name) where start > 0 && code[start - 1] == UInt8(ascii: ".") {
                let qualified = start >= 10 && String(decoding: code[(start - 10)..<start], as: UTF8.self) == "CaseState."
                if !qualified, start >= 2, isIdentifier(code[start - 2]) || code[start - 2] == UInt8(ascii: ")") { continue }
                let lineText = text(ofLine: line(of: start)).lowercased()
                guard qualified || !shared.contains(name) || lineText.contains("state") else { continue }
                found.append((line(of: start), start, qualified ? "CaseState.\(name)" : ".\(name)"))
            }
        }
        for literal in stringLiterals where names.contains(literal.text) {
            let shared = shared.contains(literal.text)
            guard !shared || text(ofLine: literal.line).lowercased().contains("state") else { continue }
            found.append((literal.line, lineStarts[literal.line - 1], "\"\(literal.text)\""))
        }
        return found.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { ($0.0, $0.2) }
    }

    // MARK: scanning

    private func text(ofLine line: Int) -> String {
        let start = lineStarts[line - 1]
        let end = line < lineStarts.count ? lineStarts[line] - 1 : code.count
        return String(decoding: code[start..<max(start, end)], as: UTF8.self)
    }

    private func isIdentifier(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
    }

    private func isWord(at i: Int, _ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= code.count, Array(code[i..<(i + w.count)]) == w else { return false }
        let before = i == 0 ? UInt8(ascii: " ") : code[i - 1]
        let after = i + w.count < code.count ? code[i + w.count] : UInt8(ascii: " ")
        return !isIdentifier(before) && !isIdentifier(after)
    }

    private func occurrences(of word: String) -> [Int] {
        let first = word.utf8.first!
        return code.indices.filter { code[$0] == first && isWord(at: $0, word) }
    }

    private func matchingBrace(_ open: Int) -> Int? { matching(open, open: "{", close: "}") }

    private func matching(_ start: Int, open: Character, close: Character) -> Int? {
        let o = open.asciiValue!, c = close.asciiValue!
        var depth = 0
        for i in start..<code.count {
            if code[i] == o { depth += 1 }
            if code[i] == c { depth -= 1; if depth == 0 { return i } }
        }
        return nil
    }

    private mutating func blank(_ i: Int) {
        if code[i] != UInt8(ascii: "\n") { code[i] = UInt8(ascii: " ") }
    }

    private func starts(_ bytes: [UInt8], _ i: Int, _ s: String) -> Bool {
        let p = Array(s.utf8)
        return i + p.count <= bytes.count && Array(bytes[i..<(i + p.count)]) == p
    }

    private mutating func skipBlockComment(_ bytes: [UInt8], _ start: Int) -> Int {
        var depth = 0
        var i = start
        while i < bytes.count {
            if starts(bytes, i, "/*") { depth += 1; blank(i); blank(i + 1); i += 2; continue }
            if starts(bytes, i, "*/") {
                depth -= 1; blank(i); blank(i + 1); i += 2
                if depth == 0 { return i }
                continue
            }
            blank(i); i += 1
        }
        return i
    }

    /// The number of `#` before a raw string's quote, or nil when `#` starts no string.
    private func rawStringStart(_ bytes: [UInt8], _ i: Int) -> Int? {
        var j = i
        while j < bytes.count, bytes[j] == UInt8(ascii: "#") { j += 1 }
        return j < bytes.count && bytes[j] == UInt8(ascii: "\"") ? j - i : nil
    }

    /// Skips the string literal at `start` (plain, raw or multi-line, with interpolations),
    /// blanking its inside; returns the offset after it.
    private mutating func skipString(_ bytes: [UInt8], _ start: Int, record: Bool) -> Int {
        let hashes = rawStringStart(bytes, start) ?? 0
        var i = start + hashes
        let multiline = starts(bytes, i, "\"\"\"")
        let quote = multiline ? "\"\"\"" : "\""
        i += quote.utf8.count
        let contentStart = i
        let closing = Array((quote + String(repeating: "#", count: hashes)).utf8)
        let escape = Array(("\\" + String(repeating: "#", count: hashes)).utf8)
        while i < bytes.count {
            if Array(bytes[i..<min(bytes.count, i + closing.count)]) == closing {
                if record {
                    stringLiterals.append(Literal(line: line(of: start), text: String(decoding: bytes[contentStart..<i], as: UTF8.self)))
                }
                for k in contentStart..<i { blank(k) }
                return i + closing.count
            }
            if Array(bytes[i..<min(bytes.count, i + escape.count)]) == escape {
                i += escape.count
                if i < bytes.count, bytes[i] == UInt8(ascii: "(") {
                    // An interpolation: code up to the matching parenthesis, strings inside it skipped.
                    var depth = 0
                    while i < bytes.count {
                        if bytes[i] == UInt8(ascii: "\"") || (bytes[i] == UInt8(ascii: "#") && rawStringStart(bytes, i) != nil) {
                            i = skipString(bytes, i, record: false)
                            continue
                        }
                        if bytes[i] == UInt8(ascii: "(") { depth += 1 }
                        if bytes[i] == UInt8(ascii: ")") { depth -= 1; if depth == 0 { i += 1; break } }
                        i += 1
                    }
                } else {
                    i += 1
                }
                continue
            }
            if !multiline, bytes[i] == UInt8(ascii: "\n") { return i }
            i += 1
        }
        return i
    }
}

extension String {
    /// "/" and a letter: the start of a path of this site.
    var looksLikeSitePath: Bool {
        let scalars = Array(unicodeScalars.prefix(2))
        return scalars.count == 2 && scalars[0] == "/" && scalars[1].isASCII && CharacterSet.letters.contains(scalars[1])
    }
}
