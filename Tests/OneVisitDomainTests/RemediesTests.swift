import OneVisitDomain
import Testing

/// R8.5.5: the reconsideration organ by the department's kind (行政复议法 2023 第二十四条、第二十七条)
/// and the last days of both remedies (60 days, 6 months; 民事诉讼法第八十五条). Every expected day
/// below is counted by hand; weekdays noted beside them.
struct RemediesTests {
    static func d(_ y: Int, _ m: Int, _ day: Int) -> CalendarDate { CalendarDate(year: y, month: m, day: day)! }

    /// Weekends only: no holiday in the periods below.
    static let plain = WorkCalendar()

    /// 2026's 劳动节 as published: 1–5 May off, Saturday 9 May worked.
    static let mayDay2026 = WorkCalendar(holidays: Set((1...5).map { d(2026, 5, $0) }), adjustedWorkdays: [d(2026, 5, 9)], years: [2026])

    // MARK: sixty days

    @Test func sixtyDays_startDayNotCounted() {
        // 4 Dec 2026 (Fri): Dec 5–31 are days 1–27, Jan 1–31 days 28–58, Feb 1–2 days 59–60 → Tue 2 Feb 2027
        #expect(Remedies.lastDay(days: 60, from: Self.d(2026, 12, 4), calendar: Self.plain) == Self.d(2027, 2, 2))
    }

    @Test func sixtiethDayOnASaturday_movesToMonday() {
        // 9 Dec 2025: Dec 10–31 are days 1–22, Jan days 23–53, Feb 1–7 days 54–60; Sat 7 Feb 2026 → Mon 9 Feb
        #expect(Remedies.lastDay(days: 60, from: Self.d(2025, 12, 9), calendar: Self.plain) == Self.d(2026, 2, 9))
    }

    @Test func sixtiethDayInAHoliday_movesPastIt() {
        // 6 Mar 2026: Mar 7–31 days 1–25, Apr days 26–55, May 1–5 days 56–60; Tue 5 May is 劳动节 → Wed 6 May
        #expect(Remedies.lastDay(days: 60, from: Self.d(2026, 3, 6), calendar: Self.mayDay2026) == Self.d(2026, 5, 6))
        // on weekdays alone, 5 May (a Tuesday) would have stood: the calendar is what moved it
        #expect(Remedies.lastDay(days: 60, from: Self.d(2026, 3, 6), calendar: Self.plain) == Self.d(2026, 5, 5))
    }

    @Test func sixtiethDayOnAWorkedSaturday_stays() {
        // 10 Mar 2026: Mar 11–31 days 1–21, Apr days 22–51, May 1–9 days 52–60; Sat 9 May is worked (调休)
        #expect(Remedies.lastDay(days: 60, from: Self.d(2026, 3, 10), calendar: Self.mayDay2026) == Self.d(2026, 5, 9))
    }

    // MARK: six months

    @Test(arguments: [
        (RemediesTests.d(2026, 3, 31), RemediesTests.d(2026, 9, 30)),   // 31 → 30
        (RemediesTests.d(2026, 8, 31), RemediesTests.d(2027, 2, 28)),   // 31 → 28
        (RemediesTests.d(2027, 8, 31), RemediesTests.d(2028, 2, 29)),   // 31 → 29, a leap year
        (RemediesTests.d(2026, 12, 4), RemediesTests.d(2027, 6, 4)),    // across the year
        (RemediesTests.d(2026, 8, 30), RemediesTests.d(2027, 2, 28)),   // 30 → 28
    ])
    func sixMonths_sameDateOrTheMonthsLastDay(start: CalendarDate, end: CalendarDate) {
        #expect(Remedies.sameDate(monthsLater: 6, than: start) == end)
    }

    @Test func sixMonths_lastDayMovesOffAWeekend() {
        // 31 Aug 2026 → 28 Feb 2027, a Sunday → Mon 1 Mar 2027
        #expect(Remedies.lastDay(months: 6, from: Self.d(2026, 8, 31), calendar: Self.plain) == Self.d(2027, 3, 1))
        // 31 Mar 2026 → Wed 30 Sep 2026 stays; 31 Aug 2027 → Tue 29 Feb 2028 stays
        #expect(Remedies.lastDay(months: 6, from: Self.d(2026, 3, 31), calendar: Self.plain) == Self.d(2026, 9, 30))
        #expect(Remedies.lastDay(months: 6, from: Self.d(2027, 8, 31), calendar: Self.plain) == Self.d(2028, 2, 29))
    }

    // MARK: the organ

