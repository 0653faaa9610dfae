import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

@Suite("Catalog and guides")
struct CatalogTests {
    /// A new item's body for the API, built from a demo item with another code.
    static func itemBody(code: String = "XK09999000", type: String = "licensing", promised: Int? = nil, department: String = "市场监督管理局") throws -> String {
        var definition = try DemoCatalog.file().items[0].definition
        for index in definition.attributes.materials.indices { definition.attributes.materials[index].blankForm = nil }
        if let promised { definition.attributes.promisedLimit = promised }
        let data = try CatalogService.encoder.encode(definition)
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var attributes = object["attributes"] as! [String: Any]
        attributes["itemCode"] = code
        attributes["itemType"] = type
        object["attributes"] = attributes
        let body = try JSONSerialization.data(withJSONObject: ["department": department, "definition": object])
        return String(decoding: body, as: UTF8.self)
    }

    func adminToken(_ app: TestApp) async throws -> String { try await app.token("catalog.ha") }

    @Test func everyDemoItem_hasAPublishedGuidePageThatRenders() async throws {
        try await TestApp.run(seed: .full) { app in
            let items = try await BaseItemModel.query(on: app.db).all()
            #expect(items.count >= 20)
            #expect(Set(items.map(\.department)).count >= 6)
            let published = try await GuideVersionModel.query(on: app.db).filter(\.$state == "published").all()
            #expect(Set(published.map(\.itemCode)) == Set(items.map(\.code)))
            for version in published {
                let page = try await app.page("/guides/\(version.implementationID)")
                #expect(page.status == .ok, "\(version.itemCode)@\(version.regionCode)")
                #expect(page.text.contains(version.itemCode))
                #expect(page.text.contains("申请材料"))
            }
        }
    }

