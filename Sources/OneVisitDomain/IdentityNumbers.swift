#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// MARK: - Errors

/// Why an identity number entered by a citizen or organisation was rejected.
///
/// `code` is stable and meant for APIs, logs and tests; `message` is a Chinese
/// sentence that can be shown to the citizen as-is.
public enum IdentityNumberError: Error, Sendable, Equatable {
    /// Resident identity number is not exactly 18 characters long.
    case residentIDLength
    /// Resident identity number is not 17 digits followed by a digit or `X`.
    case residentIDCharacters
    /// The first two digits are not a province-level GB/T 2260 code.
    case residentIDRegion
    /// Characters 1–6 are not a GB/T 2260 address code, current or historical (GB 11643-1999 §4.2).
    case residentIDAddressCode
    /// Characters 7–14 are not a real date, lie before 1900-01-01 or after today.
    case residentIDBirthDate
    /// The 18th character does not match the ISO 7064 MOD 11-2 check character.
    case residentIDCheckCharacter
    /// Unified social credit code is not exactly 18 characters long.
    case creditCodeLength
    /// Unified social credit code contains characters outside the GB 32100-2015 set
    /// (or a non-digit in the area code, positions 3–8).
    case creditCodeCharacters
    /// The 18th character of the credit code does not match its GB 32100-2015 check character.
    case creditCodeCheckCharacter
    /// Not a mainland China mobile number.
    case mobileNumber

    /// Stable machine-readable code, e.g. `"resident_id.check_character"`.
    public var code: String {
        switch self {
        case .residentIDLength: "resident_id.length"
        case .residentIDCharacters: "resident_id.characters"
        case .residentIDRegion: "resident_id.region"
        case .residentIDAddressCode: "resident_id.address_code"
        case .residentIDBirthDate: "resident_id.birth_date"
        case .residentIDCheckCharacter: "resident_id.check_character"
        case .creditCodeLength: "credit_code.length"
        case .creditCodeCharacters: "credit_code.characters"
        case .creditCodeCheckCharacter: "credit_code.check_character"
        case .mobileNumber: "mobile.invalid"
        }
    }

    /// Message for the citizen, in Simplified Chinese.
    public var message: String {
        switch self {
        case .residentIDLength: "身份证号码应为18位，请核对后重新输入"
        case .residentIDCharacters: "身份证号码格式不正确：前17位应为数字，最后一位为数字或字母X"
        case .residentIDRegion: "身份证号码中的地区代码不正确，请核对前两位"
        case .residentIDAddressCode: "身份证号码前6位（地址码）不是现行或历史上的行政区划代码，请核对前6位"
        case .residentIDBirthDate: "身份证号码中的出生日期不存在，请核对第7至14位"
        case .residentIDCheckCharacter: "身份证号码校验位不正确，请核对最后一位"
        case .creditCodeLength: "统一社会信用代码应为18位，请核对后重新输入"
        case .creditCodeCharacters: "统一社会信用代码含有无效字符（不使用字母I、O、S、V、Z），请核对后重新输入"
        case .creditCodeCheckCharacter: "统一社会信用代码校验位不正确，请核对最后一位"
        case .mobileNumber: "手机号码格式不正确，请输入11位中国大陆手机号码"
        }
    }
}

// MARK: - Shared helpers

extension String {
    /// Removes leading and trailing Unicode whitespace (including the ideographic space U+3000).
    fileprivate var trimmedForIdentity: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }

    /// Keeps the first `head` and last `tail` characters, replacing the rest with `*`.
    fileprivate func maskedKeeping(head: Int, tail: Int) -> String {
        guard count > head + tail else { return self }
        return String(prefix(head)) + String(repeating: "*", count: count - head - tail) + String(suffix(tail))
    }
}

private extension UInt8 {
    var isASCIIDigit: Bool { self >= 0x30 && self <= 0x39 }
    var asciiUppercased: UInt8 { (0x61...0x7A).contains(self) ? self - 0x20 : self }
}

// MARK: - Resident identity number (GB 11643-1999)

/// An 18-character citizen identity number as defined by GB 11643-1999
/// (公民身份号码): 6-digit address code, 8-digit birth date, 3-digit sequence
/// code (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
///
/// `description` is the masked form so that the full number does not leak into logs;
/// use `value` where the full number is really needed.
public struct ResidentID: Sendable, Hashable, CustomStringConvertible {
    /// The normalised number: 18 characters, check character `X` in upper case.
    public let value: String
    /// Birth date encoded in characters 7–14.
    public let birthDate: CalendarDate

