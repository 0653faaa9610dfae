/// Masking of personal data in lists and public views (quality bar: ID numbers and phones masked).
public enum Masking {
    /// Keeps `prefix` leading and `suffix` trailing characters and stars the rest.
    public static func mask(_ value: String, keepPrefix prefix: Int, keepSuffix suffix: Int) -> String {
        let chars = Array(value)
        guard chars.count > prefix + suffix else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(prefix)) + String(repeating: "*", count: chars.count - prefix - suffix) + String(chars.suffix(suffix))
    }

    /// A Chinese name with only the family name shown: 张三 → 张*, 欧阳修文 → 欧***.
    public static func name(_ value: String) -> String {
        guard let first = value.first else { return "" }
        return String(first) + String(repeating: "*", count: max(value.count - 1, 1))
    }
}
