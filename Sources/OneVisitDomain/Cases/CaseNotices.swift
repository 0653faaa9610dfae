import Foundation

/// The content of a printable case document (receipt, slip, notice, decision): a title, a
/// number, labelled lines, numbered items and paragraphs. Stored as JSON with the case.
public struct CaseDocumentContent: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public var label: String
        public var value: String

        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    public var title: String
    public var number: String
    public var addressee: String
    public var lines: [Line]
    public var items: [String]
    public var itemsTitle: String
    public var paragraphs: [String]
    public var issuer: String
    public var dateText: String

    public init(title: String, number: String, addressee: String, lines: [Line], items: [String], itemsTitle: String,
                paragraphs: [String], issuer: String, dateText: String) {
        (self.title, self.number, self.addressee, self.lines) = (title, number, addressee, lines)
        (self.items, self.itemsTitle, self.paragraphs, self.issuer, self.dateText) = (items, itemsTitle, paragraphs, issuer, dateText)
    }

    public static func encode(_ content: CaseDocumentContent) -> String {
        String(decoding: (try? JSONEncoder().encode(content)) ?? Data(), as: UTF8.self)
    }

    public static func decode(_ text: String) -> CaseDocumentContent? {
        try? JSONDecoder().decode(CaseDocumentContent.self, from: Data(text.utf8))
    }
}

/// What every document of a case says about the case: the service reads it from the case and
/// the organisation data and passes it in; the notices below add their own facts.
public struct CaseDocumentHeader: Sendable, Equatable {
    public var itemName: String
    public var caseNumber: String
    public var applicantName: String
    /// The issuing organ, as the organisation data names it.
    public var issuer: String
    /// When the document is issued, as printed.
    public var dateText: String
    /// The item's type, which names its decisions (`DecisionWording`).
    public var itemType: ItemType

    public init(itemName: String, caseNumber: String, applicantName: String, issuer: String, dateText: String, itemType: ItemType = .licensing) {
        (self.itemName, self.caseNumber, self.applicantName, self.issuer, self.dateText) = (itemName, caseNumber, applicantName, issuer, dateText)
        self.itemType = itemType
    }
}

/// The wording of every legal document of a case (R6.3, R6.5, R7.3.2, R7.4.3, R8.2, R8.5): pure,
/// so the sentences are in one place and tested; the numbers, dates, fees and the rights
/// statement are computed by the caller and only placed here.
public enum CaseNotices {
    public static func dayText(_ day: CalendarDate) -> String { "\(day.year)年\(day.month)月\(day.day)日" }

    /// 电子回执 (R7.3.2): what was received, and what happens next by when (行政许可法第三十二条).
    /// `lastNoticeCalendar`: a provisional last day says so (R6.6).
    public static func receipt(_ h: CaseDocumentHeader, receivedAtText: String, promise: String, materials: [String], lastNoticeDay: CalendarDate,
                               lastNoticeCalendar: CalendarStatus = .official) -> CaseDocumentContent {
        CaseDocumentContent(
            title: "电子回执", number: h.caseNumber, addressee: h.applicantName,
            lines: [.init(label: "事项名称", value: h.itemName), .init(label: "办件编号", value: h.caseNumber),
                    .init(label: "申请时间", value: receivedAtText), .init(label: "承诺时限", value: promise)],
            items: materials, itemsTitle: "材料情况",
            paragraphs: ["您的申请已收到。工作人员将在 \(dayText(lastNoticeDay))\(lastNoticeCalendar.note) 前审核材料：材料齐全的予以受理并发送受理通知；需要补正的，一次性告知全部补正内容。逾期未告知的，自收到申请之日起即为受理（《行政许可法》第三十二条）。",
                         "您可以凭办件编号和身份证件号码（或手机号）后四位，在“办件查询”中随时查看进度。"],
            issuer: h.issuer, dateText: h.dateText)
    }

    /// The promise printed on a receipt or slip: on the spot, or the limit in working days.
    /// `calendar`: whether `due` was counted on official schedules only; a provisional one says so (R6.6).
    public static func promise(immediate: Bool, limit: Int, due: CalendarDate? = nil, calendar: CalendarStatus = .official) -> String {
        if immediate { return "即办" }
        guard let due else { return "受理后 \(limit) 个工作日" }
        return "\(dayText(due))前（\(limit) 个工作日）\(calendar.note)"
    }

    /// What tolerance acceptance leaves open (R6.5): the last day and the missing materials.
    public struct Tolerance: Sendable, Equatable {
        public var deadline: CalendarDate
        public var missing: [String]
        /// Whether `deadline` was counted on official schedules only (R6.6).
        public var calendar: CalendarStatus
        public init(deadline: CalendarDate, missing: [String], calendar: CalendarStatus = .official) {
            self.deadline = deadline
            self.missing = missing
            self.calendar = calendar
        }
    }

