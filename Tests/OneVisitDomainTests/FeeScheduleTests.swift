import Foundation
import Testing
@testable import OneVisitDomain

/// Fees as data (R8.6, issue 13 point 1): the lines that apply, the condition chosen, per-piece
/// quantities, reductions; the figures are computed by hand.
@Suite struct FeeScheduleTests {
    static let basis = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
    static let estate: [Fee] = [
        Fee(name: "不动产登记费", standard: "住宅类每件80元", legalBasis: basis, amountFen: 8_000, condition: "住宅"),
        Fee(name: "不动产登记费", standard: "非住宅类每件550元", legalBasis: basis, amountFen: 55_000, condition: "非住宅"),
        Fee(name: "不动产权属证书工本费", standard: "每增加一本证书加收10元", legalBasis: basis, amountFen: 1_000, unit: .perPiece, quantityName: "本", defaultQuantity: 0),
    ]
    static let vehicle: [Fee] = [
        Fee(name: "机动车号牌工本费", standard: "汽车号牌每副100元", legalBasis: "发改价格〔2004〕2831号", amountFen: 10_000, condition: "汽车"),
        Fee(name: "机动车号牌工本费", standard: "摩托车号牌每副35元", legalBasis: "发改价格〔2004〕2831号", amountFen: 3_500, condition: "摩托车"),
        Fee(name: "机动车行驶证工本费", standard: "每本10元", legalBasis: "发改价格〔2004〕2831号", amountFen: 1_000),
    ]

    @Test func unconditionalLines_allApply_andAddUp() throws {
        // 号牌 100 + 行驶证 10 = 110 元: the line the old rule dropped is charged
        let charge = try FeeSchedule.charge(Self.vehicle, condition: "汽车")
        #expect(charge.lines.map(\.amountFen) == [10_000, 1_000])
        #expect(charge.totalFen == 11_000)
        #expect(charge.condition == "汽车")
        let motorcycle = try FeeSchedule.charge(Self.vehicle, condition: "摩托车")
        #expect(motorcycle.totalFen == 4_500)
    }

    @Test func theConditionChoosesItsLine_only() throws {
        #expect(try FeeSchedule.charge(Self.estate, condition: "住宅").totalFen == 8_000)
        let business = try FeeSchedule.charge(Self.estate, condition: "非住宅")
        #expect(business.totalFen == 55_000)
        #expect(business.lines.map(\.name) == ["不动产登记费", "不动产权属证书工本费"])
        #expect(business.lines[1].quantity == 0 && business.lines[1].amountFen == 0)
        #expect(try FeeSchedule.charge(Self.estate, condition: " 非住宅 ").totalFen == 55_000)
    }

    @Test func perPieceLines_countTheQuantity() throws {
        // 非住宅 550 + 2 more certificates × 10 = 570 元
        let charge = try FeeSchedule.charge(Self.estate, condition: "非住宅", quantities: ["不动产权属证书工本费": 2])
        #expect(charge.totalFen == 57_000)
        #expect(charge.lines[1].text == "不动产权属证书工本费：10.00 元 × 2 本 = 20.00 元")
        #expect(throws: FeeScheduleError.self) { try FeeSchedule.charge(Self.estate, condition: "住宅", quantities: ["不动产权属证书工本费": -1]) }
        #expect(throws: FeeScheduleError.self) { try FeeSchedule.charge(Self.estate, condition: "住宅", quantities: ["不动产权属证书工本费": 100]) }
    }

    @Test func aMissingOrUnknownCondition_isRefused_withItsCode() {
        #expect(Self.code { try FeeSchedule.charge(Self.estate, condition: nil) } == "fee.condition_required")
        #expect(Self.code { try FeeSchedule.charge(Self.estate, condition: "  ") } == "fee.condition_required")
        #expect(Self.code { try FeeSchedule.charge(Self.estate, condition: "商业") } == "fee.condition_unknown")
        // the message names the choices
        do {
            _ = try FeeSchedule.charge(Self.estate, condition: nil)
        } catch {
            #expect(error.message.contains("住宅、非住宅"))
        }
    }

    @Test func aFreeItem_chargesNothing_andIgnoresAStrayCondition() throws {
        let free = try FeeSchedule.charge([], condition: nil)
        #expect(free.totalFen == 0 && free.lines.isEmpty)
        #expect(try FeeSchedule.charge([], condition: "住宅").condition == nil)
        let card = [Fee(name: "居民身份证工本费", standard: "换领每证20元", legalBasis: "居民身份证法第二十条", amountFen: 2_000)]
        #expect(try FeeSchedule.charge(card, condition: nil).totalFen == 2_000)
    }

