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

extension Masking {
    /// An audit actor (`role:login`) as lists show it: an applicant's login is their mobile
    /// number, credit code or `id:` + ID number, and is masked like those (the quality bar;
    /// issue 5, G16). The stored record keeps the full value, which the hash chain covers.
    public static func auditActor(_ actor: String) -> String {
        guard let colon = actor.firstIndex(of: ":"), actor[..<colon] == "applicant" else { return actor }
        var login = String(actor[actor.index(after: colon)...])
        var prefix = "applicant:"
        if login.hasPrefix("id:") {
            prefix += "id:"
            login.removeFirst(3)
        }
        let masked = login.count == 11 ? mask(login, keepPrefix: 3, keepSuffix: 4) : mask(login, keepPrefix: 4, keepSuffix: 4)
        return prefix + masked
    }
}
