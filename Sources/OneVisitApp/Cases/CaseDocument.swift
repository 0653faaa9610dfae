import Foundation

/// The content of a printable case document (receipt, slip, notice, decision): a title,
/// a number, labelled lines, numbered items and paragraphs. Stored as JSON with the case.
struct CaseDocumentContent: Codable, Sendable {
    struct Line: Codable, Sendable {
        var label: String
        var value: String
    }

    var title: String
    var number: String
    var addressee: String
    var lines: [Line]
    var items: [String]
    var itemsTitle: String
    var paragraphs: [String]
    var issuer: String
    var dateText: String

    enum Kind: String, Codable, Sendable {
        case receipt, acceptanceSlip, oneTimeNotice, nonAcceptance, toleranceNotice, inspectionNotice, decision, extensionNotice
    }

    static func encode(_ content: CaseDocumentContent) -> String {
        String(decoding: (try? JSONEncoder().encode(content)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ text: String) -> CaseDocumentContent? {
        try? JSONDecoder().decode(CaseDocumentContent.self, from: Data(text.utf8))
    }
}
