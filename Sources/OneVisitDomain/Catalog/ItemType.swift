/// 事项类型 (R4.1): the power items on application and public services. Penalties,
/// enforcement and commercial services are not items (R4.2) and are refused on entry.
public enum ItemType: String, Sendable, Codable, CaseIterable, Hashable {
    case licensing, confirmation, benefit, adjudication, award, otherPower, publicService

    public var chineseName: String {
        switch self {
        case .licensing: "行政许可"
        case .confirmation: "行政确认"
        case .benefit: "行政给付"
        case .adjudication: "行政裁决"
        case .award: "行政奖励"
        case .otherPower: "其他行政权力"
        case .publicService: "公共服务"
        }
    }

    /// The two letters that open an item code of this type (see `ItemCode`).
    public var codePrefix: String {
        switch self {
        case .licensing: "XK"
        case .confirmation: "QR"
        case .benefit: "JF"
        case .adjudication: "CJ"
        case .award: "JL"
        case .otherPower: "QT"
        case .publicService: "GG"
        }
    }

    /// Names that are never items (R4.2), with the reason shown to the catalog admin.
    static let excluded: [String: String] = [
        "penalty": "行政处罚不列入政务服务事项目录（DB41/T 1700.1 第 4 章）",
        "enforcement": "行政强制不列入政务服务事项目录（DB41/T 1700.1 第 4 章）",
        "commercialService": "商业性服务不列入政务服务事项目录（DB41/T 1700.1 第 4 章）",
    ]

    /// Parses a type from its code name; penalties, enforcement and commercial services
    /// are refused with their own error.
    public static func parse(_ raw: String) throws(CatalogError) -> ItemType {
        if let type = ItemType(rawValue: raw) { return type }
        if let reason = excluded[raw] { throw CatalogError(code: "item.type_excluded", message: reason, field: "itemType") }
        throw CatalogError(code: "item.type_unknown", message: "事项类型不正确，应为：行政许可、行政确认、行政给付、行政裁决、行政奖励、其他行政权力或公共服务", field: "itemType")
    }
}

/// A catalog rule broken: stable code, Chinese message, the field concerned.
public struct CatalogError: Error, Sendable, Equatable {
    public var code: String
    public var message: String
    public var field: String?
    public init(code: String, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }
}

/// 事项编码. Format (after DB52/T 1264-2018, see FACTS.md): ten characters — the
/// type's two letters, a five-digit main-item number and a three-digit sub-item number
/// (`000` when the item has no sub-items), e.g. `XK00012001`.
public struct ItemCode: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String, type: ItemType? = nil) throws(CatalogError) {
        let code = raw.trimmingCharacters(in: .whitespaces).uppercased()
        let chars = Array(code)
        guard chars.count == 10,
              chars[0...1].allSatisfy({ $0.isASCII && $0.isUppercase }),
              chars[2...].allSatisfy({ $0.isASCII && $0.isNumber })
        else {
            throw CatalogError(code: "item.code_format", message: "事项编码格式不正确：应为 2 位类型字母 + 5 位主项编号 + 3 位子项编号，如 XK00012001", field: "itemCode")
        }
        let prefix = String(chars[0...1])
        guard let prefixType = ItemType.allCases.first(where: { $0.codePrefix == prefix }) else {
            throw CatalogError(code: "item.code_format", message: "事项编码的类型字母 \(prefix) 不存在", field: "itemCode")
        }
        if let type, type != prefixType {
            throw CatalogError(code: "item.code_type_mismatch", message: "事项编码以 \(prefix) 开头，表示\(prefixType.chineseName)，与事项类型“\(type.chineseName)”不符", field: "itemCode")
        }
        guard String(chars[2...6]) != "00000" else {
            throw CatalogError(code: "item.code_format", message: "主项编号不能为 00000", field: "itemCode")
        }
        value = code
    }

    public var mainNumber: String { String(value.dropFirst(2).prefix(5)) }
    public var subNumber: String { String(value.suffix(3)) }
    public var hasSubItem: Bool { subNumber != "000" }
    public var description: String { value }
    public static func < (lhs: ItemCode, rhs: ItemCode) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { self = try ItemCode(raw) } catch { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