    /// Province-level prefixes of GB/T 2260 (including 71 Taiwan; 81 Hong Kong, 82 Macao and
    /// 83 Taiwan as used on residence permits of their residents). The whole six-digit address
    /// code is then checked against `AddressCodes`, historical codes included: county codes
    /// change over time and numbers issued under retired codes remain valid for life.
    public static let provinceCodes: Set<String> = [
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    ]

    /// Earliest accepted birth date.
    public static let earliestBirthDate = CalendarDate(year: 1900, month: 1, day: 1)!

    /// ISO 7064 MOD 11-2 weights for the first 17 digits (2^(18-i) mod 11).
    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// Check character indexed by (Σ digit×weight) mod 11.
    private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// China Standard Time (UTC+8, no daylight saving) — the calendar in which "today" is judged.
    private static let chinaTimeZone = TimeZone(secondsFromGMT: 8 * 3600)!

    /// Validates and normalises a resident identity number.
    ///
    /// Surrounding whitespace is trimmed and a lowercase `x` check character is accepted.
    /// - Parameters:
    ///   - raw: The number as entered.
    ///   - today: When given, birth dates after this day (in China Standard Time) are rejected.
    /// - Throws: The first rule that fails, in order: length, characters, region (province),
    ///   address code (all six digits, GB 11643-1999 §4.2), birth date, check character.
    public init(_ raw: String, today: Date? = nil) throws(IdentityNumberError) {
        let trimmed = raw.trimmedForIdentity
        guard trimmed.count == 18 else { throw .residentIDLength }
        var bytes = Array(trimmed.utf8)
        guard bytes.count == 18 else { throw .residentIDCharacters } // non-ASCII characters present
        bytes[17] = bytes[17].asciiUppercased
        guard bytes[0..<17].allSatisfy(\.isASCIIDigit),
              bytes[17].isASCIIDigit || bytes[17] == UInt8(ascii: "X")
        else { throw .residentIDCharacters }
        let normalised = String(decoding: bytes, as: UTF8.self)

        guard Self.provinceCodes.contains(String(normalised.prefix(2))) else { throw .residentIDRegion }
        guard AddressCodes.contains(String(normalised.prefix(6))) else { throw .residentIDAddressCode }

        let birthDigits = String(decoding: bytes[6..<14], as: UTF8.self)
        guard let birth = CalendarDate(yyyymmdd: birthDigits), birth >= Self.earliestBirthDate
        else { throw .residentIDBirthDate }
        if let today, birth > CalendarDate(date: today, timeZone: Self.chinaTimeZone) {
            throw .residentIDBirthDate
        }

        guard Self.checkCharacter(for: String(normalised.prefix(17))) == normalised.last
        else { throw .residentIDCheckCharacter }

        self.value = normalised
        self.birthDate = birth
    }

    /// ISO 7064 MOD 11-2 check character for the first 17 digits, or `nil` if
    /// `first17` is not exactly 17 ASCII digits.
    public static func checkCharacter(for first17: String) -> Character? {
        let bytes = Array(first17.utf8)
        guard bytes.count == 17, bytes.allSatisfy(\.isASCIIDigit) else { return nil }
        var sum = 0
        for (byte, weight) in zip(bytes, weights) {
            sum += Int(byte - 0x30) * weight
        }
        return checkCharacters[sum % 11]
    }

    /// Six-digit GB/T 2260 address code of the place of first registration.
    public var regionCode: String { String(value.prefix(6)) }

    /// Two-digit province-level prefix of `regionCode`.
    public var provinceCode: String { String(value.prefix(2)) }

    /// Sex from the sequence code: the 17th digit is odd for men, even for women.
    public var isMale: Bool {
        let seventeenth = Array(value.utf8)[16] - 0x30
        return seventeenth % 2 == 1
    }

    /// First 4 and last 4 characters kept, e.g. `"1101**********002X"`.
    public var masked: String { value.maskedKeeping(head: 4, tail: 4) }

    /// The masked number (see `masked`).
    public var description: String { masked }
}

// MARK: - Unified social credit code (GB 32100-2015)

/// An 18-character unified social credit code for legal persons and other
/// organisations as defined by GB 32100-2015 (法人和其他组织统一社会信用代码编码规则).
///
/// Layout: 1 registering-authority code, 2 organisation-type code, 3–8 GB/T 2260
/// area code, 9–17 organisation code (GB 11714), 18 check character.
public struct CreditCode: Sendable, Hashable, CustomStringConvertible {
    /// The normalised code, upper case.
    public let value: String

