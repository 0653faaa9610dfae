/// What a decision is called for each item type (issue 13 point 6): a 行政确认 item is not
/// refused with a 不予许可决定书. 行政许可 keeps the names of 行政许可法第三十八条 (准予/不予
/// 行政许可); the other types name what the organ grants or declines.
public struct DecisionWording: Sendable, Equatable {
    /// The title of the decision that grants (准予行政许可决定书).
    public var approvalTitle: String
    /// The title of the decision that declines (不予行政许可决定书).
    public var rejectionTitle: String
    /// What is declined, as the decision says it: "决定不予许可", "不予许可的理由".
    public var rejection: String
    /// Whether the rejection is a notice (通知书) rather than a decision, for the rights paragraph.
    public var rejectionDocument: RightsNotice.Document

    public init(approvalTitle: String, rejectionTitle: String, rejection: String, rejectionDocument: RightsNotice.Document = .decision) {
        (self.approvalTitle, self.rejectionTitle, self.rejection, self.rejectionDocument) = (approvalTitle, rejectionTitle, rejection, rejectionDocument)
    }

    public static func of(_ type: ItemType) -> DecisionWording {
        switch type {
        case .licensing: .init(approvalTitle: "准予行政许可决定书", rejectionTitle: "不予行政许可决定书", rejection: "不予许可")
        case .confirmation: .init(approvalTitle: "行政确认决定书", rejectionTitle: "不予确认决定书", rejection: "不予确认")
        case .benefit: .init(approvalTitle: "准予给付决定书", rejectionTitle: "不予给付决定书", rejection: "不予给付")
        case .adjudication: .init(approvalTitle: "行政裁决书", rejectionTitle: "驳回裁决申请决定书", rejection: "驳回裁决申请")
        case .award: .init(approvalTitle: "行政奖励决定书", rejectionTitle: "不予奖励决定书", rejection: "不予奖励")
        case .otherPower: .init(approvalTitle: "准予办理决定书", rejectionTitle: "不予办理决定书", rejection: "不予办理")
        case .publicService: .init(approvalTitle: "办理结果通知书", rejectionTitle: "不予办理通知书", rejection: "不予办理", rejectionDocument: .notice)
        }
    }
}
