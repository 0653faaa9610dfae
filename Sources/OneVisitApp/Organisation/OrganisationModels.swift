import FluentKit
import Foundation

/// 行政区划 per GB/T 2260; the code is the key.
final class RegionModel: Model, @unchecked Sendable {
    static let schema = "regions"
    @ID(custom: "code", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "level") var level: String
    @OptionalField(key: "parent_code") var parentCode: String?

    init() {}
    init(code: String, name: String, level: String, parentCode: String?) {
        self.id = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
    }
}

/// 政务服务部门, one per region and duty.
final class DepartmentModel: Model, @unchecked Sendable {
    static let schema = "departments"
    @ID(key: .id) var id: UUID?
    @Field(key: "region_code") var regionCode: String
    @Field(key: "name") var name: String
    @Field(key: "field") var field: String

    init() {}
    init(id: UUID = UUID(), regionCode: String, name: String, field: String) {
        self.id = id
        self.regionCode = regionCode
        self.name = name
        self.field = field
    }
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
