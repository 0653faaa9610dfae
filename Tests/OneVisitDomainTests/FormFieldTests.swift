import Foundation
import Testing
@testable import OneVisitDomain

/// R7.3.1: form fields say what they hold; definitions stored with plain labels still read.
@Suite("Form field meanings")
struct FormFieldTests {
    private func decode(_ json: String) throws -> [FormField] {
        try JSONDecoder().decode([FormField].self, from: Data(json.utf8))
    }

    @Test func plainLabels_decodeAsOther_objectsWithTheirMeaning() throws {
        let fields = try decode(#"["经营场所", {"name":"统一社会信用代码","meaning":"creditCode"}, {"name":"联系电话","meaning":"phone"}]"#)
        #expect(fields == [FormField("经营场所", .other), FormField("统一社会信用代码", .creditCode), FormField("联系电话", .phone)])
        #expect(fields.names == ["经营场所", "统一社会信用代码", "联系电话"])
    }

    @Test func unknownMeaning_isRefused() throws {
        #expect(throws: DecodingError.self) { try decode(#"[{"name":"邮箱","meaning":"email"}]"#) }
        do {
            _ = try FieldMeaning.parse("email")
            Issue.record("email accepted")
        } catch {
            #expect(error.code == "item.field_meaning_unknown")
            #expect(error.message.contains("email"))
        }
        #expect(try FieldMeaning.parse("legalRepresentative") == .legalRepresentative)
    }

    @Test func encodesNameAndMeaning_andReadsBack() throws {
        let fields = [FormField("权利人", .applicantName), FormField("坐落")]
        let json = String(decoding: try JSONEncoder().encode(fields), as: UTF8.self)
        #expect(json.contains(#""meaning":"applicantName""#))
        #expect(json.contains(#""meaning":"other""#))
        #expect(try decode(json) == fields)
    }

    /// A whole definition stored before meanings existed still decodes, its fields as `other`.
    @Test func oldStoredDefinition_stillDecodes() throws {
        var definition = sampleDefinition()
        definition.attributes.formFields = [FormField("经营者名称", .applicantName), FormField("统一社会信用代码", .creditCode)]
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(definition)) as? [String: Any])
        var attributes = try #require(object["attributes"] as? [String: Any])
        attributes["formFields"] = ["经营者名称", "统一社会信用代码"]
        object["attributes"] = attributes
        let old = try JSONDecoder().decode(ItemDefinition.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.attributes.formFields == [FormField("经营者名称"), FormField("统一社会信用代码")])
    }

    /// R3.10: the ten-sames compare the form's labels; an old version's plain labels are the same form.
    @Test func tenSames_compareLabels_notMeanings() {
        let base = sampleDefinition().attributes
        var local = base
        local.formFields = local.formFields.map { FormField($0.name, .other) }
        var meaningful = base
        meaningful.formFields = [FormField("经营者名称", .applicantName), FormField("统一社会信用代码", .creditCode)]
        #expect(TenSames.differences(base: meaningful, local: local).isEmpty)
        local.formFields.append(FormField("联系人", .contactPerson))
        let differences = TenSames.differences(base: meaningful, local: local)
        #expect(differences.map(\.attribute) == [.formContent])
    }

    @Test func emptyOrDuplicateFieldNames_areRefused() {
        for fields: [FormField] in [["经营者名称", " "], ["经营者名称", "经营者名称"]] {
            var definition = sampleDefinition()
            definition.attributes.formFields = fields
            do {
                try CatalogRules.validate(definition)
                Issue.record("\(fields.names) accepted")
            } catch {
                #expect(error.field == "formFields")
                #expect(["item.required", "item.form_field_duplicate"].contains(error.code))
            }
        }
    }
}
