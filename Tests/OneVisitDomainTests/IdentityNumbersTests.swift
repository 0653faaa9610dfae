import Foundation
import Testing
@testable import OneVisitDomain

// Fixtures below were computed independently of the implementation
// (GB 11643-1999 / ISO 7064 MOD 11-2 and GB 32100-2015 check characters).

// MARK: - Resident identity numbers (GB 11643-1999)

@Suite("ResidentID")
struct ResidentIDTests {
    @Test(arguments: [
        "11010519491231002X",
        "410101200002291230",
        "410101199902281235",
        "420100199001010011",
        "310115202402290011",
        "110105200001010016",
        "110105200001010024",
        "510101198001011237",
        "330106198501010028",
    ])
    func residentID_knownValidNumbers_areAccepted(_ raw: String) throws {
        let id = try ResidentID(raw)
        #expect(id.value == raw)
    }

    @Test func residentID_classicExample_exposesParts() throws {
        let id = try ResidentID("11010519491231002X")
        #expect(id.value == "11010519491231002X")
        #expect(id.regionCode == "110105")
        #expect(id.provinceCode == "11")
        #expect(id.birthDate == CalendarDate(year: 1949, month: 12, day: 31))
        #expect(id.birthDate.description == "1949-12-31")
        #expect(id.isMale == false)
    }

    @Test func residentID_oddSeventeenthDigit_isMale() throws {
        #expect(try ResidentID("110105200001010016").isMale == true)
        #expect(try ResidentID("110105200001010024").isMale == false)
        #expect(try ResidentID("510101198001011237").isMale == true)
    }

    @Test func residentID_lowercaseX_isAcceptedAndUppercased() throws {
        let id = try ResidentID("11010519491231002x")
        #expect(id.value == "11010519491231002X")
        #expect(id == (try ResidentID("11010519491231002X")))
    }

    @Test func residentID_surroundingWhitespace_isTrimmed() throws {
        let id = try ResidentID(" \t11010519491231002X\u{3000}\n")
        #expect(id.value == "11010519491231002X")
    }

    @Test func residentID_masked_keepsFirstAndLastFour() throws {
        let id = try ResidentID("11010519491231002X")
        #expect(id.masked == "1101**********002X")
        #expect(id.masked.count == 18)
        #expect(try ResidentID("410101200002291230").masked == "4101**********1230")
    }

    @Test func residentID_description_isMasked() throws {
        let id = try ResidentID("11010519491231002X")
        #expect(id.description == "1101**********002X")
        #expect("\(id)".contains("19491231") == false)
    }

