import Foundation

/// Looks inside an upload beyond its first bytes: active content and hidden archives in
/// PDFs, image dimensions that would exhaust memory when decoded, and ZIP-based Office
/// files whose entries would expand far beyond their size (zip bombs) or escape a folder.
/// Written by hand: images and Office files are judged by their headers, PDFs by their
/// object syntax (`FileInspection+PDF.swift`).
enum FileInspection {
    static let maxPixels = 40_000_000
    static let maxExpandedSize = 100 * 1024 * 1024
    static let maxCompressionRatio = 100

    static func reject(_ code: String, _ message: String) -> AppError {
        AppError.invalid("file", code: code, message)
    }

    static func inspect(_ data: Data, as kind: BlobStore.Kind) throws {
        switch kind {
        case .pdf: try pdf(data)
        case .png: try png(data)
        case .jpeg: try jpeg(data)
        case .officeOpenXML: try zip(data)
        case .officeLegacy: break
        }
    }

    static func contains(_ data: Data, _ needle: [UInt8]) -> Bool {
        data.range(of: Data(needle)) != nil
    }

    static func checkPixels(_ width: Int, _ height: Int) throws {
        guard width > 0, height > 0, width * height <= maxPixels else {
            throw reject("file.image_dimensions", "图片尺寸异常（\(width)×\(height)），请压缩到 4000 万像素以内")
        }
    }

    static func png(_ data: Data) throws {
        let b = [UInt8](data.prefix(24))
        guard b.count == 24, Array(b[12..<16]) == Array("IHDR".utf8) else { throw reject("file.image_corrupt", "PNG 图片已损坏") }
        let width = b[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = b[20..<24].reduce(0) { $0 << 8 | Int($1) }
        try checkPixels(width, height)
    }

    static func jpeg(_ data: Data) throws {
        let b = [UInt8](data)
        var i = 2
        while i + 9 < b.count {
            guard b[i] == 0xFF else { i += 1; continue }
            let marker = b[i + 1]
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the dimensions.
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                let height = Int(b[i + 5]) << 8 | Int(b[i + 6])
                let width = Int(b[i + 7]) << 8 | Int(b[i + 8])
                try checkPixels(width, height)
                return
            }
            if marker == 0xDA { break }
            i += 2 + length
        }
        throw reject("file.image_corrupt", "JPEG 图片已损坏（找不到尺寸信息）")
    }

    /// Reads the ZIP central directory: every entry's name and sizes.
    static func zip(_ data: Data) throws {
        let b = [UInt8](data)
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
        guard b.count >= 22, let eocd = stride(from: b.count - 22, through: max(0, b.count - 65_557), by: -1).first(where: { u32($0) == 0x0605_4B50 }) else {
            throw reject("file.archive_corrupt", "Office 文件已损坏")
        }
        let entries = u16(eocd + 10)
        var offset = u32(eocd + 16)
        var expanded = 0
        var names: [String] = []
        for _ in 0..<entries {
            guard offset + 46 <= b.count, u32(offset) == 0x0201_4B50 else { throw reject("file.archive_corrupt", "Office 文件已损坏") }
            let compressed = u32(offset + 20)
            let uncompressed = u32(offset + 24)
            let nameLength = u16(offset + 28)
            let extra = u16(offset + 30)
            let comment = u16(offset + 32)
            guard offset + 46 + nameLength <= b.count else { throw reject("file.archive_corrupt", "Office 文件已损坏") }
            let name = String(decoding: b[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            names.append(name)
            if name.hasPrefix("/") || name.contains("../") || name.contains("..\\") {
                throw reject("file.archive_path", "Office 文件中含有非法路径")
            }
            expanded += uncompressed
            if uncompressed > maxCompressionRatio * max(compressed, 1) || expanded > maxExpandedSize {
                throw reject("file.zip_bomb", "Office 文件解压后过大，疑似压缩炸弹，不能上传")
            }
            offset += 46 + nameLength + extra + comment
        }
        guard names.contains("[Content_Types].xml") else {
            throw reject("file.type", "不是有效的 Word/Excel 文件")
        }
    }
}