    /// 受理通知书 or 容缺受理通知书 (R6.4, R6.5, R8.2.2). `deemed`: accepted by law from receipt
    /// because no notice came within five working days (行政许可法第三十二条).
    public static func acceptance(_ h: CaseDocumentHeader, acceptanceNumber: String, phone: String, promise: String,
                                  intermediaries: [String], specialProcedures: [String], tolerance: Tolerance?, deemed: Bool) -> CaseDocumentContent {
        var lines: [CaseDocumentContent.Line] = [
            .init(label: "事项名称", value: h.itemName), .init(label: "受理编号", value: acceptanceNumber),
            .init(label: "办件编号", value: h.caseNumber), .init(label: "申请人", value: h.applicantName),
            .init(label: "联系电话", value: phone), .init(label: "受理时间", value: h.dateText),
            .init(label: "承诺办结时间", value: promise),
        ]
        if !intermediaries.isEmpty { lines.append(.init(label: "中介服务", value: intermediaries.joined(separator: "、"))) }
        if !specialProcedures.isEmpty { lines.append(.init(label: "特别程序", value: specialProcedures.joined(separator: "、"))) }
        var paragraphs = ["您的申请材料齐全、符合法定形式，决定予以受理。\(deemed ? "因未在收到申请之日起五个工作日内告知补正，依法自收到申请之日起即为受理。" : "")"]
        if let tolerance, deemed {
            // Accepted by law with materials missing, main ones included: nothing here may say they are complete.
            paragraphs = ["因未在收到申请材料之日起五个工作日内一次性告知需要补正的全部内容，依照《中华人民共和国行政许可法》第三十二条第一款第（四）项，自收到申请材料之日起即为受理。",
                          "下列材料尚欠缺，请于 \(dayText(tolerance.deadline))\(tolerance.calendar.note) 前补交（可在网上“我的办件”中上传，或交到受理窗口）。逾期未补交的，办理时限暂停计算，直至补齐；补齐前不作出准予决定。"]
        } else if let tolerance {
            paragraphs = ["您的主要申请材料齐全、符合法定形式，次要材料尚有欠缺，依照容缺受理制度先予受理（DB41/T 1700.1 6.5）。",
                          "请于 \(dayText(tolerance.deadline))\(tolerance.calendar.note) 前补交下列材料（可在网上“我的办件”中上传，或交到受理窗口）。逾期未补交的，办理时限暂停计算，直至补齐；补齐前不作出准予决定。"]
        }
        paragraphs.append("办理进度可在河南政务服务网“办件查询”中凭办件编号查看。")
        return CaseDocumentContent(
            title: tolerance == nil || deemed ? "受理通知书" : "容缺受理通知书", number: acceptanceNumber, addressee: h.applicantName, lines: lines,
            items: tolerance?.missing ?? [], itemsTitle: tolerance == nil ? "" : "需补交的材料",
            paragraphs: paragraphs, issuer: h.issuer, dateText: h.dateText)
    }

    /// An intermediary service as the slip lists it.
    public static func intermediary(name: String, limitDays: Int) -> String { "\(name)（\(limitDays) 日）" }

    /// A special procedure as the slip lists it: its time is not counted (行政许可法第四十五条).
    public static func specialProcedure(name: String, days: Int) -> String { "\(name) 约 \(days) 个工作日（不计入办理时限）" }

    /// 一次性告知书 (R6.3): every correction at once, with what follows after acceptance and the fees.
    public static func oneTimeNotice(_ h: CaseDocumentHeader, number: String, receivedAtText: String, corrections: [(material: String, instruction: String)],
                                     specialProcedures: [(name: String, days: Int)], fees: [(name: String, standard: String)]) -> CaseDocumentContent {
        let fee = fees.isEmpty ? "本事项不收费。" : "收费：" + fees.map { "\($0.name) \($0.standard)" }.joined(separator: "；") + "。"
        let special = specialProcedures.isEmpty ? "本事项受理后无特别程序。"
            : "受理后需经过：" + specialProcedures.map { "\($0.name)（约 \($0.days) 个工作日，不计入办理时限）" }.joined(separator: "、") + "。"
        return CaseDocumentContent(
            title: "一次性告知书", number: number, addressee: h.applicantName,
            lines: [.init(label: "事项名称", value: h.itemName), .init(label: "办件编号", value: h.caseNumber), .init(label: "收件时间", value: receivedAtText)],
            items: corrections.map { "\($0.material)：\($0.instruction)" }, itemsTitle: "需补正的全部内容",
            paragraphs: ["经审查，您提交的申请材料不齐全或不符合法定形式，暂不予受理。请按下列要求一次补正全部内容。",
                         "补正后请在网上“我的办件”中重新提交，或交到受理窗口；材料补齐后即予受理。",
                         special, fee],
            issuer: h.issuer, dateText: h.dateText)
    }

