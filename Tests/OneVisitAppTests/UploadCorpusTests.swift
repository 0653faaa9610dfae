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
            ("control characters in name", "申请\u{0007}书.pdf", validPDF, "file.name"),
            ("hidden file name", ".htaccess.pdf", validPDF, "file.name"),
            ("empty file", "空.pdf", [], "file.empty"),
        ]
    }

    @Test func hostileUploads_are4xx_andNothingIsStored() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let admin = try await app.token("catalog.ha")
            let store = app.services.blobs.root
            let before = (try? FileManager.default.subpathsOfDirectory(atPath: store)) ?? []
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
            let after = (try? FileManager.default.subpathsOfDirectory(atPath: store)) ?? []
            #expect(after.filter { !$0.hasPrefix("tmp") } == before.filter { !$0.hasPrefix("tmp") })
            #expect(try await app.count(StoredFileModel.self) == 0)
            // nothing was written outside the store either
            #expect(!FileManager.default.fileExists(atPath: "/etc/cron.d/x"))
            // the same checks guard case materials
            let valid = try await app.client.execute(uri: "/api/v1/catalog/files?name=ok.pdf", method: .post, headers: [.authorization: "Bearer \(admin)"], body: ByteBuffer(bytes: Self.validPDF))
            #expect(valid.status == .created)
        }
    }
}
