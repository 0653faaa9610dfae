import Foundation

/// 收件渠道 (R8.2.1, R8.2.5): stored as these strings.
public enum CaseChannel: String, Sendable, Codable, CaseIterable {
    case online, walkIn, letter, fax, email

    public var chineseName: String {
        switch self {
        case .online: "网上申请"
        case .walkIn: "窗口现场"
        case .letter: "信函"
        case .fax: "传真"
        case .email: "电子邮件"
        }
    }

    /// The channels a clerk registers at the window (R8.2.1).
    public static let window: [CaseChannel] = [.walkIn, .letter, .fax, .email]

    /// A walk-in is a visit to the hall (R3.8).
    public var isVisit: Bool { self == .walkIn }
}

/// A department task's state (R8.3, R8.4).
public enum TaskState: String, Sendable, Codable, CaseIterable {
    case pending, claimed, done

    public var chineseName: String {
        switch self {
        case .pending: "待审查"
        case .claimed: "审查中"
        case .done: "已完成"
        }
    }
}

/// Where a material of a case stands.
public enum MaterialStatus: String, Sendable, Codable, CaseIterable {
    /// Handed in online or at the window.
    case provided
    /// Not handed in, or asked for again by a one-time notice.
    case missing
    /// Obtained by the platform itself (R8.1.2).
    case platform
    /// Supplied after tolerance acceptance (R6.5).
    case supplied

    public var chineseName: String {
        switch self {
        case .provided: "已提交"
        case .missing: "欠缺"
        case .platform: "免提交"
        case .supplied: "已补交"
        }
    }

    /// As the electronic receipt says it (R7.3.2).
    public func receiptName(source: String?) -> String {
        switch self {
        case .provided, .supplied: "已提交"
        case .missing: "未提交"
        case .platform: "免提交（\(source ?? "")）"
        }
    }
}

/// 支付单 state (R8.6).
public enum PaymentState: String, Sendable, Codable, CaseIterable {
    case pending, paid
}

/// Where a fee was paid (R8.6).
public enum PaymentChannel: String, Sendable, Codable, CaseIterable {
    case online, window
}

/// The numbered documents of a case.
public enum CaseDocumentKind: String, Sendable, Codable, CaseIterable {
    case receipt, acceptanceSlip, oneTimeNotice, nonAcceptance, toleranceNotice, inspectionNotice, decision, extensionNotice
}

/// What the head of the lead department decides (R8.5).
public enum CaseDecision: String, Sendable, Codable, CaseIterable {
    case approve, reject, reportUp

    public var action: CaseAction {
        switch self {
        case .approve: .approve
        case .reject: .reject
        case .reportUp: .reportUp
        }
    }
}

/// 缴费 (R8.6): a case's fees are settled when nothing is due or every order is paid.
/// The one test of "paid" — the case page, the result download, delivery and the
/// payment steps ask it.
public enum PaymentSettlement {
    /// Whether fees are settled, given the fee and the states of the case's payment orders.
    public static func isSettled(feeFen: Int, orders: [PaymentState]) -> Bool {
        guard feeFen > 0 else { return true }
        return !orders.isEmpty && orders.allSatisfy { $0 == .paid }
    }

    /// An order still waiting to be paid: the window may take it, the applicant pay it online.
    public static func hasPendingOrder(_ orders: [PaymentState]) -> Bool { orders.contains(.pending) }
}

/// The last four characters the holder of a case types (R7.5) or a collector shows at the
/// window (R8.7): spaces around them and the case of "x" do not matter. The one holder check
/// for the progress query and for pickup.
public enum HolderCheck {
    /// The four characters as compared, nil when they are not four.
    public static func last4(_ raw: String) -> String? {
        let last4 = raw.trimmingCharacters(in: .whitespaces).uppercased()
        return last4.count == 4 ? last4 : nil
    }

    /// The collector's identity document: the applicant's ID (or credit code) number ends so.
    public static func matchesIDNumber(_ raw: String, idNumber: String?) -> Bool {
        guard let last4 = last4(raw), let idNumber, idNumber.count >= 4 else { return false }
        return idNumber.uppercased().hasSuffix(last4)
    }

    /// The progress query: the ID number or the mobile ends so.
    public static func matches(_ raw: String, phone: String, idNumber: String?) -> Bool {
        guard let last4 = last4(raw) else { return false }
        return phone.hasSuffix(last4) || matchesIDNumber(last4, idNumber: idNumber)
    }
}