    @Test(arguments: Array("0123456789"))
    func residentID_wrongCheckCharacter_isRejected(_ last: Character) {
        // The correct check character for 11010519491231002 is X, so every digit is wrong.
        #expect(throws: IdentityNumberError.residentIDCheckCharacter) {
            try ResidentID("11010519491231002" + String(last))
        }
    }

    @Test func residentID_digitSwap_isDetectedByCheckCharacter() {
        // Transposing two digits keeps length, region and date valid but breaks MOD 11-2.
        #expect(throws: IdentityNumberError.residentIDCheckCharacter) {
            try ResidentID("11010519491231020X")
        }
    }

    @Test(arguments: ["", "11010519491231002", "11010519491231002X1", "110105491231002", "1101051949123100 2X"])
    func residentID_wrongLength_isRejected(_ raw: String) {
        #expect(throws: IdentityNumberError.residentIDLength) { try ResidentID(raw) }
    }

    @Test(arguments: [
        "1101051949123100AX",  // letter in the body
        "X10105194912310021",  // X not in last position
        "11010519491231002Y",  // last character neither digit nor X
        "１10105194912310021",  // full-width digit (18 characters, not ASCII)
        "110105-94912310021",
    ])
    func residentID_invalidCharacters_areRejected(_ raw: String) {
        #expect(throws: IdentityNumberError.residentIDCharacters) { try ResidentID(raw) }
    }

    @Test func residentID_unknownProvincePrefix99_isRejected() {
        // 990101198001010014 carries a correct check character; only the region is wrong.
        #expect(throws: IdentityNumberError.residentIDRegion) { try ResidentID("990101198001010014") }
        #expect(throws: IdentityNumberError.residentIDRegion) { try ResidentID("000101198001010015") }
    }

    @Test func residentID_retiredCountyCodeWithValidProvince_isAccepted() throws {
        // 110104 was Xuanwu District (宣武区), merged into Xicheng in 2010; numbers stay valid.
        let id = try ResidentID("11010419800101001X")
        #expect(id.regionCode == "110104")
    }

    @Test func residentID_birthBefore1900_isRejected() {
        // 440524188001010014 has a correct check character but was "born" in 1880.
        #expect(ResidentID.checkCharacter(for: "44052418800101001") == "4")
        #expect(throws: IdentityNumberError.residentIDBirthDate) { try ResidentID("440524188001010014") }
    }

    @Test func residentID_birthOnFirstDayOf1900_isAccepted() throws {
        let id = try ResidentID("11010519000101001X")
        #expect(id.birthDate == CalendarDate(year: 1900, month: 1, day: 1))
    }

    @Test func residentID_february29InLeapYears_isAccepted() throws {
        #expect(try ResidentID("110105200002290021").birthDate == CalendarDate(year: 2000, month: 2, day: 29))
        #expect(try ResidentID("440106202402290030").birthDate == CalendarDate(year: 2024, month: 2, day: 29))
    }

    @Test(arguments: [
        "110105190002290017",  // 1900 is not a leap year (century not divisible by 400)
        "110105199902290013",  // 1999 is not a leap year
        "110105198013010013",  // month 13
        "110105198004310014",  // April has 30 days
        "110105198001000010",  // day 0
    ])
    func residentID_nonexistentBirthDate_isRejected(_ raw: String) {
        #expect(throws: IdentityNumberError.residentIDBirthDate) { try ResidentID(raw) }
    }

    @Test func residentID_birthDateAfterToday_isRejected() throws {
        // 2024-02-28T16:00:00Z is 2024-02-29 00:00 in China Standard Time.
        let startOfFeb29InChina = Date(timeIntervalSince1970: 1_709_136_000)
        let dayBefore = startOfFeb29InChina.addingTimeInterval(-1)
        #expect(throws: IdentityNumberError.residentIDBirthDate) {
            try ResidentID("440106202402290030", today: dayBefore)
        }
        #expect(try ResidentID("440106202402290030", today: startOfFeb29InChina).birthDate
            == CalendarDate(year: 2024, month: 2, day: 29))
        // Without `today` no upper bound is applied.
        #expect(try ResidentID("440106202402290030").value == "440106202402290030")
    }

    @Test func residentID_checkCharacter_computesMod11_2() {
        #expect(ResidentID.checkCharacter(for: "11010519491231002") == "X")
        #expect(ResidentID.checkCharacter(for: "11010519491231001") == "1")
        #expect(ResidentID.checkCharacter(for: "41010120000229123") == "0")
        #expect(ResidentID.checkCharacter(for: "1101051949123100") == nil)
        #expect(ResidentID.checkCharacter(for: "110105194912310021") == nil)
        #expect(ResidentID.checkCharacter(for: "1101051949123100A") == nil)
    }

    @Test func residentID_firstFailingRuleWins() {
        // Bad region and bad date and bad check character: region is reported first.
        #expect(throws: IdentityNumberError.residentIDRegion) { try ResidentID("990101180013010011") }
        // Bad date and bad check character: date is reported.
        #expect(throws: IdentityNumberError.residentIDBirthDate) { try ResidentID("110105199902290010") }
    }
}

// MARK: - Unified social credit codes (GB 32100-2015)

@Suite("CreditCode")
struct CreditCodeTests {
    @Test(arguments: [
        "91350100M000100Y43",
        "91110000802100433B",
        "91440300192208011U",
        "12100000400000000W",
        "53100000500021676K",
        "91310000MA1FL0000N",
        "91442406PMJ1BDC9X0",  // weighted sum ≡ 0 (mod 31): c = 31 → 0
    ])
    func creditCode_knownValidCodes_areAccepted(_ raw: String) throws {
        #expect(try CreditCode(raw).value == raw)
    }

    @Test func creditCode_exposesParts() throws {
        let code = try CreditCode("91350100M000100Y43")
        #expect(code.registrationAuthorityCode == "9")
        #expect(code.organizationTypeCode == "1")
        #expect(code.areaCode == "350100")
        #expect(code.organizationCode == "M000100Y4")
        #expect(code.description == "91350100M000100Y43")
    }

