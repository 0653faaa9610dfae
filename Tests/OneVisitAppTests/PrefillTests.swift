import FluentKit
import Foundation
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// R7.3.1: the apply form is pre-filled by what each field holds, from what the account knows,
/// and says which fields it filled; the applicant may change them.
@Suite("Pre-fill by field meaning")
struct PrefillTests {
    static let note = "已按账号信息预填，可修改"

    /// The Zhengzhou apply page as `login` sees it.
    private func applyPage(_ app: TestApp, login: String, code: String) async throws -> String {
        let implementation = try await CaseFlowTests.implementation(app, code: code)
        let session = try await WebSecurityTests.signIn(app, login)
        let page = try await app.page(SitePath.Cases.apply(implementation).link, cookie: session)
        #expect(page.status == .ok)
        return page.text
    }

    /// Every field of the form with the value the page gives it.
    private func fieldValues(_ html: String) -> [String: String] {
        var values: [String: String] = [:]
        let pattern = #"name="field_([^"]+)" value="([^"]*)""#
        let regex = try! NSRegularExpression(pattern: pattern)
        for match in regex.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            values[String(html[Range(match.range(at: 1), in: html)!])] = String(html[Range(match.range(at: 2), in: html)!])
        }
        return values
    }

    @Test func personsRealEstateForm_nameIDAndPhoneFilled() async throws {
        try await TestApp.run(seed: .full) { app in
            let html = try await applyPage(app, login: "13800000001", code: "QR00811001")
            let values = fieldValues(html)
            #expect(values.count == 10)
            #expect(values.filter { !$0.value.isEmpty } == ["权利人": "张三", "证件种类及号码": "410102199001011234", "联系电话": "13800000001"])
            for empty in ["坐落", "不动产单元号", "权利类型", "登记原因", "用途", "面积", "共有情况"] { #expect(values[empty] == "", "\(empty)") }
            #expect(html.components(separatedBy: Self.note).count - 1 == 3)
            #expect(!html.contains("readonly"))
        }
    }

    @Test func companysFoodLicenceForm_nameCodeRepresentativeContactAndPhoneFilled() async throws {
        try await TestApp.run(seed: .full) { app in
            let html = try await applyPage(app, login: "91410100MA44XY1K2N", code: "XK00123001")
            let values = fieldValues(html)
            // Zhengzhou's version of the form: 11 fields (two added locally).
            #expect(values.count == 11)
            #expect(values.filter { !$0.value.isEmpty } == [
                "经营者名称": "郑州示范食品有限公司", "统一社会信用代码": "91410100MA44XY1K2N", "法定代表人（负责人）": "李明",
                "联系人": "王芳", "联系电话": "13900000002",
            ])
            // The account holds no address: 住所 is left to the applicant.
            for empty in ["住所", "经营场所", "主体业态", "经营项目", "食品安全管理人员", "是否网络经营"] { #expect(values[empty] == "", "\(empty)") }
            #expect(html.components(separatedBy: Self.note).count - 1 == 5)
        }
    }

    /// A person applying for a company's item gets no credit code, and a company no ID number.
    @Test func prefill_givesOnlyWhatTheAccountHolds() {
        let person = CaseService.KnownApplicant(name: "张三", idNumber: "410102199001011234", creditCode: nil, phone: "13800000001")
        let company = CaseService.KnownApplicant(name: "郑州示范食品有限公司", idNumber: nil, creditCode: "91410100MA44XY1K2N", phone: "13900000002",
                                                 legalRepresentative: "李明", contactName: "王芳")
        func fill(_ meaning: FieldMeaning, _ known: CaseService.KnownApplicant) -> String? { CaseService.prefill(field: FormField("x", meaning), from: known) }
        #expect(fill(.creditCode, person) == nil)
        #expect(fill(.idNumber, company) == nil)
        #expect(fill(.certificateNumber, person) == "410102199001011234")
        #expect(fill(.certificateNumber, company) == "91410100MA44XY1K2N")
        #expect(fill(.legalRepresentative, person) == nil)
        #expect(fill(.contactPerson, person) == "张三")
        #expect(fill(.contactPerson, company) == "王芳")
        for meaning in [FieldMeaning.address, .postalAddress, .other] {
            #expect(fill(meaning, person) == nil)
            #expect(fill(meaning, company) == nil)
        }
    }

    /// Every demo form field an account could fill names what it holds. Labels that name the
    /// applicant's name, numbers, representative, contact or phone must not be `other`, unless
    /// they belong to someone else (the other spouse, the relative joined) or to a body not yet registered.
    @Test func everyDemoFormField_theAccountCouldKnow_hasAMeaning() throws {
        let knowable = ["名称", "姓名", "身份", "证件", "统一社会信用代码", "纳税人识别号", "法定代表人", "联系人", "联络员", "经办人",
                        "联系电话", "权利人", "所有人", "申请人", "建设单位"]
        let notTheApplicants: Set<String> = [
            "XK00131000/个体工商户名称", "XK00132000/公司名称", "XK00132000/法定代表人", "GG01011000/企业名称", "GG01011000/法定代表人",
            "XK00211000/项目名称", "XK00212000/项目名称", "XK00221000/工程名称", "QT00231000/工程名称",
            "QR00711001/男方姓名", "QR00711001/女方姓名", "QR00711001/男方公民身份号码", "QR00711001/女方公民身份号码",
            "QR00612003/被投靠人姓名", "XK00141002/执业药师姓名及注册证号",
        ]
        var checked = 0
        for item in try DemoCatalog.file().items {
            let code = item.definition.attributes.itemCode.value
            let forms = [item.definition.attributes.formFields] + (item.drift ?? [:]).values.compactMap(\.formFields)
            for field in forms.joined() {
                #expect(!field.name.isEmpty)
                if field.name.contains("联系电话") { #expect(field.meaning == .phone, "\(code) \(field.name)") }
                if field.name.contains("统一社会信用代码") { #expect(field.meaning == .creditCode, "\(code) \(field.name)") }
                guard knowable.contains(where: field.name.contains), !notTheApplicants.contains("\(code)/\(field.name)") else { continue }
                #expect(field.meaning != .other, "\(code) \(field.name)")
                checked += 1
            }
        }
        #expect(checked > 60)
    }

    /// A definition with an unknown meaning is refused with 422 and nothing stored; plain labels
    /// (as stored before meanings) are still accepted.
    @Test func unknownMeaning_isRefused_plainLabelsAccepted() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let token = try await app.token("catalog.ha")
            func body(_ fields: [Any]) throws -> String {
                var object = try #require(try JSONSerialization.jsonObject(with: Data(try CatalogTests.itemBody().utf8)) as? [String: Any])
                var definition = try #require(object["definition"] as? [String: Any])
                var attributes = try #require(definition["attributes"] as? [String: Any])
                attributes["formFields"] = fields
                definition["attributes"] = attributes
                object["definition"] = definition
                return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            }
            let before = try await app.count(BaseItemModel.self)
            let refused = try await app.json(.post, "/api/v1/catalog/items", token: token,
                                             body: try body([["name": "经营者名称", "meaning": "email"], ["name": "联系电话", "meaning": "phone"]]))
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            #expect(try await app.count(BaseItemModel.self) == before)
            let plain = try await app.json(.post, "/api/v1/catalog/items", token: token, body: try body(["经营者名称", "联系电话"]))
            #expect(plain.status == .created, "\(plain.text)")
        }
    }
}
