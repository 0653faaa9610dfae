import Foundation

/// What one case is charged (R8.6): the fee lines that apply, each with its standard and
/// legal basis, any reduction (减免) and the total. Stored with the case when it is
/// received, so that the payment order, the approval decision and the case page all list the
/// same lines, whatever the guide says later.
public struct FeeCharge: Sendable, Codable, Hashable {
    /// One charged line: a catalog fee line with the quantity counted.
    public struct Line: Sendable, Codable, Hashable {
        public var name: String
        public var standard: String
        public var legalBasis: String
        public var condition: String?
        public var unitFen: Int
        public var quantity: Int
        /// What is counted on a per-piece line, e.g. "本".
        public var quantityName: String?
        public var amountFen: Int

        public init(name: String, standard: String, legalBasis: String, condition: String?, unitFen: Int, quantity: Int, quantityName: String?, amountFen: Int) {
            self.name = name
            self.standard = standard
            self.legalBasis = legalBasis
            self.condition = condition
            self.unitFen = unitFen
            self.quantity = quantity
            self.quantityName = quantityName
            self.amountFen = amountFen
        }

        /// "机动车号牌工本费：100.00 元" or "证书工本费：10.00 元 × 2 本 = 20.00 元", for documents and pages.
        public var text: String {
            let condition = self.condition.map { "（\($0)）" } ?? ""
            if quantityName != nil || quantity != 1 {
                return "\(name)\(condition)：\(FeeAmount.text(fen: unitFen)) × \(quantity) \(quantityName ?? "件") = \(FeeAmount.text(fen: amountFen))"
            }
            return "\(name)\(condition)：\(FeeAmount.text(fen: amountFen))"
        }
    }

    /// The condition chosen (住宅 / 非住宅 …), nil when the item has none.
    public var condition: String?
    public var lines: [Line]
    public var reduction: FeeReduction?
    /// The sum of the lines.
    public var subtotalFen: Int
    /// What the reduction takes off (the whole subtotal for a full waiver).
    public var reductionFen: Int
    /// What the applicant pays: `CaseRow.feeFen` and the payment order's amount.
    public var totalFen: Int

    public init(condition: String?, lines: [Line], reduction: FeeReduction?, subtotalFen: Int, reductionFen: Int, totalFen: Int) {
        self.condition = condition
        self.lines = lines
        self.reduction = reduction
        self.subtotalFen = subtotalFen
        self.reductionFen = reductionFen
        self.totalFen = totalFen
    }

    /// A case's charge of nothing (a free item).
    public static let free = FeeCharge(condition: nil, lines: [], reduction: nil, subtotalFen: 0, reductionFen: 0, totalFen: 0)

    /// The lines of a payment order or an approval decision (R8.6): each line with its standard
    /// and legal basis, the reduction, and the total; a case from before fees were data
    /// (`charge` nil) has its total only.
    public static func orderItems(_ charge: FeeCharge?, totalFen: Int) -> [String] {
        guard let charge else { return ["合计：\(FeeAmount.text(fen: totalFen))"] }
        return charge.lines.map { "\($0.text)（标准：\($0.standard)；依据：\($0.legalBasis)）" } + [charge.reductionText].compactMap { $0 }
            + ["合计：\(FeeAmount.text(fen: charge.totalFen))"]
    }

    /// The reduction as one sentence, nil without one.
    public var reductionText: String? {
        reduction.map { r in
            let what = r.amountFen == nil ? "免收全部费用" : "减收 \(FeeAmount.text(fen: reductionFen))"
            return "减免：\(what)（理由：\(r.reason)；依据：\(r.legalBasis)）"
        }
    }
}

/// 减免 (R8.6): recorded by the clerk with its reason and legal basis; `amountFen` nil is a
/// full waiver (免收), otherwise the amount taken off the lines' sum.
public struct FeeReduction: Sendable, Codable, Hashable {
    public var reason: String
    public var legalBasis: String
    public var amountFen: Int?

    public init(reason: String, legalBasis: String, amountFen: Int?) {
        self.reason = reason
        self.legalBasis = legalBasis
        self.amountFen = amountFen
    }
}

/// A fee choice the schedule refuses, with a stable code and a Chinese message (422 at the edge).
public struct FeeScheduleError: Error, Sendable, Equatable {
    public var field: String
    public var code: String
    public var message: String
}

