import Foundation
import OneVisitDomain

/// A one-page A4 application form as PDF, blank or filled in as a sample (示范文本, R8.2.1),
/// with Chinese text in the standard Adobe-GB1 font STSong-Light (no font embedded; every PDF
/// reader with CJK support has it). Written by hand: no PDF library is in this machine's package set.
enum BlankFormPDF {
    static func make(title: String, subtitle: String, fields: [String], footer: String) -> Data {
        page(title: title, subtitle: subtitle, rows: fields.map { ($0, "") }, signature: "", footer: footer, watermark: nil)
    }

    /// The form filled in with fictitious values, each marked 示例, under a 示范文本 watermark:
    /// it shows how to fill the form and cannot pass for a real application.
    static func sample(title: String, subtitle: String, fields: [FormField], footer: String) -> Data {
        let organisation = fields.contains { $0.meaning == .creditCode }
        let rows = fields.map { ($0.name, SampleValues.value(for: $0, organisation: organisation)) }
        let signature = organisation ? "示例：某某有限公司（盖章）" : "示例：张某某"
        return page(title: "\(title)（示范文本）", subtitle: subtitle, rows: rows, signature: signature,
                    footer: "示范文本：所填内容均为虚构示例，仅供参照填写，不得作为申请材料提交。" + footer, watermark: "示范文本 样例")
    }

    private static func page(title: String, subtitle: String, rows: [(String, String)], signature: String, footer: String, watermark: String?) -> Data {
        var content = ""
        func text(_ s: String, x: Double, y: Double, size: Double) {
            content += "BT /F1 \(size) Tf \(x) \(y) Td <\(hex(s))> Tj ET\n"
        }
        if let watermark {
            // Light red, across the page at 35°, under the table.
            content += "q 0.95 0.75 0.75 rg BT /F1 64 Tf 0.819 0.574 -0.574 0.819 120 260 Tm <\(hex(watermark))> Tj ET Q\n"
        }
        text(title, x: 72, y: 780, size: 18)
        text(subtitle, x: 72, y: 756, size: 10)
        let rowHeight = 30.0
        var y = 730.0
        content += "0.6 w\n"
        for (field, value) in rows.prefix(20) {
            content += "72 \(y - rowHeight) 451 \(rowHeight) re S\n"
            content += "200 \(y - rowHeight) m 200 \(y) l S\n"
            text(field, x: 78, y: y - 20, size: 11)
            if !value.isEmpty { text(value, x: 206, y: y - 20, size: 11) }
            y -= rowHeight
        }
        text("申请人（签字/盖章）：\(signature)", x: 72, y: y - 40, size: 11)
        text(signature.isEmpty ? "日期：      年    月    日" : "日期：示例：2026 年 1 月 5 日", x: 340, y: y - 40, size: 11)
        text(footer, x: 72, y: 60, size: 8)
        return assemble(content: content)
    }

    private static func hex(_ s: String) -> String { s.utf16.map { String(format: "%04X", $0) }.joined() }

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
