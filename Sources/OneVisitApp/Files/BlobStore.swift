import Crypto
import Foundation

/// Content-addressed file store under `<data dir>/blobs`: a file is written to a temp
/// file, fsynced, renamed to its SHA-256 and the folder fsynced, so a stored file is
/// either whole or absent (DESIGN.md "Nothing is lost").
public struct BlobStore: Sendable {
    public let root: String
    public static let maxSize = 10 * 1024 * 1024

    public init(dataDirectory: String) {
        root = (dataDirectory as NSString).appendingPathComponent("blobs")
    }

    /// What a file really is, judged by its first bytes, never by its name.
    public enum Kind: String, Sendable, CaseIterable {
        case pdf, png, jpeg, officeOpenXML, officeLegacy

        public var mediaType: String {
            switch self {
            case .pdf: "application/pdf"
            case .png: "image/png"
            case .jpeg: "image/jpeg"
            case .officeOpenXML: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            case .officeLegacy: "application/msword"
            }
        }

        public var allowedExtensions: Set<String> {
            switch self {
            case .pdf: ["pdf"]
            case .png: ["png"]
            case .jpeg: ["jpg", "jpeg"]
            case .officeOpenXML: ["docx", "xlsx"]
            case .officeLegacy: ["doc", "xls"]
            }
        }

        public static func sniff(_ data: Data) -> Kind? {
            let bytes = [UInt8](data.prefix(8))
            func starts(_ magic: [UInt8]) -> Bool { bytes.count >= magic.count && Array(bytes.prefix(magic.count)) == magic }
            if starts([0x25, 0x50, 0x44, 0x46, 0x2D]) { return .pdf }
            if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
            if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
            if starts([0x50, 0x4B, 0x03, 0x04]) { return .officeOpenXML }
            if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .officeLegacy }
            return nil
        }
    }

    public struct Stored: Sendable, Equatable {
        public var sha256: String
        public var kind: Kind
        public var size: Int
    }

    /// Checks a file's name, size and content; a problem is a 4xx with a Chinese message.
    public static func check(_ data: Data, fileName: String) throws -> Kind {
        guard !data.isEmpty else { throw AppError.invalid("file", code: "file.empty", "文件为空") }
        guard data.count <= maxSize else {
            throw AppError(.contentTooLarge, code: "file.too_large", title: "文件不能超过 \(maxSize / 1024 / 1024) MB", field: "file")
        }
        try checkName(fileName)
        guard let kind = Kind.sniff(data) else {
            throw AppError.invalid("file", code: "file.type", "只接受 PDF、PNG、JPEG、Word/Excel 文件（按文件内容判断）")
        }
        let ext = (fileName as NSString).pathExtension.lowercased()
        guard kind.allowedExtensions.contains(ext) else {
            throw AppError.invalid("file", code: "file.extension_mismatch", "文件扩展名 .\(ext) 与文件内容（\(kind.rawValue)）不符")
        }
        try FileInspection.inspect(data, as: kind)
        return kind
    }

    /// A name to show and to download under: no folders, no control characters.
    public static func checkName(_ fileName: String) throws {
        let bad = fileName.isEmpty || fileName.count > 120 || fileName.contains("/") || fileName.contains("\\")
            || fileName.hasPrefix(".") || fileName.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) }
        if bad { throw AppError.invalid("fileName", code: "file.name", "文件名不合法：不能为空、含路径或控制字符，且不超过 120 个字") }
    }

    static func hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    func path(for sha256: String) -> String {
        (root as NSString).appendingPathComponent("\(sha256.prefix(2))/\(sha256)")
    }

    public func exists(_ sha256: String) -> Bool {
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return false }
        return FileManager.default.fileExists(atPath: path(for: sha256))
    }

    public func read(_ sha256: String) throws -> Data? {
        guard exists(sha256) else { return nil }
        return try Data(contentsOf: URL(fileURLWithPath: path(for: sha256)))
    }

    /// Writes durably; storing the same content twice is a no-op.
    public func write(_ data: Data) throws -> String {
        let sha = Self.hex(data)
        let target = path(for: sha)
        if FileManager.default.fileExists(atPath: target) { return sha }
        let folder = (target as NSString).deletingLastPathComponent
        let tmpFolder = (root as NSString).appendingPathComponent("tmp")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tmpFolder, withIntermediateDirectories: true)
        let temp = (tmpFolder as NSString).appendingPathComponent(UUID().uuidString)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o640)
        guard fd >= 0 else { throw AppError(.internalServerError, code: "file.write", title: "文件保存失败") }
        var ok = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temp, target) == 0 else {
            unlink(temp)
            throw AppError(.internalServerError, code: "file.write", title: "文件保存失败")
        }
        let dirFD = open(folder, O_RDONLY)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
        return sha
    }

    /// Removes stored files no record refers to — left by a crash between writing a file and
    /// committing the case that names it — and stale temp files. Only files older than `age`
    /// go, so another instance's upload in flight is never touched.
    public func collectGarbage(referenced: Set<String>, olderThan age: TimeInterval, now: Date) -> Int {
        let fm = FileManager.default
        var removed = 0
        guard let folders = try? fm.contentsOfDirectory(atPath: root) else { return 0 }
        for folder in folders {
            let path = (root as NSString).appendingPathComponent(folder)
            for name in (try? fm.contentsOfDirectory(atPath: path)) ?? [] {
                let file = (path as NSString).appendingPathComponent(name)
                let modified = (try? fm.attributesOfItem(atPath: file)[.modificationDate] as? Date) ?? now
                guard now.timeIntervalSince(modified) >= age else { continue }
                if folder == "tmp" || !referenced.contains(name) {
                    if (try? fm.removeItem(atPath: file)) != nil { removed += 1 }
                }
            }
        }
        return removed
    }
}
