/// An administrative division code per GB/T 2260: six digits, province (`PP0000`),
/// prefecture-level city (`PPCC00`) or county-level division (`PPCCXX`).
public struct RegionCode: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public enum Level: String, Sendable, Codable, CaseIterable {
        case province, city, county

        public var chineseName: String {
            switch self {
            case .province: "省级"
            case .city: "市级"
            case .county: "县级"
            }
        }
    }

    public let value: String

    public init?(_ raw: String) {
        guard raw.count == 6, raw.allSatisfy({ $0.isASCII && $0.isNumber }), !raw.hasPrefix("00") else { return nil }
        // A city part of 00 with a county part other than 00 is not a code.
        if raw.dropFirst(2).prefix(2) == "00", raw.suffix(2) != "00" { return nil }
        self.value = raw
    }

    public var level: Level {
        if value.hasSuffix("0000") { return .province }
        if value.hasSuffix("00") { return .city }
        return .county
    }

    /// The code of the level above, nil for a province.
    public var parent: RegionCode? {
        switch level {
        case .province: nil
        case .city: RegionCode(String(value.prefix(2)) + "0000")
        case .county: RegionCode(String(value.prefix(4)) + "00")
        }
    }

    public var description: String { value }
    public static func < (lhs: RegionCode, rhs: RegionCode) -> Bool { lhs.value < rhs.value }
}
