import Foundation
import OneVisitDomain
import Testing

@Suite("Case notices")
struct CaseNoticesTests {
    static let header = CaseDocumentHeader(itemName: "食品经营许可", caseNumber: "410100-20261203-ABCDEFG", applicantName: "张三",
                                           issuer: "郑州市市场监督管理局", dateText: "2026年12月3日 10:00")

    static func day(_ day: Int) -> CalendarDate { CalendarDate(year: 2026, month: 12, day: day)! }

    @Test func toleranceAcceptance_listsTheMissingMaterialsAndTheirLastDay() {
        // act
        let slip = CaseNotices.acceptance(
            Self.header, acceptanceNumber: "410100SL2026000001", phone: "13800000001",
            promise: CaseNotices.promise(immediate: false, limit: 10, due: Self.day(17)),
            intermediaries: [], specialProcedures: [CaseNotices.specialProcedure(name: "专家评审", days: 5)],
            tolerance: .init(deadline: Self.day(10), missing: ["健康证明"]), deemed: false)
        // check
        #expect(slip.title == "容缺受理通知书")
        #expect(slip.items == ["健康证明"])
        #expect(slip.paragraphs[1].contains("2026年12月10日 前补交"))
        #expect(slip.lines.contains(.init(label: "承诺办结时间", value: "2026年12月17日前（10 个工作日）")))
        #expect(slip.lines.contains(.init(label: "特别程序", value: "专家评审 约 5 个工作日（不计入办理时限）")))
    }

    @Test func plainAcceptance_saysWhenTheLawDeemedItAccepted() {
        let deemed = CaseNotices.acceptance(Self.header, acceptanceNumber: "SL1", phone: "", promise: "即办", intermediaries: [], specialProcedures: [], tolerance: nil, deemed: true)
        let normal = CaseNotices.acceptance(Self.header, acceptanceNumber: "SL1", phone: "", promise: "即办", intermediaries: [], specialProcedures: [], tolerance: nil, deemed: false)
        #expect(deemed.title == "受理通知书" && deemed.items.isEmpty)
        #expect(deemed.paragraphs[0].contains("依法自收到申请之日起即为受理"))
        #expect(!normal.paragraphs[0].contains("即为受理"))
    }

    @Test func oneTimeNotice_listsEveryCorrection_theProceduresAndTheFees() {
        let notice = CaseNotices.oneTimeNotice(
            Self.header, number: "410100BZ2026000001", receivedAtText: "2026年12月1日 09:00",
            corrections: [("营业执照", "请提交副本复印件"), ("场所平面图", "请标明面积")], specialProcedures: [], fees: [])
        #expect(notice.items == ["营业执照：请提交副本复印件", "场所平面图：请标明面积"])
        #expect(notice.paragraphs.contains("本事项受理后无特别程序。"))
        #expect(notice.paragraphs.contains("本事项不收费。"))
        let paid = CaseNotices.oneTimeNotice(Self.header, number: "N", receivedAtText: "", corrections: [], specialProcedures: [("检验", 3)], fees: [("登记费", "80元/件")])
        #expect(paid.paragraphs.contains("收费：登记费 80元/件。"))
        #expect(paid.paragraphs.contains("受理后需经过：检验（约 3 个工作日，不计入办理时限）。"))
    }

    @Test func approval_namesTheFeeDue_orSaysThereIsNone() {
        let due = CaseNotices.approval(Self.header, number: "JD1", acceptanceNumber: "SL1", decidedOn: Self.day(3), feeFen: 11_000, deliveryName: "邮寄送达")
        let free = CaseNotices.approval(Self.header, number: "JD1", acceptanceNumber: "SL1", decidedOn: Self.day(3), feeFen: 0, deliveryName: "窗口领取")
        #expect(due.paragraphs[1].hasPrefix("请缴纳费用") && due.paragraphs[1].contains("110"))
        #expect(free.paragraphs[1] == "本事项不收费。")
        #expect(due.lines.contains(.init(label: "决定日期", value: "2026年12月3日")))
    }

    @Test func inspection_isJointOnlyWithSeveralDepartments() {
        let one = CaseNotices.inspection(Self.header, number: "HC1", date: Self.day(8), departments: ["市场监管局"], prepare: "")
        let two = CaseNotices.inspection(Self.header, number: "HC1", date: Self.day(8), departments: ["卫健委", "市场监管局"], prepare: "营业执照原件")
        #expect(one.title == "现场核查通知书" && one.items.isEmpty)
        #expect(two.title == "联合现场核查通知书" && two.items == ["营业执照原件"])
    }

    @Test func storedContent_readsBack() {
        let slip = CaseNotices.nonAcceptance(Self.header, number: "BSL1", reason: "不属于本机关职权范围", rights: "可以申请行政复议")
        #expect(CaseDocumentContent.decode(CaseDocumentContent.encode(slip)) == slip)
    }
}
