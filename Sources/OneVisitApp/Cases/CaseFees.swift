import Foundation
import OneVisitDomain

/// A case's fees (R8.6): what the form or the clerk chose, the charge `FeeSchedule` computes
/// from the guide's fee lines, and how pages show both.
struct FeeRequest: Sendable, Equatable {
    /// The condition chosen (住宅 / 非住宅 …), nil or empty when none was given.
    var condition: String?
    /// Quantities of per-piece lines, by line name (the API) …
    var quantities: [String: Int] = [:]
    /// … or by the line's position in the guide's fees (the forms).
    var quantitiesByPosition: [Int: Int] = [:]
    /// 减免, recorded by the clerk only.
    var reduction: FeeReduction?

    init(condition: String? = nil, quantities: [String: Int] = [:], reduction: FeeReduction? = nil) {
        self.condition = condition
        self.quantities = quantities
        self.reduction = reduction
    }

    /// The choice as a form sends it: `feeCondition`, `feeQuantity_N` (N: the line's position in
    /// the guide's fees) and, when `clerk`, the reduction (`reductionKind` none / waiver / amount,
    /// `reductionYuan`, `reductionReason`, `reductionBasis`).
    static func form(_ fields: [String: String], clerk: Bool) throws -> FeeRequest {
        var request = FeeRequest(condition: fields["feeCondition"])
        for (name, value) in fields where name.hasPrefix("feeQuantity_") {
            let raw = value.trimmingCharacters(in: .whitespaces)
            guard let position = Int(name.dropFirst("feeQuantity_".count)), !raw.isEmpty else { continue }
            guard let quantity = Int(raw) else {
                throw AppError.invalid("feeQuantity", code: "fee.quantity", "收费数量应为 0–\(FeeSchedule.maxQuantity) 的整数")
            }
            request.quantitiesByPosition[position] = quantity
        }
        guard clerk else { return request }
        switch fields["reductionKind"] ?? "" {
        case "", "none": break
        case "waiver":
            request.reduction = FeeReduction(reason: fields["reductionReason"] ?? "", legalBasis: fields["reductionBasis"] ?? "", amountFen: nil)
        case "amount":
            guard let fen = yuanToFen(fields["reductionYuan"] ?? "") else {
                throw AppError.invalid("reductionAmount", code: "fee.reduction_amount", "减免金额应为以元为单位的金额，如 10 或 10.50")
            }
            request.reduction = FeeReduction(reason: fields["reductionReason"] ?? "", legalBasis: fields["reductionBasis"] ?? "", amountFen: fen)
        default:
            throw AppError.invalid("reductionKind", code: "fee.reduction_kind", "减免方式应为不减免、全额免收或减收部分金额")
        }
        return request
    }

    /// "10" or "10.5" yuan as fen; nil for anything else.
    static func yuanToFen(_ text: String) -> Int? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard text.wholeMatch(of: /[0-9]{1,7}(\.[0-9]{1,2})?/) != nil, let yuan = Decimal(string: text) else { return nil }
        return NSDecimalNumber(decimal: yuan * 100).intValue
    }
}

extension CaseService {
    /// The case's charge from the guide's fee lines; a choice the schedule refuses is a 422
    /// with the schedule's code, before anything is written.
    static func charge(_ definition: ItemDefinition, _ request: FeeRequest) throws -> FeeCharge {
        let fees = definition.attributes.fees
        var quantities = request.quantities
        let counted = Set(fees.filter { $0.unit == .perPiece }.map(\.name))
        if let stray = quantities.keys.sorted().first(where: { !counted.contains($0) }) {
            throw AppError.invalid("feeQuantities", code: "fee.quantity_unknown", "“\(stray)”不是本事项按数量计收的收费项目")
        }
        for (position, quantity) in request.quantitiesByPosition where fees.indices.contains(position) {
            quantities[fees[position].name] = quantity
        }
        do throws(FeeScheduleError) {
            return try FeeSchedule.charge(fees, condition: request.condition, quantities: quantities, reduction: request.reduction)
        } catch {
            throw AppError.invalid(error.field, code: error.code, error.message)
        }
    }
}

extension CaseRow {
    /// The charge stored when the case was received; nil for cases from before fees were data
    /// (they have the total in `feeFen` only).
    var feeCharge: FeeCharge? {
        feeDetail.flatMap { try? JSONDecoder().decode(FeeCharge.self, from: Data($0.utf8)) }
    }

    static func encode(_ charge: FeeCharge) throws -> String {
        String(decoding: try JSONEncoder().encode(charge), as: UTF8.self)
    }
}

/// One fee line as pages show it: the guide's table and a case's payment order alike.
struct FeeLineView: Codable, Sendable, Equatable {
    var name: String
    var condition: String
    var standard: String
    var legalBasis: String
    var amountText: String
    var text: String

    init(_ fee: Fee) {
        name = fee.name
        condition = fee.condition ?? "—"
        standard = fee.standard
        legalBasis = fee.legalBasis
        amountText = FeeAmount.text(fen: fee.amountFen) + (fee.unit == .perPiece ? "/\(fee.quantityName ?? "件")" : "/件")
        text = "\(fee.name)：\(fee.standard)"
    }

    init(_ line: FeeCharge.Line) {
        name = line.name
        condition = line.condition ?? "—"
        standard = line.standard
        legalBasis = line.legalBasis
        amountText = FeeAmount.text(fen: line.amountFen)
        text = line.text
    }
}

/// The fee part of a form: the condition to choose and the per-piece quantities to give.
struct FeeChoiceView: Codable, Sendable, Equatable {
    struct Option: Codable, Sendable, Equatable { var value: String; var selected: Bool }
    struct Quantity: Codable, Sendable, Equatable { var position: Int; var label: String; var value: Int }
    var hasConditions: Bool
    var conditions: [Option]
    var quantities: [Quantity]
    var hasQuantities: Bool
    var free: Bool

    init(_ fees: [Fee], chosen: String? = nil) {
        conditions = FeeSchedule.conditions(fees).map { .init(value: $0, selected: $0 == chosen) }
        hasConditions = !conditions.isEmpty
        quantities = fees.enumerated().filter { $0.element.unit == .perPiece }.map { position, fee in
            .init(position: position, label: "\(fee.name)（\(fee.standard)）数量，单位：\(fee.quantityName ?? "件")", value: fee.defaultQuantity)
        }
        hasQuantities = !quantities.isEmpty
        free = fees.isEmpty
    }
}