    @Test func reductions_needReasonAndBasis_andTakeOffAtMostTheSum() throws {
        let waiver = FeeReduction(reason: "最低生活保障对象", legalBasis: "《中华人民共和国居民身份证法》第二十条第二款", amountFen: nil)
        let waived = try FeeSchedule.charge(Self.vehicle, condition: "汽车", reduction: waiver)
        #expect(waived.subtotalFen == 11_000 && waived.reductionFen == 11_000 && waived.totalFen == 0)
        #expect(waived.reductionText == "减免：免收全部费用（理由：最低生活保障对象；依据：《中华人民共和国居民身份证法》第二十条第二款）")
        let part = try FeeSchedule.charge(Self.estate, condition: "非住宅", reduction: .init(reason: "小微企业", legalBasis: "财税〔2016〕79号", amountFen: 27_500))
        #expect(part.totalFen == 27_500)
        #expect(Self.code { try FeeSchedule.charge(Self.estate, condition: "住宅", reduction: .init(reason: "", legalBasis: "财税〔2016〕79号", amountFen: nil)) } == "fee.reduction_reason")
        #expect(Self.code { try FeeSchedule.charge(Self.estate, condition: "住宅", reduction: .init(reason: "小微企业", legalBasis: "", amountFen: nil)) } == "fee.reduction_basis")
        #expect(Self.code { try FeeSchedule.charge(Self.estate, condition: "住宅", reduction: .init(reason: "小微企业", legalBasis: "财税〔2016〕79号", amountFen: 8_001)) } == "fee.reduction_amount")
        #expect(Self.code { try FeeSchedule.charge(Self.estate, condition: "住宅", reduction: .init(reason: "小微企业", legalBasis: "财税〔2016〕79号", amountFen: 0)) } == "fee.reduction_amount")
        #expect(Self.code { try FeeSchedule.charge([], condition: nil, reduction: waiver) } == "fee.reduction_nothing_due")
    }

    @Test func oldStoredFees_decode_withTheAmountOfTheirStandard() throws {
        let old = #"{"name":"不动产登记费","standard":"住宅类每件80元；非住宅类每件550元","legalBasis":"发改价格规〔2016〕2559号"}"#
        let fee = try JSONDecoder().decode(Fee.self, from: Data(old.utf8))
        #expect(fee.amountFen == 8_000 && fee.unit == .perCase && fee.condition == nil && fee.defaultQuantity == 1)
        let new = #"{"name":"证书工本费","standard":"每本10元","legalBasis":"x","amountFen":1000,"unit":"perPiece","quantityName":"本","defaultQuantity":0,"condition":""}"#
        let piece = try JSONDecoder().decode(Fee.self, from: Data(new.utf8))
        #expect(piece.amountFen == 1_000 && piece.unit == .perPiece && piece.defaultQuantity == 0 && piece.condition == nil)
        // and round-trips
        let again = try JSONDecoder().decode(Fee.self, from: JSONEncoder().encode(piece))
        #expect(again == piece)
    }

    @Test func orderItems_listEveryLine_theReduction_andTheTotal() throws {
        let charge = try FeeSchedule.charge(Self.vehicle, condition: "汽车", reduction: .init(reason: "依法减收", legalBasis: "某某规定第三条", amountFen: 1_000))
        let items = FeeCharge.orderItems(charge, totalFen: charge.totalFen)
        #expect(items == [
            "机动车号牌工本费（汽车）：100.00 元（标准：汽车号牌每副100元；依据：发改价格〔2004〕2831号）",
            "机动车行驶证工本费：10.00 元（标准：每本10元；依据：发改价格〔2004〕2831号）",
            "减免：减收 10.00 元（理由：依法减收；依据：某某规定第三条）",
            "合计：100.00 元",
        ])
        #expect(FeeCharge.orderItems(nil, totalFen: 8_000) == ["合计：80.00 元"])
    }

    @Test func theApprovalDecision_listsEveryLine_andSaysWhenAReductionWaivedAll() throws {
        let header = CaseDocumentHeader(itemName: "机动车登记（注册登记）", caseNumber: "410100-20261203-0001", applicantName: "张三", issuer: "郑州市公安局", dateText: "2026年12月3日")
        let day = CalendarDate(year: 2026, month: 12, day: 3)!
        let charge = try FeeSchedule.charge(Self.vehicle, condition: "汽车")
        let due = CaseNotices.approval(header, number: "JD1", acceptanceNumber: "SL1", decidedOn: day, feeFen: 11_000, deliveryName: "窗口领取", fees: charge)
        #expect(due.itemsTitle == "收费明细")
        #expect(due.items.count == 3 && due.items[0].hasPrefix("机动车号牌工本费（汽车）：100.00 元") && due.items[2] == "合计：110.00 元")
        #expect(due.paragraphs[1] == "请缴纳费用 110.00 元 后领取办理结果。")
        let waived = try FeeSchedule.charge(Self.vehicle, condition: "汽车", reduction: .init(reason: "依法免收", legalBasis: "某某规定第三条", amountFen: nil))
        let none = CaseNotices.approval(header, number: "JD1", acceptanceNumber: "SL1", decidedOn: day, feeFen: 0, deliveryName: "窗口领取", fees: waived)
        #expect(none.paragraphs[1] == "本事项费用依法全额免收。")
        #expect(none.items.last == "合计：0.00 元")
        let free = CaseNotices.approval(header, number: "JD1", acceptanceNumber: "SL1", decidedOn: day, feeFen: 0, deliveryName: "窗口领取", fees: .free)
        #expect(free.paragraphs[1] == "本事项不收费。" && free.items.isEmpty)
    }

    @Test func scheduleProblems_nameLinesWithoutAmount_andALoneCondition() {
        #expect(FeeSchedule.problems(Self.estate).isEmpty)
        #expect(FeeSchedule.problems([Fee(name: "登记费", standard: "按规定", legalBasis: "x")]) == ["收费项目“登记费”没有金额"])
        #expect(FeeSchedule.problems([Fee(name: "登记费", standard: "住宅80元", legalBasis: "x", condition: "住宅")]).count == 1)
    }

    static func code(_ body: () throws -> FeeCharge) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as FeeScheduleError {
            return error.code
        } catch {
            return "\(error)"
        }
    }
}
