import Testing
import OneVisitDomain

@Suite("Supervision indicators (R11.3.4)")
struct IndicatorsTests {
    @Test func rates_roundHalfUpInTenthsOfAPercent() {
        #expect(Indicators.perMille(1, of: 3) == 333)
        #expect(Indicators.perMille(2, of: 3) == 667)
        #expect(Indicators.perMille(1, of: 8) == 125)
        #expect(Indicators.perMille(1, of: 2000) == 1)   // 0.05 % rounds up to 0.1 %
        #expect(Indicators.perMille(7, of: 7) == 1000)
        #expect(Indicators.perMille(0, of: 0) == nil)
        #expect(Indicators.text(975) == "97.5%")
        #expect(Indicators.text(1000) == "100.0%")
        #expect(Indicators.text(5) == "0.5%")
        #expect(Indicators.text(nil) == "—")
    }

    @Test func rates_useTheirOwnDenominators() {
        let figures = Indicators(received: 10, accepted: 8, acceptedOnTheSpot: 6, decided: 4, decidedOnTime: 3, decidedOnline: 1, open: 4, overdue: 1)
        #expect(figures.onTheSpotRate == 750)   // of accepted, not of received
        #expect(figures.onTimeRate == 750)      // of decided
        #expect(figures.onlineRate == 250)
        #expect(Indicators(received: 3).onTimeRate == nil)
    }

    @Test func sum_addsEveryCount() {
        let a = Indicators(received: 1, accepted: 2, acceptedOnTheSpot: 3, decided: 4, decidedOnTime: 5, decidedOnline: 6, open: 7, overdue: 8, violations: 9)
        let sum = a + a
        #expect(sum == Indicators(received: 2, accepted: 4, acceptedOnTheSpot: 6, decided: 8, decidedOnTime: 10, decidedOnline: 12, open: 14, overdue: 16, violations: 18))
    }

    @Test func regionSubtrees() {
        let henan = RegionCode("410000")!, zhengzhou = RegionCode("410100")!, zhongmou = RegionCode("410122")!, kaifeng = RegionCode("410200")!
        #expect(henan.subtreePrefix == "41")
        #expect(zhengzhou.subtreePrefix == "4101")
        #expect(zhongmou.subtreePrefix == "410122")
        #expect(henan.contains(zhongmou) && zhengzhou.contains(zhongmou) && zhengzhou.contains(zhengzhou))
        #expect(!zhengzhou.contains(kaifeng) && !zhongmou.contains(zhengzhou))
        #expect(!RegionCode("110000")!.contains(zhengzhou))
    }
}
