import Foundation
import Testing
@testable import OneVisitDomain

@Suite("Progress query throttle rule")
struct ProgressThrottleRuleTests {
    let rule = ProgressThrottle.standard
    let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func fiveWrongTriesPerNumber_theSixthIsRefusedUntilTheHourHasPassed() {
        var tally: ProgressThrottle.Tally?
        for try_ in 1...5 {
            #expect(rule.refusal(.number, earlier: tally, now: t0.addingTimeInterval(Double(try_))) == nil, "try \(try_)")
            tally = rule.counting(tally, now: t0.addingTimeInterval(Double(try_)))
        }
        #expect(tally == .init(count: 5, windowStart: t0.addingTimeInterval(1)))
        // the window opened with the first try, at t0 + 1 s
        #expect(rule.refusal(.number, earlier: tally, now: t0.addingTimeInterval(10)) == .init(retryAfter: 3591))
        #expect(rule.refusal(.number, earlier: tally, now: t0.addingTimeInterval(3600)) == .init(retryAfter: 1))
        #expect(rule.refusal(.number, earlier: tally, now: t0.addingTimeInterval(3601)) == nil)
    }

    @Test func thirtyWrongTriesPerAddress() {
        let earlier = ProgressThrottle.Tally(count: 29, windowStart: t0)
        #expect(rule.refusal(.address, earlier: earlier, now: t0) == nil)
        #expect(rule.refusal(.number, earlier: earlier, now: t0) != nil)
        #expect(rule.refusal(.address, earlier: .init(count: 30, windowStart: t0), now: t0.addingTimeInterval(59 * 60)) == .init(retryAfter: 60))
    }

    @Test func countingAfterTheWindow_opensANewWindowAtOne() {
        let old = ProgressThrottle.Tally(count: 40, windowStart: t0)
        #expect(rule.counting(old, now: t0.addingTimeInterval(3599)) == .init(count: 41, windowStart: t0))
        #expect(rule.counting(old, now: t0.addingTimeInterval(3600)) == .init(count: 1, windowStart: t0.addingTimeInterval(3600)))
        #expect(rule.counting(nil, now: t0) == .init(count: 1, windowStart: t0))
    }

    @Test func refusal_saysTheMinutesRoundedUp_withAStableCode() {
        #expect(ProgressThrottle.Refusal(retryAfter: 1).minutes == 1)
        #expect(ProgressThrottle.Refusal(retryAfter: 60).minutes == 1)
        #expect(ProgressThrottle.Refusal(retryAfter: 61).minutes == 2)
        #expect(ProgressThrottle.Refusal(retryAfter: 3600).message == "查询过于频繁，请 60 分钟后再试；如忘记证件号码，请携带身份证到政务服务大厅查询")
        #expect(ProgressThrottle.Refusal(retryAfter: 5).code == "progress.throttled")
    }

    @Test func keys_areHashes_numbersAsTyped_addressesByTheirUnit() {
        let key = ProgressThrottle.key(.number, "410100-20261118-ABCDEFG")
        #expect(key.count == 64 && !key.contains("410100"))
        #expect(ProgressThrottle.key(.number, " 410100-20261118-abcdefg ") == key)
        #expect(ProgressThrottle.key(.address, "410100-20261118-ABCDEFG") != key)
        #expect(ProgressThrottle.key(.address, "2001:db8:1:2::1") == ProgressThrottle.key(.address, "2001:0DB8:0001:0002:ffff:0:0:9"))
        #expect(ProgressThrottle.key(.address, "2001:db8:1:2::1") != ProgressThrottle.key(.address, "2001:db8:1:3::1"))
    }

    @Test func addressGroup_ipv4AsIs_ipv6ByItsSlash64() {
        #expect(ProgressThrottle.addressGroup("203.0.113.7") == "203.0.113.7")
        #expect(ProgressThrottle.addressGroup("::ffff:203.0.113.7") == "203.0.113.7")
        #expect(ProgressThrottle.addressGroup("2001:DB8::1") == "2001:db8:0:0::/64")
        #expect(ProgressThrottle.addressGroup("fe80::1%eth0") == "fe80:0:0:0::/64")
        #expect(ProgressThrottle.addressGroup("::1") == "0:0:0:0::/64")
        #expect(ProgressThrottle.addressGroup("local") == "local")
        #expect(ProgressThrottle.addressGroup("1::2::3") == "1::2::3")
    }
}
