import OneVisitDomain
import Testing

/// R11.3.4 (a) 集中受理率: where a case was accepted, what one case adds to the counters, and
/// the rate (DB41/T 1700.1—2018 3.7, 5.2, 6.4, 8.1.1, 11.3.4 a).
@Suite("Concentrated acceptance (R11.3.4 a)")
struct ConcentratedAcceptanceTests {
    static let day = CalendarDate(year: 2026, month: 11, day: 2)!

    static func contribution(clockStart: CalendarDate? = day, channel: CaseChannel = .walkIn, via: AcceptanceVenue?) -> KPIContribution {
        KPIContribution(state: .underReview, receivedOn: day, clockStart: clockStart, stoppedOn: nil, dueOn: nil, channel: channel,
                        delivery: .pickup, acceptedVia: via)
    }

    @Test func venue_onlineApplicationsAreAcceptedOnThePlatform() {
        #expect(AcceptanceVenue.of(channel: .online, windowKinds: []) == .online)
        // whoever records it: also a clerk posted at a department window
        #expect(AcceptanceVenue.of(channel: .online, windowKinds: ["single"]) == .online)
    }

    @Test func venue_otherChannelsByTheClerksWindow() {
        #expect(AcceptanceVenue.of(channel: .walkIn, windowKinds: ["comprehensive"]) == .comprehensiveWindow)
        #expect(AcceptanceVenue.of(channel: .letter, windowKinds: ["comprehensive", "comprehensive"]) == .comprehensiveWindow)
        #expect(AcceptanceVenue.of(channel: .walkIn, windowKinds: ["single"]) == .departmentWindow)
        // a clerk at both kinds is never counted as concentrated
        #expect(AcceptanceVenue.of(channel: .walkIn, windowKinds: ["comprehensive", "single"]) == .departmentWindow)
        // no window (the jobs' deemed acceptance, a clerk without a window post): not recorded
        #expect(AcceptanceVenue.of(channel: .walkIn, windowKinds: []) == nil)
    }

    @Test func venue_onlyADepartmentWindowIsNotConcentrated() {
        #expect(AcceptanceVenue.comprehensiveWindow.isConcentrated)
        #expect(AcceptanceVenue.online.isConcentrated)
        #expect(!AcceptanceVenue.departmentWindow.isConcentrated)
        #expect(Set(AcceptanceVenue.allCases.map(\.rawValue)) == ["comprehensive", "online", "department"])
    }

    @Test func contribution_countsAConcentratedAcceptance() {
        #expect(Self.contribution(via: .comprehensiveWindow).acceptedConcentrated == 1)
        #expect(Self.contribution(channel: .online, via: .online).acceptedConcentrated == 1)
        #expect(Self.contribution(via: .departmentWindow).acceptedConcentrated == 0)
        #expect(Self.contribution(via: nil).acceptedConcentrated == 0)
        // an online application accepted before the venue was recorded is still accepted online
        #expect(Self.contribution(channel: .online, via: nil).acceptedConcentrated == 1)
        // not accepted: nothing, wherever it came in
        #expect(Self.contribution(clockStart: nil, channel: .online, via: nil).acceptedConcentrated == 0)
        #expect(Self.contribution(clockStart: nil, via: .comprehensiveWindow).acceptedConcentrated == 0)
    }

    @Test func contribution_acceptanceAddsItAndSumsKeepIt() {
        let before = Self.contribution(clockStart: nil, via: nil)
        let after = Self.contribution(via: .comprehensiveWindow)
        #expect((after - before).acceptedConcentrated == 1)
        #expect((after + after).acceptedConcentrated == 2)
        #expect((-after).acceptedConcentrated == -1)
        #expect(after.indicators().acceptedConcentrated == 1)
    }

    @Test func rate_isConcentratedOverAccepted() {
        // 3 accepted: comprehensive window, online, department window → 2 ÷ 3 = 66.7 %
        let cases: [(CaseChannel, AcceptanceVenue?)] = [(.walkIn, .comprehensiveWindow), (.online, .online), (.walkIn, .departmentWindow)]
        let sum = cases.map { Self.contribution(channel: $0.0, via: $0.1) }.reduce(KPIContribution.zero, +)
        let figures = sum.indicators()
        #expect(figures.accepted == 3 && figures.acceptedConcentrated == 2)
        #expect(figures.concentratedRate == 667)
        #expect(Indicators.text(figures.concentratedRate) == "66.7%")
        // nothing accepted is no rate, not 0 %
        #expect(Indicators(received: 2).concentratedRate == nil)
        let a = Indicators(accepted: 2, acceptedConcentrated: 1), b = Indicators(accepted: 2, acceptedConcentrated: 2)
        #expect((a + b).acceptedConcentrated == 3 && (a + b).concentratedRate == 750)
    }

    @Test func definition_namesTheStandardsClauses() {
        for clause in ["11.3.4", "6.4", "8.1.1", "5.2", "综合受理窗口", "部门专窗"] {
            #expect(AcceptanceVenue.definition.contains(clause), "\(clause)")
        }
    }
}