    @Test func search_findsItemsByPartOfAChineseWord() async throws {
        try await TestApp.run(seed: .full) { app in
            let food = try await app.json(.get, "/api/v1/guides?q=\("食品".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(food.status == .ok)
            let guides = try JSONDecoder().decode([GuideSummary].self, from: Data(buffer: food.body))
            #expect(!guides.isEmpty)
            #expect(guides.allSatisfy { $0.itemName.contains("食品") || $0.topics.contains("食品") })
            #expect(guides.contains { $0.itemName.contains("食品经营许可") })
            // 施工 finds 建筑工程施工许可; a department filter narrows to one region's department
            let build = try await app.page("/guides?q=\("施工".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(build.text.contains("施工许可"))
            let nothing = try await app.page("/guides?q=\("不存在的事项名".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
            #expect(nothing.text.contains("没有找到相关事项"))
            let zhengzhou = try await app.json(.get, "/api/v1/guides?region=410100")
            let zz = try JSONDecoder().decode([GuideSummary].self, from: Data(buffer: zhengzhou.body))
            #expect(!zz.isEmpty && zz.allSatisfy { $0.regionCode == "410100" })
        }
    }

    @Test func driftReport_findsTheKnownDrift() async throws {
        try await TestApp.run(seed: .full) { app in
            let token = try await app.token("supervisor.ha")
            let response = try await app.json(.get, "/api/v1/catalog/drift", token: token)
            #expect(response.status == .ok)
            let report = try JSONDecoder().decode(DriftReport.self, from: Data(buffer: response.body))
            let planning = try #require(report.items.first { $0.name.contains("建设工程规划许可") })
            let qixian = try #require(planning.implementations.first { $0.regionCode == "410221" })
            let limit = try #require(qixian.differences.first { $0.attribute == .promisedLimit })
            #expect(limit.baseValue == "10 个工作日")
            #expect(limit.localValue == "15 个工作日")
            // the other regions follow the base
            let others = planning.implementations.filter { $0.regionCode != "410221" }
            #expect(!others.isEmpty && others.allSatisfy { !$0.hasDrift })
            #expect(report.itemsWithDrift >= 5)
            // applicants may not read it; the page shows it to supervisors
            let applicant = try await app.token("13800000001")
            #expect(try await app.json(.get, "/api/v1/catalog/drift", token: applicant).status == .forbidden)
        }
    }

    @Test func badItems_get422WithTheirOwnCode_andNothingIsStored() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let token = try await adminToken(app)
            let before = try await app.count(BaseItemModel.self)
            let auditBefore = try await app.count(AuditRecordRow.self)
            let cases: [(String, String)] = [
                (try Self.itemBody(type: "parking"), "item.type_unknown"),
                (try Self.itemBody(code: "CF00001000", type: "penalty"), "item.type_excluded"),
                (try Self.itemBody(code: "XK1234"), "item.code_format"),
                (try Self.itemBody(code: "QR09999000"), "item.code_type_mismatch"),
                (try Self.itemBody(promised: 400), "item.promised_exceeds_legal"),
                (try Self.itemBody(department: "不存在局"), "item.department_unknown"),
            ]
            for (body, code) in cases {
                let response = try await app.json(.post, "/api/v1/catalog/items", token: token, body: body)
                #expect(response.status == .unprocessableContent, "\(code): \(response.text)")
                #expect(try response.problem().code == code)
            }
            #expect(try await app.count(BaseItemModel.self) == before)
            #expect(try await app.count(AuditRecordRow.self) == auditBefore)
            // the valid one is stored once; the same code again is a duplicate
            #expect(try await app.json(.post, "/api/v1/catalog/items", token: token, body: try Self.itemBody()).status == .created)
            let duplicate = try await app.json(.post, "/api/v1/catalog/items", token: token, body: try Self.itemBody())
            #expect(duplicate.status == .unprocessableContent)
            #expect(try duplicate.problem().code == "item.code_duplicate")
            #expect(try await app.count(BaseItemModel.self) == before + 1)
            // only catalog admins create items
            let clerk = try await app.token("clerk.zz")
            #expect(try await app.json(.post, "/api/v1/catalog/items", token: clerk, body: try Self.itemBody(code: "XK09998000")).status == .forbidden)
        }
    }

    @Test func guideLifeCycle_throughTheAPI_withFourEyesAndVersions() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let admin = try await adminToken(app)
            #expect(try await app.json(.post, "/api/v1/catalog/items", token: admin, body: try Self.itemBody()).status == .created)
            let department = try #require(try await DepartmentModel.query(on: app.db).filter(\.$name == "郑州市市场监督管理局").first())
            let implement = try await app.json(.post, "/api/v1/catalog/items/XK09999000/implementations", token: admin, body: #"{"regionCode":"410100","departmentID":"\#(department.id!.uuidString)","local":{"address":"郑州市政务服务中心","phone":"0371-12345","hours":"工作日","windows":"A01"}}"#)
            #expect(implement.status == .created, "\(implement.text)")
            let created = try JSONDecoder().decode(CreatedBody.self, from: Data(buffer: implement.body))
            let versionID = try #require(created.versionID)
            func act(_ action: String, _ token: String, version: Int? = nil) async throws -> TestResponse {
                let versionPart = version.map { #","version":\#($0)"# } ?? ""
                return try await app.json(.post, "/api/v1/catalog/guide-versions/\(versionID)/transitions", token: token, body: #"{"action":"\#(action)"\#(versionPart)}"#)
            }
            // not published yet: the public cannot see it
            #expect(try await app.json(.get, "/api/v1/guides/\(created.id)").status == .notFound)
            #expect(try await act("publish", admin).status == .conflict)
            #expect(try await act("submit", admin).status == .ok)
            // the submitter may not approve; a head of another department may not either
            let selfApproval = try await act("approve", admin)
            #expect(selfApproval.status == .conflict)
            #expect(try selfApproval.problem().code == "guide.four_eyes")
            // the head of the implementing department approves
            let head = try await app.token("head.zz")
            #expect(try await act("approve", head).status == .ok)
            #expect(try await act("publish", admin).status == .ok)
            let guide = try await app.json(.get, "/api/v1/guides/\(created.id)")
            #expect(guide.status == .ok)
            #expect(guide.text.contains("\"state\":\"published\""))
            // a new draft is version 2; the published version 1 stays public until 2 is published
            let draft = try await app.json(.post, "/api/v1/catalog/implementations/\(created.id)/versions", token: admin, body: try Self.itemBody(promised: 3).replacingOccurrences(of: #""department":"市场监督管理局","#, with: ""))
            #expect(draft.status == .created, "\(draft.text)")
            #expect(draft.text.contains("\"versionNumber\":2"))
            #expect(try await app.json(.get, "/api/v1/guides/\(created.id)").text.contains("\"versionNumber\":1"))
            let audit = try await app.count(AuditRecordRow.self, where: ["action": "catalog.guide_publish"])
            #expect(audit == 1)
        }
    }

    @Test func twoEditorsActingAtOnce_onlyOneWins() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let admin = try await adminToken(app)
            _ = try await app.json(.post, "/api/v1/catalog/items", token: admin, body: try Self.itemBody())
            let department = try #require(try await DepartmentModel.query(on: app.db).filter(\.$name == "郑州市市场监督管理局").first())
            let implement = try await app.json(.post, "/api/v1/catalog/items/XK09999000/implementations", token: admin, body: #"{"regionCode":"410100","departmentID":"\#(department.id!.uuidString)","local":{"address":"a","phone":"b","hours":"c","windows":"d"}}"#)
            let versionID = try #require(try JSONDecoder().decode(CreatedBody.self, from: Data(buffer: implement.body)).versionID)
            let results = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await app.json(.post, "/api/v1/catalog/guide-versions/\(versionID)/transitions", token: admin, body: #"{"action":"submit","version":1}"#).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == .ok }.count == 1)
            #expect(results.filter { $0 == .conflict }.count == 1)
            #expect(try await app.count(AuditRecordRow.self, where: ["action": "catalog.guide_submit"]) == 1)
        }
    }

    @Test func unjustifiedMaterialFlag_blocksPublication() async throws {
        try await TestApp.run(seed: .full) { app in
            let blocked = try await GuideVersionModel.query(on: app.db).filter(\.$state == "approved").all()
            #expect(!blocked.isEmpty)
            let admin = try await adminToken(app)
            let version = try #require(blocked.first)
            let response = try await app.json(.post, "/api/v1/catalog/guide-versions/\(version.id!)/transitions", token: admin, body: #"{"action":"publish"}"#)
            #expect(response.status == .conflict)
            #expect(try response.problem().code == "guide.material_flags")
            let check = try await app.json(.get, "/api/v1/catalog/guide-versions/\(version.id!)/check", token: admin)
            #expect(check.text.contains("\"publishable\":false"))
            // the admin's page shows why
            let login = try await app.form("/login", ["username": "catalog.ha", "password": DemoSeed.password])
            let page = try await app.page("/catalog", cookie: try #require(app.sessionCookie(from: login)))
            #expect(page.status == .ok)
            #expect(page.text.contains("bad-text"))
        }
    }

    @Test func blankForm_downloadsAsPDF() async throws {
        try await TestApp.run(seed: .full) { app in
            let published = try #require(try await GuideVersionModel.query(on: app.db).filter(\.$state == "published").filter(\.$itemName ~~ "食品经营许可").first())
            let page = try await app.page("/guides/\(published.implementationID)")
            let link = try #require(page.text.range(of: #"/downloads/[0-9a-f]{64}/[^"]+"#, options: .regularExpression).map { String(page.text[$0]) })
            let download = try await app.page(link)
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(download.headers[.contentDisposition]?.contains("filename*=UTF-8''") == true)
            #expect(String(buffer: download.body).hasPrefix("%PDF-"))
            #expect(try await app.page("/downloads/\(String(repeating: "0", count: 64))/x.pdf").status == .notFound)
        }
    }

    @Test func upload_checksContentNotName_andStoresByHash() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let admin = try await adminToken(app)
            func upload(_ name: String, _ bytes: [UInt8]) async throws -> TestResponse {
                try await app.client.execute(uri: "/api/v1/catalog/files?name=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", method: .post,
                                             headers: [.authorization: "Bearer \(admin)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: bytes))
            }
            let script = try await upload("申请书.pdf", Array("#!/bin/sh\nrm -rf /\n".utf8))
            #expect(script.status == .unprocessableContent)
            #expect(try script.problem().code == "file.type")
            let renamedPNG = try await upload("申请书.pdf", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0])
            #expect(try renamedPNG.problem().code == "file.extension_mismatch")
            let traversal = try await upload("../../etc/passwd.pdf", Array("%PDF-1.4\n".utf8))
            #expect(try traversal.problem().code == "file.name")
            let pdf = Array("%PDF-1.4\n%%EOF\n".utf8)
            let ok = try await upload("申请书.pdf", pdf)
            #expect(ok.status == .created)
            #expect(ok.text.contains(BlobStore.hex(Data(pdf))))
            #expect(app.services.blobs.exists(BlobStore.hex(Data(pdf))))
            #expect(try await app.count(StoredFileModel.self) == 1)
        }
    }
}

struct CreatedBody: Decodable {
    var id: UUID
    var versionID: UUID?
    var versionNumber: Int?
}
