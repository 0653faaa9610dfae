import Foundation

/// Turns the text of a case's result document (the licence or certificate delivered to the
/// applicant) into the file handed over. Injected in the composition root like the clock
/// and the file store, so a test can pin it or record what it was asked to render.
public protocol DocumentRenderer: Sendable {
    /// A one-page document: `title`, its `lines` in order, and `footer` at the bottom.
    func resultPDF(title: String, lines: [String], footer: String) -> Data
}

/// The renderer in service: a one-page A4 PDF in the standard font STSong-Light. Its
/// output is a function of its input alone (no date, no random id in the file).
public struct PDFDocumentRenderer: DocumentRenderer {
    public init() {}
    public func resultPDF(title: String, lines: [String], footer: String) -> Data {
        SimplePDF.document(title: title, lines: lines, footer: footer)
    }
}