    @Test func ordinaryDepartment_goesToTheGovernmentAtTheSameLevelOnly() throws {
        let organ = try Remedies.reconsiderationOrgan(department: "河南省自然资源厅", kind: .ordinary, government: "河南省人民政府",
                                                      higherDepartment: "自然资源部")
        #expect(organ == "河南省人民政府")
    }

    @Test(arguments: [DepartmentKind.tax, .verticallyLed, .stateSecurity])
    func taxVerticalAndStateSecurity_goOneLevelUp(kind: DepartmentKind) throws {
        let organ = try Remedies.reconsiderationOrgan(department: "国家税务总局郑州市税务局", kind: kind, government: "郑州市人民政府",
                                                      higherDepartment: "国家税务总局河南省税务局")
        #expect(organ == "国家税务总局河南省税务局")
    }

    @Test func missingNames_areErrors_neverGuessed() {
        #expect(throws: Remedies.Failure.higherDepartmentMissing(department: "国家税务总局中牟县税务局")) {
            try Remedies.reconsiderationOrgan(department: "国家税务总局中牟县税务局", kind: .tax, government: "中牟县人民政府", higherDepartment: " ")
        }
        #expect(throws: Remedies.Failure.governmentMissing) {
            try Remedies.reconsiderationOrgan(department: "中牟县自然资源局", kind: .ordinary, government: "", higherDepartment: nil)
        }
    }

    @Test(arguments: [("国家税务总局郑州市税务局", DepartmentKind.tax), ("郑州海关", .verticallyLed), ("国家外汇管理局河南省分局", .verticallyLed),
                      ("河南省国家安全厅", .stateSecurity), ("郑州市自然资源和规划局", .ordinary), ("河南省公安厅", .ordinary)])
    func kindFromAName_forRowsWrittenBeforeKindsWereStored(name: String, kind: DepartmentKind) {
        #expect(DepartmentKind.guessed(fromName: name) == kind)
    }

    @Test func bothRemedies_forACountyTaxBureau() throws {
        let remedies = try Remedies.of(department: "国家税务总局中牟县税务局", kind: .tax, government: "中牟县人民政府",
                                       higherDepartment: "国家税务总局郑州市税务局", servedOn: Self.d(2026, 12, 4), calendar: Self.plain)
        #expect(remedies == Remedies(servedOn: Self.d(2026, 12, 4), reconsiderationOrgan: "国家税务总局郑州市税务局",
                                     reconsiderationLastDay: Self.d(2027, 2, 2), litigationLastDay: Self.d(2027, 6, 4)))
        let text = RightsNotice.text(remedies, document: .notice)
        #expect(text.hasPrefix("申请人如对本通知不服，可以自收到本通知之日起六十日内（本通知于2026年12月4日送达的，至2027年2月2日止）向国家税务总局郑州市税务局申请行政复议；"))
        #expect(text.contains("自收到行政复议决定书之日起十五日内"))
        #expect(text.contains("也可以自收到本通知之日起六个月内（至2027年6月4日止）直接向有管辖权的人民法院提起行政诉讼。"))
    }

    // MARK: titles by item type

    @Test func decisionTitles_followTheItemType() {
        #expect(DecisionWording.of(.licensing).rejectionTitle == "不予行政许可决定书")
        #expect(DecisionWording.of(.licensing).approvalTitle == "准予行政许可决定书")
        #expect(DecisionWording.of(.confirmation).rejectionTitle == "不予确认决定书")
        #expect(DecisionWording.of(.benefit).rejectionTitle == "不予给付决定书")
        #expect(DecisionWording.of(.publicService).rejectionDocument == .notice)
        for type in ItemType.allCases where type != .licensing {
            #expect(!DecisionWording.of(type).rejectionTitle.contains("许可"), "\(type)")
            #expect(!DecisionWording.of(type).approvalTitle.contains("许可"), "\(type)")
        }
        #expect(Set(ItemType.allCases.map { DecisionWording.of($0).rejectionTitle }).count == ItemType.allCases.count)
    }

    @Test func rejectionOfAConfirmation_saysWhatIsDeclined() {
        let header = CaseDocumentHeader(itemName: "不动产登记", caseNumber: "410100-1", applicantName: "张三", issuer: "郑州市自然资源和规划局", dateText: "2026年3月6日")
        let doc = CaseNotices.rejection(header, itemType: .confirmation, number: "JD1", acceptanceNumber: "SL1", reason: "权属存在争议", rights: "…")
        #expect(doc.title == "不予确认决定书")
        #expect(doc.itemsTitle == "不予确认的理由")
        #expect(doc.paragraphs.first == "经审查，你（单位）的申请不符合法定条件，决定不予确认。")
    }
}
