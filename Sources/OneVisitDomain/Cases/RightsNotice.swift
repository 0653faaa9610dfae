import Foundation

/// 救济途径 (R8.5.5, R8.2.3): the rights stated in every decision not to approve and every
/// notice of non-acceptance — the right, the exact organ, the period and its computed last day,
/// for reconsideration and for litigation. A notice that fails to state them lets the period
/// run up to a year (行政复议法第二十条第二款), so the organ and the days are legal statements.
public enum RightsNotice {
    /// What the applicant received: a decision (决定书) or a notice (通知书).
    public enum Document: Sendable {
        case decision, notice

        var name: String {
            switch self {
            case .decision: "决定"
            case .notice: "通知"
            }
        }
    }

    /// The paragraph for `remedies`: reconsideration within sixty days (行政复议法第二十条) at the
    /// organ of 第二十四条/第二十七条; litigation within six months directly (行政诉讼法第四十六条) or
    /// within fifteen days of the reconsideration decision (第四十五条).
    public static func text(_ remedies: Remedies, document: Document, court: String = "有管辖权的人民法院") -> String {
        let this = "本\(document.name)"
        let served = CaseNotices.dayText(remedies.servedOn)
        return "申请人如对\(this)不服，可以自收到\(this)之日起六十日内（\(this)于\(served)送达的，至\(CaseNotices.dayText(remedies.reconsiderationLastDay))止）"
            + "向\(remedies.reconsiderationOrgan)申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。"
            + "申请人也可以自收到\(this)之日起六个月内（至\(CaseNotices.dayText(remedies.litigationLastDay))止）直接向\(court)提起行政诉讼。"
            + "期间届满之日为法定节假日或者休息日的，以其后的第一个工作日为期间届满之日，上述日期已按此计算。"
    }
}