    /// 不予受理通知书 (R8.2.3, 行政许可法第三十二条) with its reason and the applicant's remedies
    /// (`rights`: `RightsNotice.text(_:document: .notice)`, computed by the caller). Every item
    /// type's non-acceptance is a notice of this name.
    public static func nonAcceptance(_ h: CaseDocumentHeader, number: String, reason: String, rights: String) -> CaseDocumentContent {
        CaseDocumentContent(
            title: "不予受理通知书", number: number, addressee: h.applicantName,
            lines: [.init(label: "事项名称", value: h.itemName), .init(label: "办件编号", value: h.caseNumber)],
            items: [reason], itemsTitle: "不予受理的理由",
            paragraphs: [rights], issuer: h.issuer, dateText: h.dateText)
    }

    /// The decision that declines (R8.5.5), titled for the item type — 不予行政许可决定书,
    /// 不予确认决定书, … (`DecisionWording`) — with its reason and the applicant's remedies
    /// (`rights`: `RightsNotice.text(_:document: DecisionWording.of(itemType).rejectionDocument)`).
    public static func rejection(_ h: CaseDocumentHeader, itemType: ItemType, number: String, acceptanceNumber: String, reason: String, rights: String) -> CaseDocumentContent {
        let wording = DecisionWording.of(itemType)
        return CaseDocumentContent(
            title: wording.rejectionTitle, number: number, addressee: h.applicantName,
            lines: [.init(label: "事项名称", value: h.itemName), .init(label: "办件编号", value: h.caseNumber), .init(label: "受理编号", value: acceptanceNumber)],
            items: [reason], itemsTitle: "\(wording.rejection)的理由",
            paragraphs: ["经审查，你（单位）的申请不符合法定条件，决定\(wording.rejection)。", rights],
            issuer: h.issuer, dateText: h.dateText)
    }

    /// The decision that grants (R8.5), titled for `h.itemType` (准予行政许可决定书, …): the fee still due, if any, and how the result reaches the applicant (R8.6, R8.7).
    public static func approval(_ h: CaseDocumentHeader, number: String, acceptanceNumber: String, decidedOn: CalendarDate, feeFen: Int, deliveryName: String,
                                fees: FeeCharge? = nil) -> CaseDocumentContent {
        CaseDocumentContent(
            title: DecisionWording.of(h.itemType).approvalTitle, number: number, addressee: h.applicantName,
            lines: [.init(label: "事项名称", value: h.itemName), .init(label: "办件编号", value: h.caseNumber), .init(label: "受理编号", value: acceptanceNumber),
                    .init(label: "决定日期", value: dayText(decidedOn))],
            // R8.6: the payment order's every line with its standard and basis, any 减免, and the total.
            items: feeFen > 0 || fees?.reduction != nil ? FeeCharge.orderItems(fees, totalFen: feeFen) : [], itemsTitle: feeFen > 0 || fees?.reduction != nil ? "收费明细" : "",
            paragraphs: ["经审查，你（单位）的申请符合法定条件、标准，决定准予。",
                         feeFen > 0 ? "请缴纳费用 \(FeeAmount.text(fen: feeFen)) 后领取办理结果。"
                             : fees?.reduction != nil ? "本事项费用依法全额免收。" : "本事项不收费。",
                         "办理结果将按您选择的方式送达：\(deliveryName)。电子证照与纸质证照具有同等法律效力。"],
            issuer: h.issuer, dateText: h.dateText)
    }

    /// 现场核查通知书, joint when several departments inspect (R7.4.3, R8.4.2).
    public static func inspection(_ h: CaseDocumentHeader, number: String, date: CalendarDate, departments: [String], prepare: String) -> CaseDocumentContent {
        let joint = departments.count > 1
        return CaseDocumentContent(
            title: joint ? "联合现场核查通知书" : "现场核查通知书", number: number, addressee: h.applicantName,
            lines: [.init(label: "事项名称", value: h.itemName), .init(label: "办件编号", value: h.caseNumber), .init(label: "核查日期", value: dayText(date)),
                    .init(label: "核查部门", value: departments.sorted().joined(separator: "、"))],
            items: [prepare].filter { !$0.isEmpty }, itemsTitle: "请准备",
            paragraphs: ["根据审查需要，将对申请事项进行\(joint ? "联合" : "")现场核查，请您准备好相关材料并配合核查（DB41/T 1700.1 7.4.3）。"],
            issuer: h.issuer, dateText: h.dateText)
    }
}
