import Foundation

/// 办理结果公示 (R8.5.6; 行政许可法第四十条：准予行政许可的决定，应当予以公开，公众有权查阅;
/// 政府信息公开条例第二十条第（六）项). What of a decision the public page may show, as pure rules.
///
/// Shown: the item, the holder, the decision and its document number, the date, the deciding
/// organ and the region. Never an ID number, a phone number or an address.
/// A result stays public once published: neither article sets a period after which a granted
/// licence is withdrawn from view, and the licence holds until it is revoked or lapses.
public enum Publicity {
    /// Who the decision was granted to, as the public sees it. A legal person's (or other
    /// organisation's) name is public information and appears in full; a natural person's is
    /// personal information (个人信息保护法第二十八条 for ID numbers; 政府信息公开条例第十五条),
    /// shown with the family name only (张三 → 张*, `Masking.name`).
    public static func holderName(_ name: String, isOrganisation: Bool) -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return isOrganisation ? name : Masking.name(name)
    }

    /// Rows per page of the public list.
    public static let pageSize = 20
    /// The deepest page served: offset paging reads and skips the rows before the page, so the
    /// depth is bounded (20,000 rows); further back, searching narrows the list.
    public static let maxPage = 1000
    /// The longest search text taken.
    public static let maxQueryLength = 50

    /// The page asked for: absent or empty is the first; otherwise a whole number 1…`maxPage`,
    /// anything else is refused (nil), never guessed.
    public static func page(_ text: String?) -> Int? {
        guard let text, !text.isEmpty else { return 1 }
        guard text.count <= 4, text.allSatisfy(\.isASCII), let page = Int(text), (1...maxPage).contains(page) else { return nil }
        return page
    }

    /// The search text: trimmed and cut to `maxQueryLength` characters.
    public static func query(_ text: String?) -> String {
        String((text ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(maxQueryLength))
    }
}
