import Foundation

/// The OpenAPI 3.1 document this target's types are generated from, as shipped in its bundle,
/// so the server serves the very text the types came from.
public enum OpenAPIDocumentFile {
    public static var url: URL? {
        Bundle.module.url(forResource: "openapi", withExtension: "json")
    }
}