    /// The 31 characters of GB 32100-2015; the letters I, O, S, V and Z are not used.
    /// A character's index is its numeric value in the check computation.
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    /// Weights of positions 1–17 (3^(i-1) mod 31).
    private static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    private static let valueOf: [UInt8: Int] = {
        var table: [UInt8: Int] = [:]
        for (index, character) in alphabet.enumerated() {
            table[character.asciiValue!] = index
        }
        return table
    }()

    /// Validates and normalises a unified social credit code.
    ///
    /// Surrounding whitespace is trimmed and lowercase letters are accepted.
    /// - Throws: `.creditCodeLength`, `.creditCodeCharacters` or `.creditCodeCheckCharacter`.
    public init(_ raw: String) throws(IdentityNumberError) {
        let trimmed = raw.trimmedForIdentity
        guard trimmed.count == 18 else { throw .creditCodeLength }
        let bytes = trimmed.utf8.map(\.asciiUppercased)
        guard bytes.count == 18,
              bytes.allSatisfy({ Self.valueOf[$0] != nil }),
              bytes[2..<8].allSatisfy(\.isASCIIDigit)
        else { throw .creditCodeCharacters }
        let normalised = String(decoding: bytes, as: UTF8.self)
        guard Self.checkCharacter(for: String(normalised.prefix(17))) == normalised.last
        else { throw .creditCodeCheckCharacter }
        self.value = normalised
    }

    /// GB 32100-2015 check character for the first 17 characters, or `nil` if
    /// `first17` is not 17 characters from `alphabet` (lowercase letters are accepted).
    ///
    /// c = 31 − (Σ value×weight mod 31), with 31 mapped to 0; the result is `alphabet[c]`.
    public static func checkCharacter(for first17: String) -> Character? {
        let bytes = first17.utf8.map(\.asciiUppercased)
        guard bytes.count == 17 else { return nil }
        var sum = 0
        for (byte, weight) in zip(bytes, weights) {
            guard let number = valueOf[byte] else { return nil }
            sum += number * weight
        }
        let check = 31 - sum % 31
        return alphabet[check == 31 ? 0 : check]
    }

    /// Position 1: registering-authority code (e.g. `9` market regulation, `5` civil affairs, `1` institutional establishment).
    public var registrationAuthorityCode: Character { value.first! }

    /// Position 2: organisation-type code within the registering authority (e.g. `1` enterprise under `9`).
    public var organizationTypeCode: Character { Array(value)[1] }

    /// Positions 3–8: GB/T 2260 administrative area code of the registering authority.
    public var areaCode: String { String(Array(value)[2..<8]) }

    /// Positions 9–17: organisation code (GB 11714 body including its own check character).
    public var organizationCode: String { String(Array(value)[8..<17]) }

    /// First 6 and last 4 characters kept, e.g. `"913501********0Y43"`.
    public var masked: String { value.maskedKeeping(head: 6, tail: 4) }

    /// The full code: credit codes are public register information.
    public var description: String { value }
}

// MARK: - Mainland mobile number

/// A mainland China mobile number: 11 digits, `1` followed by `3`–`9`.
///
/// `description` is the masked form; use `value` where the full number is needed.
public struct MobileNumber: Sendable, Hashable, CustomStringConvertible {
    /// The 11 digits, without country code or separators.
    public let value: String

    /// Validates a mobile number, accepting an optional `+86` / `86` country code and
    /// ignoring spaces and hyphens (e.g. `"+86 138-0013-8000"`).
    /// - Throws: `.mobileNumber`.
    public init(_ raw: String) throws(IdentityNumberError) {
        var digits = String(raw.filter { !$0.isWhitespace && $0 != "-" })
        if digits.hasPrefix("+86") {
            digits.removeFirst(3)
        } else if digits.hasPrefix("86"), digits.count == 13 {
            digits.removeFirst(2)
        }
        let bytes = Array(digits.utf8)
        guard bytes.count == 11,
              bytes.allSatisfy(\.isASCIIDigit),
              bytes[0] == UInt8(ascii: "1"),
              (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(bytes[1])
        else { throw .mobileNumber }
        self.value = digits
    }

    /// First 3 and last 4 digits kept, e.g. `"138****1234"`.
    public var masked: String { value.maskedKeeping(head: 3, tail: 4) }

    /// The masked number (see `masked`).
    public var description: String { masked }
}
