import Foundation

/// A one-page A4 blank application form as PDF, with Chinese text in the standard
/// Adobe-GB1 font STSong-Light (no font embedded; every PDF reader with CJK support
/// has it). Written by hand: no PDF library is in this machine's package set.
enum BlankFormPDF {
    static func make(title: String, subtitle: String, fields: [String], footer: String) -> Data {
        var content = ""
        func text(_ s: String, x: Double, y: Double, size: Double) {
            let hex = s.utf16.map { String(format: "%04X", $0) }.joined()
            content += "BT /F1 \(size) Tf \(x) \(y) Td <\(hex)> Tj ET\n"
        }
        text(title, x: 72, y: 780, size: 18)
        text(subtitle, x: 72, y: 756, size: 10)
        let rowHeight = 30.0
        var y = 730.0
        content += "0.6 w\n"
        for field in fields.prefix(20) {
            content += "72 \(y - rowHeight) 451 \(rowHeight) re S\n"
            content += "200 \(y - rowHeight) m 200 \(y) l S\n"
            text(field, x: 78, y: y - 20, size: 11)
            y -= rowHeight
        }
        text("申请人（签字/盖章）：", x: 72, y: y - 40, size: 11)
        text("日期：      年    月    日", x: 360, y: y - 40, size: 11)
        text(footer, x: 72, y: 60, size: 8)
        return assemble(content: content)
    }

    /// One page with `content` as its drawing commands, font F1 = STSong-Light.
    static func assemble(content: String) -> Data {
        var objects: [String] = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            "<< /Length \(content.utf8.count) >>\nstream\n\(content)endstream",
            "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R >>",
            "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        ]
        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(pdf.utf8.count)
            pdf += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = pdf.utf8.count
        pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { pdf += String(format: "%010d 00000 n \n", offset) }
        pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        objects.removeAll()
        return Data(pdf.utf8)
    }
}