/// The rules of an item's fee lines (R8.6; 行政许可法第五十八条、第五十九条: a fee only where a
/// law or administrative regulation provides for it, at the published standard, in full).
///
/// A line without a condition always applies. Lines with a condition form a choice: the
/// applicant's form or the clerk names one condition and exactly the lines of that
/// condition apply, next to the unconditional ones. A per-piece line is charged for the
/// quantity given (its default when none is). No lines: the item is free.
public enum FeeSchedule {
    /// The conditions an item's lines offer, in the order the catalog lists them.
    public static func conditions(_ fees: [Fee]) -> [String] {
        var seen: [String] = []
        for fee in fees {
            if let c = fee.condition, !seen.contains(c) { seen.append(c) }
        }
        return seen
    }

    /// The highest quantity a per-piece line takes from a form (a typo guard, not law).
    public static let maxQuantity = 99

    /// The lines charged for `condition` and `quantities` (by line name), less `reduction`.
    public static func charge(_ fees: [Fee], condition: String?, quantities: [String: Int] = [:], reduction: FeeReduction? = nil) throws(FeeScheduleError) -> FeeCharge {
        let offered = conditions(fees)
        let chosen = condition?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if offered.isEmpty {
            // Nothing to choose: a stray choice is ignored rather than refused, the lines are the same.
        } else if let chosen {
            guard offered.contains(chosen) else {
                throw FeeScheduleError(field: "feeCondition", code: "fee.condition_unknown",
                                       message: "收费情形“\(chosen)”不是本事项的收费情形，请在“\(offered.joined(separator: "、"))”中选择")
            }
        } else {
            throw FeeScheduleError(field: "feeCondition", code: "fee.condition_required",
                                   message: "请选择收费情形：\(offered.joined(separator: "、"))（收费标准因情形而不同）")
        }
        let applied = offered.isEmpty ? nil : chosen
        var lines: [FeeCharge.Line] = []
        for fee in fees where fee.condition == nil || fee.condition == applied {
            let quantity: Int
            switch fee.unit {
            case .perCase: quantity = 1
            case .perPiece:
                quantity = quantities[fee.name] ?? fee.defaultQuantity
                guard (0...maxQuantity).contains(quantity) else {
                    throw FeeScheduleError(field: "feeQuantity", code: "fee.quantity", message: "“\(fee.name)”的数量应为 0–\(maxQuantity)")
                }
            }
            lines.append(.init(name: fee.name, standard: fee.standard, legalBasis: fee.legalBasis, condition: fee.condition, unitFen: fee.amountFen,
                               quantity: quantity, quantityName: fee.unit == .perPiece ? (fee.quantityName ?? "件") : nil, amountFen: fee.amountFen * quantity))
        }
        let subtotal = lines.reduce(0) { $0 + $1.amountFen }
        let off = try reductionFen(reduction, subtotal: subtotal)
        return FeeCharge(condition: applied, lines: lines, reduction: reduction, subtotalFen: subtotal, reductionFen: off, totalFen: subtotal - off)
    }

    /// What a reduction takes off; it needs a reason and a legal basis, and takes off at most the sum.
    static func reductionFen(_ reduction: FeeReduction?, subtotal: Int) throws(FeeScheduleError) -> Int {
        guard let reduction else { return 0 }
        guard reduction.reason.trimmingCharacters(in: .whitespaces).count >= 2 else {
            throw FeeScheduleError(field: "reductionReason", code: "fee.reduction_reason", message: "减免收费须写明理由")
        }
        guard reduction.legalBasis.trimmingCharacters(in: .whitespaces).count >= 4 else {
            throw FeeScheduleError(field: "reductionBasis", code: "fee.reduction_basis", message: "减免收费须写明法律、法规或政策依据")
        }
        guard subtotal > 0 else {
            throw FeeScheduleError(field: "reductionAmount", code: "fee.reduction_nothing_due", message: "本事项（所选情形）不收费，无需减免")
        }
        guard let amount = reduction.amountFen else { return subtotal }
        guard amount > 0, amount <= subtotal else {
            throw FeeScheduleError(field: "reductionAmount", code: "fee.reduction_amount",
                                   message: "减免金额应大于 0 且不超过应收金额 \(FeeAmount.text(fen: subtotal))")
        }
        return amount
    }

    /// Catalog problems of a fee schedule: a charging line needs an amount; a condition named
    /// once only is no choice. Empty when the schedule is sound.
    public static func problems(_ fees: [Fee]) -> [String] {
        var problems: [String] = []
        for fee in fees where fee.amountFen <= 0 {
            problems.append("收费项目“\(fee.name)”没有金额")
        }
        let offered = conditions(fees)
        if offered.count == 1 { problems.append("收费情形只有“\(offered[0])”一种，有条件的收费项目应至少两种情形可选") }
        return problems
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
