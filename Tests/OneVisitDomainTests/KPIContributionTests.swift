import OneVisitDomain
import Testing

/// One case's share of the kept KPI counters (R11.3.4; issue 12 item 4): the definitions the
/// dashboard's grouped SQL used, one indicator at a time.
@Suite("KPI contribution of one case (R11.3.4)")
struct KPIContributionTests {
    static let day = CalendarDate(year: 2026, month: 11, day: 2)!

    static func contribution(state: CaseState = .received, clockStart: CalendarDate? = nil, stoppedOn: CalendarDate? = nil,
                             dueOn: CalendarDate? = nil, channel: CaseChannel = .online, delivery: ServiceTerms.Delivery = .download) -> KPIContribution {
        KPIContribution(state: state, receivedOn: day, clockStart: clockStart, stoppedOn: stoppedOn, dueOn: dueOn, channel: channel, delivery: delivery)
    }

    @Test func received_isOneForEveryCase() {
        for state in CaseState.allCases { #expect(Self.contribution(state: state).received == 1) }
        #expect(Self.contribution() == KPIContribution(received: 1, open: 1))
    }

    @Test func accepted_countsAStartedClock() {
        #expect(Self.contribution(state: .underReview, clockStart: Self.day.adding(days: 3)).accepted == 1)
        #expect(Self.contribution(state: .notAccepted).accepted == 0)
    }

    @Test func onTheSpot_countsAClockStartedOnTheDayOfReceipt() {
        #expect(Self.contribution(state: .underReview, clockStart: Self.day).acceptedOnTheSpot == 1)
        #expect(Self.contribution(state: .underReview, clockStart: Self.day.adding(days: 1)).acceptedOnTheSpot == 0)
        #expect(Self.contribution(state: .received).acceptedOnTheSpot == 0)
    }

    @Test func decided_countsAStoppedClock() {
        #expect(Self.contribution(state: .rejected, clockStart: Self.day, stoppedOn: Self.day).decided == 1)
        #expect(Self.contribution(state: .reviewed, clockStart: Self.day).decided == 0)
    }

    @Test func onTime_countsAStopOnOrBeforeTheLastDay() {
        let due = Self.day.adding(days: 10)
        #expect(Self.contribution(state: .approved, clockStart: Self.day, stoppedOn: due, dueOn: due).decidedOnTime == 1)
        #expect(Self.contribution(state: .approved, clockStart: Self.day, stoppedOn: due.adding(days: -1), dueOn: due).decidedOnTime == 1)
        #expect(Self.contribution(state: .approved, clockStart: Self.day, stoppedOn: due.adding(days: 1), dueOn: due).decidedOnTime == 0)
        // no last day (suspended when decided) is not on time; not decided is not on time
        #expect(Self.contribution(state: .approved, clockStart: Self.day, stoppedOn: due).decidedOnTime == 0)
        #expect(Self.contribution(state: .underReview, clockStart: Self.day, dueOn: due).decidedOnTime == 0)
    }

    @Test func online_countsDecidedOnlineApplicationsNotCollectedAtTheWindow() {
        func online(_ channel: CaseChannel, _ delivery: ServiceTerms.Delivery, stopped: Bool = true) -> Int {
            Self.contribution(state: .delivered, clockStart: Self.day, stoppedOn: stopped ? Self.day : nil, channel: channel, delivery: delivery).decidedOnline
        }
        #expect(online(.online, .download) == 1)
        #expect(online(.online, .post) == 1)
        #expect(online(.online, .pickup) == 0)
        #expect(online(.walkIn, .post) == 0)
        #expect(online(.online, .download, stopped: false) == 0)
    }

    @Test func open_countsThePolicysOpenStates() {
        for state in CaseState.allCases {
            #expect(Self.contribution(state: state).open == (CasePolicy.openStates.contains(state) ? 1 : 0), "\(state)")
        }
    }

    @Test func aTransitionAddsTheDifference() {
        let before = Self.contribution(state: .underReview, clockStart: Self.day, dueOn: Self.day.adding(days: 5))
        let after = Self.contribution(state: .approved, clockStart: Self.day, stoppedOn: Self.day.adding(days: 2), dueOn: Self.day.adding(days: 5))
        let delta = after - before
        #expect(delta == KPIContribution(decided: 1, decidedOnTime: 1, decidedOnline: 1, open: -1))
        #expect(before + delta == after)
        #expect(before - before == .zero)
        #expect(after.indicators(overdue: 2, violations: 3) == Indicators(received: 1, accepted: 1, acceptedOnTheSpot: 1, decided: 1, decidedOnTime: 1,
                                                                         decidedOnline: 1, open: 0, overdue: 2, violations: 3,
                                                                         acceptedConcentrated: 1))
    }
}