    @Test func creditCode_masked_keepsFirstSixAndLastFour() throws {
        let code = try CreditCode("91350100M000100Y43")
        #expect(code.masked == "913501********0Y43")
        #expect(code.masked.count == 18)
    }

    @Test func creditCode_lowercase_isAcceptedAndUppercased() throws {
        let code = try CreditCode(" 91350100m000100y43 ")
        #expect(code.value == "91350100M000100Y43")
    }

    @Test func creditCode_changedCheckCharacter_isRejected() {
        for candidate in CreditCode.alphabet where candidate != "3" {
            #expect(throws: IdentityNumberError.creditCodeCheckCharacter) {
                try CreditCode("91350100M000100Y4" + String(candidate))
            }
        }
    }

    @Test func creditCode_changedBodyCharacter_isRejected() {
        #expect(throws: IdentityNumberError.creditCodeCheckCharacter) { try CreditCode("91350100M000101Y43") }
        #expect(throws: IdentityNumberError.creditCodeCheckCharacter) { try CreditCode("92350100M000100Y43") }
    }

    @Test(arguments: Array("IOSVZiosvz"))
    func creditCode_excludedLetters_areRejected(_ letter: Character) {
        #expect(throws: IdentityNumberError.creditCodeCharacters) {
            try CreditCode("91350100" + String(letter) + "000100Y43")
        }
    }

    @Test func creditCode_nonDigitAreaCode_isRejected() {
        #expect(throws: IdentityNumberError.creditCodeCharacters) { try CreditCode("913A0100M000100Y43") }
    }

    @Test func creditCode_punctuation_isRejected() {
        #expect(throws: IdentityNumberError.creditCodeCharacters) { try CreditCode("91350100-000100Y43") }
    }

    @Test(arguments: ["", "91350100M000100Y4", "91350100M000100Y431", "000100Y43"])
    func creditCode_wrongLength_isRejected(_ raw: String) {
        #expect(throws: IdentityNumberError.creditCodeLength) { try CreditCode(raw) }
    }

    @Test func creditCode_checkCharacter_computesGB32100() {
        #expect(CreditCode.checkCharacter(for: "91350100M000100Y4") == "3")
        #expect(CreditCode.checkCharacter(for: "91110000802100433") == "B")
        #expect(CreditCode.checkCharacter(for: "00000000000000000") == "0")
        #expect(CreditCode.checkCharacter(for: "91442406PMJ1BDC9X") == "0")
        #expect(CreditCode.checkCharacter(for: "91350100M000100Y") == nil)
        #expect(CreditCode.checkCharacter(for: "91350100O000100Y4") == nil)
    }
}

// MARK: - Mobile numbers

@Suite("MobileNumber")
struct MobileNumberTests {
    @Test(arguments: [
        "13800138000",
        "+8613800138000",
        "8613800138000",
        "+86 138 0013 8000",
        "138-0013-8000",
        " +86-138-0013-8000 ",
    ])
    func mobile_acceptedForms_normaliseToElevenDigits(_ raw: String) throws {
        #expect(try MobileNumber(raw).value == "13800138000")
    }

    @Test(arguments: ["13", "14", "15", "16", "17", "18", "19"])
    func mobile_secondDigitThreeToNine_isAccepted(_ prefix: String) throws {
        #expect(try MobileNumber(prefix + "012345678").value == prefix + "012345678")
    }

    @Test(arguments: [
        "",
        "138001380001",     // 12 digits
        "1380013800",       // 10 digits
        "12800138000",      // second digit 2
        "10800138000",      // second digit 0
        "23800138000",      // does not start with 1
        "1380013800a",
        "+1 13800138000",   // foreign country code
        "+86138001380001",  // 12 digits after +86
        "０13800138000",
    ])
    func mobile_invalidNumbers_areRejected(_ raw: String) {
        #expect(throws: IdentityNumberError.mobileNumber) { try MobileNumber(raw) }
    }

    @Test func mobile_masked_keepsFirstThreeAndLastFour() throws {
        let mobile = try MobileNumber("+86 138 0000 1234")
        #expect(mobile.masked == "138****1234")
        #expect(mobile.description == "138****1234")
    }
}

