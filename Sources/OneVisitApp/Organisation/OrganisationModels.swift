import FluentKit
import Foundation
import OneVisitDomain

/// 行政区划 per GB/T 2260; the code is the key.
final class RegionModel: Model, @unchecked Sendable {
    static let schema = "regions"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "level") var level: String
    @OptionalField(key: "parent_code") var parentCode: String?
    /// The people's government of the region, as it is named (郑州市人民政府): the organ that
    /// reconsiders its departments' acts (行政复议法第二十四条). Data, never composed (AddOrganKinds).
    @Field(key: "government_name") var governmentName: String

    init() {}
    init(code: String, name: String, level: String, parentCode: String?, governmentName: String) {
        self.id = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
        self.governmentName = governmentName
    }
}

/// 政务服务部门, one per region and duty, under its real name (河南省自然资源厅).
final class DepartmentModel: Model, @unchecked Sendable {
    static let schema = "departments"
    @ID(key: .id) var id: UUID?
    @Field(key: "region_code") var regionCode: String
    @Field(key: "name") var name: String
    @Field(key: "field") var field: String
    /// The duty's key, the same in every region (自然资源和规划局): the name guides and posts use.
    @Field(key: "short_name") var shortName: String
    /// `DepartmentKind`: who reconsiders its acts (行政复议法第二十四条、第二十七条).
    @Field(key: "kind") var kind: String
    /// The department one level up (国家税务总局河南省税务局), for the kinds whose acts are
    /// reconsidered there; nil for an ordinary local department.
    @OptionalField(key: "higher_department") var higherDepartment: String?

    init() {}
    init(id: UUID = UUID(), regionCode: String, name: String, field: String, shortName: String, kind: DepartmentKind, higherDepartment: String?) {
        self.id = id
        self.regionCode = regionCode
        self.name = name
        self.field = field
        self.shortName = shortName
        self.kind = kind.rawValue
        self.higherDepartment = higherDepartment
    }

    /// The stored kind; an unknown value reads as the kind the name shows.
    var departmentKind: DepartmentKind { DepartmentKind(rawValue: kind) ?? .guessed(fromName: name) }
}

/// 政务服务中心 (hall).
final class ServiceCentreModel: Model, @unchecked Sendable {
    static let schema = "service_centres"
    @ID(key: .id) var id: UUID?
    @Field(key: "region_code") var regionCode: String
    @Field(key: "name") var name: String
    @Field(key: "address") var address: String
    @Field(key: "phone") var phone: String
    @Field(key: "hours") var hours: String

    init() {}
    init(id: UUID = UUID(), regionCode: String, name: String, address: String, phone: String, hours: String) {
        self.id = id
        self.regionCode = regionCode
        self.name = name
        self.address = address
        self.phone = phone
        self.hours = hours
    }
}

/// 窗口: comprehensive (serves a field of items, R6.4) or one department's.
final class WindowModel: Model, @unchecked Sendable {
    static let schema = "windows"
    @ID(key: .id) var id: UUID?
    @Field(key: "centre_id") var centreID: UUID
    @Field(key: "number") var number: String
    @Field(key: "kind") var kind: String
    @Field(key: "field") var field: String
    @OptionalField(key: "department_id") var departmentID: UUID?

    init() {}
    init(id: UUID = UUID(), centreID: UUID, number: String, kind: String, field: String, departmentID: UUID?) {
        self.id = id
        self.centreID = centreID
        self.number = number
        self.kind = kind
        self.field = field
        self.departmentID = departmentID
    }
}

/// 岗位 with its A and B holders (R6.9: no step without a handler).
final class PostModel: Model, @unchecked Sendable {
    static let schema = "posts"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "window_id") var windowID: UUID?
    @OptionalField(key: "holder_a_id") var holderAID: UUID?
    @OptionalField(key: "holder_b_id") var holderBID: UUID?

    init() {}
    init(id: UUID = UUID(), name: String, departmentID: UUID?, windowID: UUID?, holderAID: UUID?, holderBID: UUID?) {
        self.id = id
        self.name = name
        self.departmentID = departmentID
        self.windowID = windowID
        self.holderAID = holderAID
        self.holderBID = holderBID
    }
}
