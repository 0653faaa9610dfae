import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import OneVisitApp

/// G9: hostile uploads are refused with a 4xx and leave nothing in the store.
@Suite("Upload corpus")
struct UploadCorpusTests {
    static func zip(entries: [(name: String, compressed: Int, uncompressed: Int)]) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
        var body: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            let offset = body.count
            body += le32(0x0403_4B50) + le16(20) + le16(0) + le16(8) + le16(0) + le16(0) + le32(0) + le32(entry.compressed) + le32(entry.uncompressed) + le16(name.count) + le16(0) + name
            body += [UInt8](repeating: 0, count: entry.compressed)
            central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(8) + le16(0) + le16(0) + le32(0) + le32(entry.compressed) + le32(entry.uncompressed)
                + le16(name.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name
        }
        let eocd = le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count) + le32(central.count) + le32(body.count) + le16(0)
        return body + central + eocd
    }

    static let validPDF = Array("%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n".utf8)

    /// A PDF of numbered objects; a stream object gets its `/Length`.
    static func pdf(_ objects: [(dictionary: String, stream: [UInt8]?)], trailer: String = "/Root 1 0 R") -> [UInt8] {
        var bytes = Array("%PDF-1.5\n%\u{E2}\u{E3}\n".utf8)
        for (index, object) in objects.enumerated() {
            if let stream = object.stream {
                bytes += Array("\(index + 1) 0 obj\n<< \(object.dictionary) /Length \(stream.count) >>\nstream\n".utf8) + stream + Array("\nendstream\nendobj\n".utf8)
            } else {
                bytes += Array("\(index + 1) 0 obj\n<< \(object.dictionary) >>\nendobj\n".utf8)
            }
        }
        return bytes + Array("trailer\n<< /Size \(objects.count + 1) \(trailer) >>\nstartxref\n0\n%%EOF\n".utf8)
    }

    /// Deflate bits: values least significant bit first, Huffman codes most significant first.
    struct BitWriter {
        var bytes: [UInt8] = []
        var used = 8

        mutating func value(_ value: Int, bits: Int) {
            for i in 0..<bits {
                if used == 8 {
                    bytes.append(0)
                    used = 0
                }
                bytes[bytes.count - 1] |= UInt8((value >> i) & 1) << used
                used += 1
            }
        }

        mutating func code(_ code: Int, bits: Int) {
            for i in (0..<bits).reversed() { value((code >> i) & 1, bits: 1) }
        }
    }

    /// zlib data in one block of deflate's fixed code: `literals`, then `copies` repeats of the
    /// last 258 bytes. No byte of the text survives, as with any real compressor.
    static func zlib(_ literals: [UInt8], copies: Int = 0) -> [UInt8] {
        var w = BitWriter()
        w.value(1, bits: 1)  // last block
        w.value(1, bits: 2)  // fixed Huffman codes
        for byte in literals {
            if byte < 144 { w.code(0x30 + Int(byte), bits: 8) } else { w.code(0x190 + Int(byte) - 144, bits: 9) }
        }
        for _ in 0..<copies {
            w.code(0xC5, bits: 8)  // length 258
            w.code(16, bits: 5)  // distance 257 + 7 extra bits
            w.value(1, bits: 7)
        }
        w.code(0, bits: 7)  // end of block
        var a = 1, b = 0
        for byte in literals {
            a = (a + Int(byte)) % 65521
            b = (b + a) % 65521
        }
        // The copies repeat zero bytes (the bomb): each adds nothing to a and a to b, so the
        // trailer is right and zlib stops on the size, not on a bad checksum.
        precondition(copies == 0 || literals.allSatisfy { $0 == 0 })
        b = (b + a * (copies * 258 % 65521)) % 65521
        let adler = b << 16 | a
        return [0x78, 0x01] + w.bytes + [UInt8(adler >> 24 & 0xFF), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
    }

    /// An object stream of 31 objects, the last `<< /S /JavaScript /JS (app.alert(1)) >>`, as
    /// Python's `zlib.compress(data, 9)` wrote it (one block of dynamic Huffman codes).
    static let pythonObjectStream = [UInt8](Data(base64Encoded: """
        eNq1lT1LxFAQRf/KLXcb82bmfcKyhXaCILt2YhE0yILshjWI/ntvtNrCykwT8sLk3HmnuRIQIIIaIQrJDWLQlCARFgWSEJWnjCQcLEgtQypy5XRDyRkaUJNABc0KlN+DkmHEBp4JlqaYIVoqlL9bjtDCiMhzZYZxnsmZRJtTQoIxu1SeyauFy5DXcuBSDIwZlpjIYeMCyi3naAsCI9JqgTVGF0EM83UyNht0D1/jgO6+f/15nofjBOX1d+juhpdDf336xOPsI7VEIfqE7uZ0nDj2zjuF38ndaeqnge/b7f+ZcsFsy0D1Aip1GapdULUsQ40OUpOH1OwitbhIrQ5Sm4NUCR5SRTykii4vVcxDanSRmlykZgepxUNqdZHaPKSqQ1GpR1GpS1GpS1GpQ1GpR1GpS1GpS1GpQ1HpX0W1R3fbf/T75/NhnPi+x6ofx6v+bThPK1mv57lvWArxjA==
        """, options: .ignoreUnknownCharacters)!)

    /// 258 zero bytes copied until they pass the 50 MB that a PDF's streams may inflate to.
    static let flateBomb = pdf([("/Type /Catalog /Pages 2 0 R", nil), ("/Filter /FlateDecode", zlib([UInt8](repeating: 0, count: 258), copies: 204_000))])

    static var hostilePDFs: [(name: String, fileName: String, bytes: [UInt8], code: String?)] {
        let hiddenObject = Array("1 0 << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>".utf8)
        return [
            ("PDF name escapes /Java#53cript", "表格.pdf", pdf([("/Type /Catalog /Pages 2 0 R /Open#41ction << /S /Java#53cript /J#53 (app.alert(1)) >>", nil)]), "file.active_content"),
            ("PDF /Launc#68 action", "表格.pdf", pdf([("/Type /Annot /Subtype /Link /A << /S /Launc#68 /F (cmd.exe) >>", nil)]), "file.active_content"),
            ("PDF /AA page action", "表格.pdf", pdf([("/Type /Page /AA << /O << /S /Named /N /Print >> >>", nil)]), "file.active_content"),
            ("PDF /URI link", "表格.pdf", pdf([("/Type /Annot /Subtype /Link /A << /S /URI /URI (http://evil.example/) >>", nil)]), "file.active_content"),
            ("PDF /SubmitForm, escaped", "表格.pdf", pdf([("/Type /Annot /A << /S /Submit#46orm /F (http://evil.example/) >>", nil)]), "file.active_content"),
            ("PDF object stream (zlib) hiding /JavaScript", "表格.pdf",
             pdf([("/Type /Catalog /Pages 2 0 R", nil), ("/Type /ObjStm /N 31 /First 233 /Filter /FlateDecode", pythonObjectStream)]), "file.active_content"),
            ("PDF object stream hiding /OpenAction, typed as an image", "表格.pdf",
             pdf([("/Type /ObjStm /Subtype /Image /N 1 /First 4 /Filter [/FlateDecode]", zlib(hiddenObject))]), "file.active_content"),
            ("PDF content stream hiding /URI", "表格.pdf",
             pdf([("/Filter /FlateDecode", zlib(Array("BT /F1 12 Tf ET << /S /URI /URI (http://evil.example/) >>".utf8)))]), "file.active_content"),
            ("PDF object stream in a filter not inspected", "表格.pdf",
             pdf([("/Type /ObjStm /N 1 /First 4 /Filter /ASCIIHexDecode", Array(hiddenObject.map { String(format: "%02X", $0) }.joined().utf8))]), "file.pdf_unreadable"),
            ("PDF object stream that does not inflate", "表格.pdf",
             pdf([("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", [0x78, 0x9C] + Array(hiddenObject.prefix(40)))]), "file.pdf_unreadable"),
            ("PDF object hidden in image data", "表格.pdf",
             pdf([("/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /DCTDecode", [0xFF, 0xD8, 0xFF, 0xE0] + Array("\n9 0 obj\n<< /S /Java#53cript /JS (x) >>\nendobj\n".utf8) + [0xFF, 0xD9])]),
             "file.pdf_unreadable"),
            ("PDF stream keyword inside a string", "表格.pdf",
             Array("%PDF-1.5\n1 0 obj\n<< /Title (x) >>\nendobj\n(2 0 obj << /Filter /FlateDecode >>\nstream\n".utf8) + zlib(hiddenObject) + Array("\nendstream\nendobj\n)\n%%EOF\n".utf8),
             "file.pdf_unreadable"),
            ("PDF Flate bomb", "表格.pdf", flateBomb, "file.pdf_bomb"),
            ("encrypted PDF", "表格.pdf", pdf([("/Type /Catalog /Pages 2 0 R", nil)], trailer: "/Root 1 0 R /Encrypt 2 0 R"), "file.pdf_encrypted"),
        ]
    }

    static var corpus: [(name: String, fileName: String, bytes: [UInt8], code: String?)] {
        var png = [UInt8]([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]) + Array("IHDR".utf8)
        png += [0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00]  // 65536 × 65536
        let hugeJPEG: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x03] + [UInt8](repeating: 0, count: 16)
        return [
            ("limit + 1 byte", "big.pdf", Array("%PDF-".utf8) + [UInt8](repeating: 0x20, count: BlobStore.maxSize - 4), nil),
            ("ELF renamed to .pdf", "申请书.pdf", [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 64), "file.type"),
            ("Windows program renamed", "申请书.docx", [0x4D, 0x5A, 0x90, 0x00] + [UInt8](repeating: 0, count: 64), "file.type"),
            ("shell script renamed", "表格.pdf", Array("#!/bin/sh\nrm -rf /\n".utf8), "file.type"),
            ("HTML renamed", "表格.pdf", Array("<html><script>alert(1)</script></html>".utf8), "file.type"),
            ("PDF with JavaScript", "表格.pdf", Array("%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF\n".utf8), "file.active_content"),
            ("PDF + ZIP polyglot", "表格.pdf", validPDF + zip(entries: [("payload.exe", 10, 10)]), "file.polyglot"),
            ("truncated PDF", "表格.pdf", Array("%PDF-1.4\n1 0 obj\n".utf8), "file.pdf_truncated"),
            ("zip bomb as .docx", "表格.docx", zip(entries: [("[Content_Types].xml", 10, 10), ("word/document.xml", 1000, 4_000_000_000 & 0x7FFF_FFFF)]), "file.zip_bomb"),
            ("zip with path traversal", "表格.docx", zip(entries: [("[Content_Types].xml", 10, 10), ("../../etc/cron.d/x", 10, 10)]), "file.archive_path"),
            ("plain zip renamed .docx", "表格.docx", zip(entries: [("readme.txt", 10, 10)]), "file.type"),
            ("PNG 65536 × 65536", "照片.png", png, "file.image_dimensions"),
            ("JPEG 65535 × 65535", "照片.jpg", hugeJPEG, "file.image_dimensions"),
            ("PNG renamed .pdf", "照片.pdf", png, "file.extension_mismatch"),
            ("path traversal name", "../../etc/passwd.pdf", validPDF, "file.name"),
            ("control characters in name", "申请\u{0007}书.pdf", validPDF, "request.control_character"),  // refused with the query, before the body is read
            ("hidden file name", ".htaccess.pdf", validPDF, "file.name"),
            ("empty file", "空.pdf", [], "file.empty"),
        ] + hostilePDFs
    }

    @Test func hostileUploads_are4xx_andNothingIsStored() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let admin = try await app.token("catalog.ha")
            // The store is shared with tests running at the same time (and kept between runs):
            // look at these files only.
            let shas = Set(Self.corpus.map { BlobStore.hex(Data($0.bytes)) })
            let storedBefore = shas.filter { app.services.blobs.exists($0) }
            var refused = 0
            for item in Self.corpus {
                let response = try await app.client.execute(
                    uri: "/api/v1/catalog/files?name=\(item.fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", method: .post,
                    headers: [.authorization: "Bearer \(admin)", .contentType: "application/octet-stream"],
                    body: ByteBuffer(bytes: item.name == "limit + 1 byte" ? item.bytes + [0x20] : item.bytes))
                #expect((400..<500).contains(Int(response.status.code)), "\(item.name): \(response.status)")
                if let code = item.code { #expect((try? response.problem().code) == code, "\(item.name): \(response.text)") }
                if (400..<500).contains(Int(response.status.code)), item.code == nil || (try? response.problem().code) == item.code { refused += 1 }
            }
            SuiteSummary.report("G9", "hostile uploads", passed: refused, failed: Self.corpus.count - refused)
            #expect(shas.filter { app.services.blobs.exists($0) } == storedBefore)
            #expect(try await app.count(StoredFileModel.self) == 0)
            // nothing was written outside the store either
            #expect(!FileManager.default.fileExists(atPath: "/etc/cron.d/x"))
            // the same checks guard case materials
            let valid = try await app.client.execute(uri: "/api/v1/catalog/files?name=ok.pdf", method: .post, headers: [.authorization: "Bearer \(admin)"], body: ByteBuffer(bytes: Self.validPDF))
            #expect(valid.status == .created)
        }
    }

    /// PDFs as this app and ordinary writers make them: plain objects, compressed object and
    /// content streams, a JPEG image, a font program.
    static var cleanPDFs: [(name: String, bytes: [UInt8])] {
        let objects = Array("3 0 4 44 << /Type /Pages /Kids [4 0 R] /Count 1 >> << /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 5 0 R >>".utf8)
        var jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0]
        var x: UInt32 = 2_463_534_242
        for _ in 0..<20_000 {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5
            jpeg.append(UInt8(truncatingIfNeeded: x))
        }
        return [
            ("result document", [UInt8](SimplePDF.document(title: "准予许可决定书", lines: ["编号：ZZ-2026-0001", "申请人：张三"], footer: "河南政务服务网"))),
            ("blank form", [UInt8](BlankFormPDF.make(title: "不动产登记申请书", subtitle: "事项编码 QR00811001", fields: ["申请人", "身份证号"], footer: "河南省政务服务"))),
            ("minimal", validPDF),
            ("compressed", pdf([
                ("/Type /Catalog /Pages 3 0 R", nil),
                ("/Type /ObjStm /N 2 /First 9 /Filter /FlateDecode", zlib(objects)),
                ("/Filter [/FlateDecode]", zlib(Array("q 100 0 0 100 72 600 cm /Im0 Do Q BT /F1 12 Tf 72 720 Td <4E2D6587> Tj ET".utf8))),
                ("/Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", jpeg + [0xFF, 0xD9]),
                ("/Length1 20000 /Filter /FlateDecode", zlib(Array(jpeg.prefix(2000)))),
                ("/Type /XRef /W [1 2 1] /Filter /FlateDecode /DecodeParms << /Columns 4 /Predictor 12 >>", zlib([0, 1, 0, 0, 0])),
            ])),
        ]
    }

    @Test func cleanPDFs_areAccepted() throws {
        for pdf in Self.cleanPDFs {
            #expect(throws: Never.self, "\(pdf.name)") { try BlobStore.check(Data(pdf.bytes), fileName: "申请书.pdf") }
        }
    }

    @Test func inflate_readsRealZlib_andStopsAtItsLimit() throws {
        let objects = try Inflate.zlib(Self.pythonObjectStream[...], limit: 1 << 20)
        #expect(objects.bytes.count == 2829)
        #expect(String(decoding: objects.bytes, as: UTF8.self).hasSuffix("<< /S /JavaScript /JS (app.alert(1)) >> "))
        #expect(objects.consumed == Self.pythonObjectStream.count)
        let text = Array("BT /F1 12 Tf (\u{4E2D}) Tj ET".utf8)
        #expect(try Inflate.zlib(Self.zlib(text)[...], limit: 100).bytes == text)
        #expect(throws: Inflate.Failure.tooLarge) { try Inflate.zlib(Self.pythonObjectStream[...], limit: 2828) }
        #expect(throws: Inflate.Failure.corrupt) { try Inflate.zlib(Self.pythonObjectStream.dropLast(30), limit: 1 << 20) }
        #expect(throws: Inflate.Failure.corrupt) { try Inflate.zlib(ArraySlice(Array("not zlib".utf8)), limit: 100) }
    }
}
