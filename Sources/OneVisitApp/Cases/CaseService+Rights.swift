import FluentKit
import SQLKit
import Foundation
import OneVisitDomain

extension CaseService {
    /// The rights text naming this region's government and the department one level up
    /// (`department`: the case's, read by the caller for the document's issuer).
    static func rights(_ c: CaseRow, department: DepartmentModel?, on tx: any Database) async throws -> String {
        let parentCode = RegionCode(c.regionCode)?.parent?.value
        let codes = [c.regionCode] + (parentCode.map { [$0] } ?? [])
        let regions = try await RegionModel.query(on: tx).filter(\.$id ~~ codes).all()
        let region = regions.first { $0.id == c.regionCode }
        var bodies = ["\(region?.name ?? "")人民政府"]
        if let parentCode, let parent = regions.first(where: { $0.id == parentCode }), let department {
            let short = department.name.hasPrefix(region?.name ?? "\u{0}") ? String(department.name.dropFirst(region!.name.count)) : department.name
            bodies.append(parent.name + short)
        }
        return RightsNotice.text(reconsiderationBodies: bodies, court: "有管辖权的人民法院")
    }
}
