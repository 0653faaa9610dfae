import Foundation

/// 救济途径 (R8.5.5): the rights stated in every decision not to approve.
public enum RightsNotice {
    /// 行政复议法第二十条 (60 days), 行政诉讼法第四十六条 (6 months).
    public static func text(reconsiderationBodies: [String], court: String) -> String {
        "申请人如对本决定不服，可以自收到本决定之日起六十日内向\(reconsiderationBodies.joined(separator: "或"))申请行政复议，"
            + "也可以自收到本决定之日起六个月内依法向\(court)提起行政诉讼。"
    }
}
