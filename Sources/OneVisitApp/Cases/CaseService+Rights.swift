import FluentKit
import Foundation
import OneVisitDomain

extension CaseService {
    /// The rights paragraph of a refusal or a rejection (R8.5.5, R8.2.3): the reconsideration organ
    /// named by the organisation data for the department's kind — the region's people's government
    /// for a local department, the higher department for 税务 and vertically led bodies (行政复议法
    /// 第二十四条、第二十七条) — and both periods' last days counted from `servedOn` on `calendar`
    /// (`Remedies`). `department`: the case's, read by the caller for the document's issuer.
    static func rights(_ c: CaseRow, department: DepartmentModel?, document: RightsNotice.Document, servedOn: CalendarDate,
                       calendar: WorkCalendar, on tx: any Database) async throws -> String {
        let region = try await RegionModel.find(department?.regionCode ?? c.regionCode, on: tx)
        do {
            let remedies = try Remedies.of(department: department?.name ?? "", kind: department?.departmentKind ?? .ordinary,
                                           government: region?.governmentName ?? "", higherDepartment: department?.higherDepartment,
                                           servedOn: servedOn, calendar: calendar)
            return RightsNotice.text(remedies, document: document)
        } catch .higherDepartmentMissing(let name) {
            throw AppError(.conflict, code: "organisation.higher_department_missing",
                           title: "组织机构数据未写明“\(name)”的上一级主管部门，无法告知行政复议机关，请联系系统管理员")
        } catch .governmentMissing {
            throw AppError(.conflict, code: "organisation.government_missing", title: "组织机构数据未写明本级人民政府名称，无法告知行政复议机关，请联系系统管理员")
        }
    }
}
