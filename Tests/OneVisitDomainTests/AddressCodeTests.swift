import Foundation
import OneVisitDomain
import Testing

/// GB 11643-1999 §4.2: the first six characters of a resident identity number are a GB/T 2260
/// address code; all six are checked, historical codes included (issue 13, point 4).
@Suite("Address codes of identity numbers")
struct AddressCodeTests {
    @Test func numbersWithAnAddressCodeThatNeverExisted_areRejected_withTheirOwnCode() {
        // Both have a real province (36 江西, 41 河南) and a correct check character, so only the
        // full address code can catch them: 368913 and 418905 are no GB/T 2260 codes.
        #expect(throws: IdentityNumberError.residentIDAddressCode) { try ResidentID("368913202101019006") }
        #expect(throws: IdentityNumberError.residentIDAddressCode) { try ResidentID("41890520080318217X") }
        #expect(IdentityNumberError.residentIDAddressCode.code == "resident_id.address_code")
        #expect(IdentityNumberError.residentIDAddressCode.message.contains("前6位"))
    }

    @Test func anUnknownProvince_isStillTheRegionError() {
        #expect(throws: IdentityNumberError.residentIDRegion) { try ResidentID("990101198001010014") }
    }

    @Test func aCurrentCode_isAccepted() throws {
        // 410102 郑州市中原区; check character by hand: Σ digit×weight = 249, 249 mod 11 = 7 → "5"
        let id = try ResidentID("410102198808080025")
        #expect(id.regionCode == "410102")
        #expect(AddressCodes.entry("410102")?.name == "中原区")
        #expect(AddressCodes.entry("410102")?.isCurrent == true)
    }

    @Test func anAbolishedCountysCode_staysValid() throws {
        // 410121 荥阳县, Zhengzhou: became 荥阳市 (410182) in 1994; someone registered there in 1975 keeps
        // the number (check character by hand: Σ = 207, 207 mod 11 = 9 → "3")
        let id = try ResidentID("410121197505060013")
        #expect(id.regionCode == "410121")
        let county = try #require(AddressCodes.entry("410121"))
        #expect(county.name == "荥阳县")
        #expect(county.lastYear == 1993)
        #expect(!county.isCurrent)
        // 北京市崇文区 (110103), merged into 东城区 in 2010
        #expect(throws: Never.self) { try ResidentID("110103198001010013") }
    }

    @Test func residencePermitCodes_ofHongKongMacaoAndTaiwan_areAccepted() throws {
        // 港澳台居民居住证: 810000, 820000, 830000
        #expect(try ResidentID("830000199001010020").regionCode == "830000")
    }

    @Test func theTable_holdsCurrentAndHistoricalCodes() {
        #expect(AddressCodes.count > 3000)
        #expect(AddressCodes.contains("110101"))
        #expect(AddressCodes.contains("110103"))
        #expect(!AddressCodes.contains("368913"))
        #expect(!AddressCodes.contains("418905"))
        #expect(!AddressCodes.contains("41010"))
    }
}
