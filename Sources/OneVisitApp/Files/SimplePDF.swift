import Foundation

/// A one-page A4 PDF of Chinese text lines (result documents), in the standard font
/// STSong-Light like `BlankFormPDF`.
enum SimplePDF {
    static func document(title: String, lines: [String], footer: String) -> Data {
        var content = ""
        func text(_ s: String, x: Double, y: Double, size: Double) {
            let hex = s.utf16.map { String(format: "%04X", $0) }.joined()
            content += "BT /F1 \(size) Tf \(x) \(y) Td <\(hex)> Tj ET\n"
        }
        content += "2 w 50 50 495 742 re S\n"
        text(title, x: 297.5 - Double(title.count) * 12, y: 740, size: 24)
        var y = 690.0
        for line in lines.prefix(30) {
            // Long lines wrap at 34 characters, the width of the page at 13 pt.
            var rest = Substring(line)
            repeat {
                text(String(rest.prefix(34)), x: 80, y: y, size: 13)
                rest = rest.dropFirst(34)
                y -= 22
            } while !rest.isEmpty && y > 100
        }
        text(footer, x: 80, y: 80, size: 9)
        return BlankFormPDF.assemble(content: content)
    }
}
