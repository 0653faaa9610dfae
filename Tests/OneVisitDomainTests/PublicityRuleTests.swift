import OneVisitDomain
import Testing

/// R8.5.6: what the public register shows of a holder, and which pages it serves.
@Suite("Publicity rules")
struct PublicityRuleTests {
    @Test func holderName_personMasked_organisationInFull() {
        #expect(Publicity.holderName("张三", isOrganisation: false) == "张*")
        #expect(Publicity.holderName("欧阳修文", isOrganisation: false) == "欧***")
        #expect(Publicity.holderName(" 李四 ", isOrganisation: false) == "李*")
        #expect(Publicity.holderName("郑州市中原区好味道餐饮有限公司", isOrganisation: true) == "郑州市中原区好味道餐饮有限公司")
    }

    @Test func page_wholeNumbersOneToAThousand_othersRefused() {
        #expect(Publicity.page(nil) == 1)
        #expect(Publicity.page("") == 1)
        #expect(Publicity.page("1") == 1)
        #expect(Publicity.page("1000") == 1000)
        for bad in ["0", "-1", "1001", "abc", "1.5", "１", "99999999999999999999", " 2"] {
            #expect(Publicity.page(bad) == nil, "\(bad)")
        }
    }

    @Test func query_trimmedAndCutToFifty() {
        #expect(Publicity.query("  药品 ") == "药品")
        #expect(Publicity.query(nil) == "")
        #expect(Publicity.query(String(repeating: "药", count: 80)).count == 50)
    }
}
