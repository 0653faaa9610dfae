/// What a form field holds (R7.3.1): the platform pre-fills a field by its meaning, never by
/// guessing from its label. A closed set; `other` is a field only the applicant can fill.
public enum FieldMeaning: String, Sendable, Codable, CaseIterable, Hashable {
    /// The applicant's own name: a person's name, an organisation's registered name.
    case applicantName
    /// A person's 居民身份证号码.
    case idNumber
    /// An organisation's 统一社会信用代码 (also its 纳税人识别号).
    case creditCode
    /// 证件号码 of whichever applicant applies: a person's ID number, an organisation's credit code.
    case certificateNumber
    /// 法定代表人（负责人）.
    case legalRepresentative
    /// 联系人 / 经办人 / 联络员.
    case contactPerson
    case phone
    /// The applicant's 住所 / 户籍地址.
    case address
    /// Where results are posted.
    case postalAddress
    case other

    public var chineseName: String {
        switch self {
        case .applicantName: "申请人名称"
        case .idNumber: "身份证件号码"
        case .creditCode: "统一社会信用代码"
        case .certificateNumber: "证件号码（个人身份证件或统一社会信用代码）"
        case .legalRepresentative: "法定代表人"
        case .contactPerson: "联系人"
        case .phone: "联系电话"
        case .address: "住所地址"
        case .postalAddress: "邮寄地址"
        case .other: "由申请人填写"
        }
    }

    /// A meaning as text, refused with a clear message when it is not one of the set.
    public static func parse(_ raw: String) throws(CatalogError) -> FieldMeaning {
        guard let meaning = FieldMeaning(rawValue: raw) else {
            throw CatalogError(code: "item.field_meaning_unknown",
                               message: "表单字段含义“\(raw)”不存在，可选：\(allCases.map(\.rawValue).joined(separator: "、"))", field: "formFields")
        }
        return meaning
    }
}

/// One field of an item's application form: its label and what it holds.
/// Definitions stored before meanings existed hold plain labels; those decode as `other`.
public struct FormField: Sendable, Hashable, Codable, ExpressibleByStringLiteral {
    public var name: String
    public var meaning: FieldMeaning

    public init(_ name: String, _ meaning: FieldMeaning = .other) {
        self.name = name
        self.meaning = meaning
    }

    public init(stringLiteral name: String) { self.init(name) }

    enum CodingKeys: String, CodingKey { case name, meaning }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            self.init(name)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try c.decodeIfPresent(String.self, forKey: .meaning) ?? FieldMeaning.other.rawValue
        guard let meaning = FieldMeaning(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(forKey: .meaning, in: c, debugDescription: "表单字段含义“\(raw)”不存在")
        }
        self.init(try c.decode(String.self, forKey: .name), meaning)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(meaning, forKey: .meaning)
    }
}

extension Array where Element == FormField {
    /// The labels, in order: what the applicant reads and the ten-sames compare (R3.10).
    public var names: [String] { map(\.name) }
}
