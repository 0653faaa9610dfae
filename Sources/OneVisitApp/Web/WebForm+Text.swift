extension KeyedDecodingContainer {
    /// A text field of a form, empty when the form left it out: the page's own checks then
    /// answer with the message for that field, as they do for an empty one.
    func text(_ key: Key) throws -> String {
        try decodeIfPresent(String.self, forKey: key) ?? ""
    }
}
