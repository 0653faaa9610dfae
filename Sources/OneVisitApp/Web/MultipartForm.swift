import Foundation
import Hummingbird
import MultipartKit
import OneVisitDomain
import NIOCore

/// A submitted multipart/form-data form (web uploads), after the CSRF check.
struct MultipartForm {
    struct File {
        var fileName: String
        var data: Data
    }

    var fields: [String: String]
    var files: [String: File]

    subscript(_ key: String) -> String { fields[key] ?? "" }

    /// Parses the body (at most `limit` bytes) with MultipartKit's parser; a part with a
    /// file name and content is a file, everything else a text field.
    static func read(_ request: Request, context: some AppContext, limit: Int = 25 * 1024 * 1024) async throws -> MultipartForm {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundary = contentType.split(separator: ";").lazy
                .map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.lowercased().hasPrefix("boundary=") })
                .map({ String($0.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) })
        else { throw AppError.malformedBody }
        let buffer = try await request.body.collect(upTo: limit)
        var form = MultipartForm(fields: [:], files: [:])
        var headers: [String: String] = [:]
        var body = ByteBuffer()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { part in body.writeBuffer(&part) }
        parser.onPartComplete = {
            let disposition = headers["content-disposition"] ?? ""
            let name = Self.parameter("name", in: disposition) ?? ""
            if let fileName = Self.parameter("filename", in: disposition) {
                if !fileName.isEmpty, body.readableBytes > 0 {
                    form.files[name] = File(fileName: (fileName as NSString).lastPathComponent, data: Data(buffer: body))
                }
            } else {
                form.fields[name] = String(buffer: body)
            }
            headers = [:]
            body = ByteBuffer()
        }
        do { try parser.execute(buffer) } catch { throw AppError.malformedBody }
        try WebForm.checkCSRF(submitted: form["csrf"], request: request)
        if let bad = form.fields.first(where: { TextInput.hasControlCharacter($0.key) || TextInput.hasControlCharacter($0.value) }) {
            throw AppError.controlCharacter(field: bad.key)
        }
        if let bad = form.files.first(where: { TextInput.hasControlCharacter($0.value.fileName) }) {
            throw AppError.controlCharacter(field: bad.key)
        }
        return form
    }

    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let part = piece.trimmingCharacters(in: .whitespaces)
            if part.lowercased().hasPrefix("\(key)=") {
                return String(part.dropFirst(key.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}
