import Foundation

/// Deemed acceptance of an application with incomplete materials.
///
/// 《行政许可法》第三十二条第一款第（四）项: if the materials are incomplete or not in the statutory
/// form, the organ must tell the applicant everything to be corrected, on the spot or within five
/// days; if it does not, the application is accepted as of the day the materials were received
/// (逾期不告知的，自收到申请材料之日起即为受理). By 第八十二条 the five days are working days.
///
/// The rule is about exactly the applications with materials missing, main materials included;
/// `DueScans.deemedAcceptance` plans which cases it accepts on a day and what they then look like.
public enum DeemedAcceptance {
    /// Working days the organ has to notify the applicant of the corrections needed.
    public static let noticeWindow = 5

    /// The last day on which the correction notice may still be given: the 5th working day after receipt.
    public static func lastNoticeDay(receivedOn: CalendarDate, calendar: WorkCalendar) -> CalendarDate {
        calendar.addWorkdays(receivedOn, noticeWindow)
    }

    /// Whether, with no notice given, the application now counts as accepted (from `receivedOn`):
    /// true once `today` is after ``lastNoticeDay(receivedOn:calendar:)``.
    public static func isDeemedAccepted(receivedOn: CalendarDate, today: CalendarDate, calendar: WorkCalendar) -> Bool {
        today > lastNoticeDay(receivedOn: receivedOn, calendar: calendar)
    }
}