// MARK: - Errors

@Suite("IdentityNumberError")
struct IdentityNumberErrorTests {
    static let all: [IdentityNumberError] = [
        .residentIDLength, .residentIDCharacters, .residentIDRegion, .residentIDBirthDate,
        .residentIDCheckCharacter, .creditCodeLength, .creditCodeCharacters,
        .creditCodeCheckCharacter, .mobileNumber,
    ]

    @Test func error_codes_areStableAndDistinct() {
        #expect(IdentityNumberError.residentIDCheckCharacter.code == "resident_id.check_character")
        #expect(IdentityNumberError.residentIDBirthDate.code == "resident_id.birth_date")
        #expect(IdentityNumberError.residentIDRegion.code == "resident_id.region")
        #expect(IdentityNumberError.residentIDLength.code == "resident_id.length")
        #expect(IdentityNumberError.residentIDCharacters.code == "resident_id.characters")
        #expect(IdentityNumberError.creditCodeCheckCharacter.code == "credit_code.check_character")
        #expect(IdentityNumberError.creditCodeLength.code == "credit_code.length")
        #expect(IdentityNumberError.creditCodeCharacters.code == "credit_code.characters")
        #expect(IdentityNumberError.mobileNumber.code == "mobile.invalid")
        #expect(Set(Self.all.map(\.code)).count == Self.all.count)
    }

    @Test func error_messages_areChineseAndDistinct() {
        #expect(IdentityNumberError.residentIDCheckCharacter.message == "身份证号码校验位不正确，请核对最后一位")
        #expect(IdentityNumberError.residentIDBirthDate.message.hasPrefix("身份证号码中的出生日期不存在"))
        #expect(IdentityNumberError.creditCodeCheckCharacter.message.hasPrefix("统一社会信用代码校验位不正确"))
        for error in Self.all {
            #expect(error.message.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) })
        }
        #expect(Set(Self.all.map(\.message)).count == Self.all.count)
    }
}

// MARK: - CalendarDate

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test func calendarDate_validatesDays() {
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2023, month: 11, day: 31) == nil)
        #expect(CalendarDate(year: 2023, month: 0, day: 1) == nil)
        #expect(CalendarDate(year: 0, month: 1, day: 1) == nil)
    }

    @Test func calendarDate_parsesYYYYMMDD() {
        #expect(CalendarDate(yyyymmdd: "19491231") == CalendarDate(year: 1949, month: 12, day: 31))
        #expect(CalendarDate(yyyymmdd: "1949123") == nil)
        #expect(CalendarDate(yyyymmdd: "1949-1-1") == nil)
        #expect(CalendarDate(yyyymmdd: "19490230") == nil)
    }

    @Test func calendarDate_descriptionIsZeroPadded() {
        #expect(CalendarDate(year: 987, month: 3, day: 7)?.description == "0987-03-07")
    }

    @Test func calendarDate_fromDate_usesTimeZone() {
        let instant = Date(timeIntervalSince1970: 1_709_136_000)  // 2024-02-28T16:00:00Z
        #expect(CalendarDate(date: instant, timeZone: TimeZone(secondsFromGMT: 0)!)
            == CalendarDate(year: 2024, month: 2, day: 28))
        #expect(CalendarDate(date: instant, timeZone: TimeZone(secondsFromGMT: 8 * 3600)!)
            == CalendarDate(year: 2024, month: 2, day: 29))
    }

    @Test func calendarDate_ordersChronologically() throws {
        let a = try #require(CalendarDate(year: 1999, month: 12, day: 31))
        let b = try #require(CalendarDate(year: 2000, month: 1, day: 1))
        let c = try #require(CalendarDate(year: 2000, month: 2, day: 1))
        #expect(a < b && b < c)
        #expect([c, a, b].sorted() == [a, b, c])
    }

    @Test func calendarDate_codableRoundTripAndRejectsInvalid() throws {
        let date = try #require(CalendarDate(year: 2024, month: 2, day: 29))
        let data = try JSONEncoder().encode(date)
        #expect(try JSONDecoder().decode(CalendarDate.self, from: data) == date)
        let invalid = Data(#"{"year":2023,"month":2,"day":29}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CalendarDate.self, from: invalid) }
    }
}
