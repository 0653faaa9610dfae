import Foundation
import Hummingbird
import OneVisitAPI
import OneVisitDomain

// The API's request and response types are generated from `openapi.json` (target
// `OneVisitAPI`); here they become Hummingbird responses, and are made from the app's values.
// Dates go out through the context's encoder (ISO 8601, whole seconds), as before.

extension Components.Schemas.LoginResponse: ResponseEncodable {}
extension Components.Schemas.Account: ResponseEncodable {}
extension Components.Schemas.ClaimCode: ResponseEncodable {}
extension Components.Schemas.Organisation: ResponseEncodable {}
extension Components.Schemas.Region: ResponseEncodable {}
extension Components.Schemas.AuditRecord: ResponseEncodable {}
extension Components.Schemas.AuditVerification: ResponseEncodable {}
extension Components.Schemas.SupervisionReport: ResponseEncodable {}
extension Components.Schemas.GuideSummary: ResponseEncodable {}
extension Components.Schemas.Guide: ResponseEncodable {}
extension Components.Schemas.DepartmentReductions: ResponseEncodable {}
extension Components.Schemas.DriftReport: ResponseEncodable {}
extension Components.Schemas.CatalogEntry: ResponseEncodable {}
extension Components.Schemas.Created: ResponseEncodable {}
extension Components.Schemas.GuideCheck: ResponseEncodable {}
extension Components.Schemas.FileUploaded: ResponseEncodable {}
extension Components.Schemas.CaseSummary: ResponseEncodable {}
extension Components.Schemas.CaseDetail: ResponseEncodable {}
extension Components.Schemas.PaymentCallbackResult: ResponseEncodable {}
extension Components.Schemas.Progress: ResponseEncodable {}

extension RawRepresentable where RawValue == String {
    /// A stored code as one of the API's enums. A code the document does not list is a
    /// server error, never a silent default.
    static func apiValue(_ code: String) throws -> Self {
        guard let value = Self(rawValue: code) else {
            throw AppError(.internalServerError, code: "api.unknown_code", title: "数据代码无法识别：\(code)")
        }
        return value
    }
}

extension Components.Schemas.Role {
    init(_ role: Role) {
        switch role {
        case .applicant: self = .applicant
        case .staff(.windowClerk): self = .windowClerk
        case .staff(.departmentReviewer): self = .departmentReviewer
        case .staff(.departmentHead): self = .departmentHead
        case .staff(.catalogAdmin): self = .catalogAdmin
        case .staff(.supervisor): self = .supervisor
        case .staff(.systemAdmin): self = .systemAdmin
        case .staff(.auditor): self = .auditor
        }
    }
}

extension Components.Schemas.AccountSummary {
    init(_ p: Principal) {
        self.init(id: p.accountID.uuidString, role: .init(p.role), roleName: p.role.chineseName, displayName: p.displayName)
    }
}

extension Components.Schemas.Account {
    /// The account as its holder sees it (`AccountView` masks the ID number and phone).
    init(_ a: AccountView) throws {
        self.init(
            id: a.id.uuidString, loginName: a.loginName, role: try .apiValue(a.role), roleName: a.roleName, displayName: a.displayName,
            applicantType: try a.applicantType.map(applicantTypePayload.apiValue), applicantTypeName: a.applicantTypeName,
            idNumberMasked: a.idNumberMasked, creditCode: a.creditCode, legalRepresentative: a.legalRepresentative,
            contactName: a.contactName, phoneMasked: a.phoneMasked, createdAt: a.createdAt)
    }
}

extension Components.Schemas.Region {
    init(_ r: OrganisationRoutes.RegionView) throws {
        self.init(code: r.code, name: r.name, level: try .apiValue(r.level), levelName: r.levelName, parentCode: r.parentCode)
    }
}

extension Components.Schemas.Organisation {
    init(_ o: OrganisationRoutes.Overview) throws {
        self.init(
            regions: try o.regions.map(Components.Schemas.Region.init),
            departments: o.departments.map { d in
                .init(id: d.id.uuidString, regionCode: d.regionCode, regionName: d.regionName, name: d.name, field: d.field)
            },
            centres: try o.centres.map { c in
                .init(id: c.id.uuidString, regionCode: c.regionCode, regionName: c.regionName, name: c.name, address: c.address,
                      phone: c.phone, hours: c.hours,
                      windows: try c.windows.map { w in
                          .init(id: w.id.uuidString, number: w.number, kind: try .apiValue(w.kind), kindName: w.kindName,
                                field: w.field, departmentName: w.departmentName)
                      })
            },
            posts: o.posts.map { p in
                .init(id: p.id.uuidString, name: p.name, unit: p.unit, holderA: p.holderA, holderB: p.holderB, hasBackup: p.hasBackup)
            })
    }
}

extension Components.Schemas.AuditRecord {
    init(_ r: AuditRoutes.RecordView) {
        self.init(sequence: r.sequence, occurredAt: r.occurredAt, occurredAtText: r.occurredAtText, actor: r.actor, action: r.action,
                  objectType: r.objectType, objectID: r.objectID, address: r.address, detail: r.detail)
    }
}

extension Components.Schemas.AuditVerification {
    init(_ v: AuditRoutes.VerifyResult) {
        self.init(intact: v.intact, checked: v.checked, firstBreak: v.firstBreak)
    }
}

extension Components.Schemas.Indicators {
    init(_ i: Indicators) {
        self.init(received: i.received, accepted: i.accepted, acceptedOnTheSpot: i.acceptedOnTheSpot, decided: i.decided,
                  decidedOnTime: i.decidedOnTime, decidedOnline: i.decidedOnline, open: i.open, overdue: i.overdue, violations: i.violations,
                  acceptedConcentrated: i.acceptedConcentrated, concentratedRatePerMille: i.concentratedRate)
    }
}

extension Components.Schemas.SupervisionReport {
    init(_ r: SupervisionService.Report) {
        self.init(
            regionCode: r.regionCode, from: r.from, to: r.to, asOf: r.asOf, total: .init(r.total),
            departments: r.departments.map { d in
                .init(departmentID: d.departmentID.uuidString, departmentName: d.departmentName, regionCode: d.regionCode, figures: .init(d.figures))
            })
    }
}
