/// Text typed by people never holds control characters (issue 10 item 10): PostgreSQL
/// refuses NUL in text (a 500 before this rule), SQLite stores it silently, bcrypt and C
/// libraries stop at it, and the others hide content from a reader. Line breaks and tabs,
/// which a multi-line field may hold, are the only exceptions.
public enum TextInput {
    static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F: true
        default: false
        }
    }

    /// Whether `text` holds a control character other than tab, line feed or carriage return.
    public static func hasControlCharacter(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains(where: isRefused)
    }

    /// Whether a JSON text holds, inside a string, an escape that decodes to a refused
    /// control character (`\u0000`, `\b`, `\f`, …). Raw control bytes are invalid JSON and
    /// the decoder refuses them already. Scans the bytes once, so a 20 MB body costs little.
    public static func jsonHasControlEscape(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "\\") else { continue }
            guard let escaped = iterator.next() else { return false }
            switch escaped {
            case UInt8(ascii: "b"), UInt8(ascii: "f"):
                return true
            case UInt8(ascii: "u"):
                var hex = ""
                for _ in 0..<4 {
                    guard let digit = iterator.next() else { return false }
                    hex.append(Character(Unicode.Scalar(digit)))
                }
                if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value), isRefused(scalar) { return true }
            default:
                continue  // \\ \" \/ \n \r \t: the escaped byte is consumed, so "\\u0000" is plain text
            }
        }
        return false
    }
}
