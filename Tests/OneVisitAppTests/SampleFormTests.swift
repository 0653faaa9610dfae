import FluentKit
import Foundation
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// R8.2.1: every form a guide offers blank has a filled-in sample (示范文本) beside it.
@Suite("Filled-in sample forms")
struct SampleFormTests {
    /// Every blank form of every published demo guide has a stored sample beside it.
    @Test func everyDemoMaterialWithABlankForm_hasASample() async throws {
        #expect(DemoCatalog.sampleFileName("申请书.pdf") == "申请书（示范文本）.pdf")
        try await TestApp.run(seed: .full) { app in
            var forms = 0
            for version in try await GuideVersionModel.query(on: app.db).filter(\.$state == "published").all() {
                let definition = try JSONDecoder().decode(ItemDefinition.self, from: Data(version.definition.utf8))
                for m in definition.attributes.materials {
                    guard let blank = m.blankForm else { continue }
                    let sample = try #require(m.sample, "\(version.itemName) \(m.name)")
                    #expect(sample.fileName == DemoCatalog.sampleFileName(blank.fileName))
                    #expect(sample.sha256 != blank.sha256)
                    #expect(app.services.blobs.exists(sample.sha256), "\(sample.fileName)")
                    forms += 1
                }
            }
            #expect(forms > 27)
        }
    }

    /// The sample is marked as such and its values are plainly fictitious.
    @Test func sample_isMarked_andItsValuesAreFictitious() {
        let fields = [FormField("经营者名称", .applicantName), FormField("统一社会信用代码", .creditCode), FormField("法定代表人（负责人）", .legalRepresentative),
                      FormField("联系电话", .phone), FormField("经营场所")]
        #expect(SampleValues.value(for: fields[0], organisation: true) == "示例：某某有限公司")
        #expect(SampleValues.value(for: FormField("权利人", .applicantName), organisation: false) == "示例：张某某")
        #expect(SampleValues.value(for: fields[1], organisation: true) == "示例：91410100XXXXXXXXXX")
        #expect(SampleValues.value(for: fields[3], organisation: true) == "示例：138XXXXXXXX")
        #expect(SampleValues.value(for: fields[4], organisation: true) == "示例：郑州市某某区某某路 1 号")
        let pdf = String(decoding: BlankFormPDF.sample(title: "食品经营许可申请书", subtitle: "食品经营许可（新办）", fields: fields, footer: "演示数据"), as: UTF8.self)
        #expect(pdf.hasPrefix("%PDF-"))
        func hex(_ s: String) -> String { s.utf16.map { String(format: "%04X", $0) }.joined() }
        for text in ["食品经营许可申请书（示范文本）", "示范文本 样例", "示例：某某有限公司", "示例：李某某"] {
            #expect(pdf.contains("<\(hex(text))>"), "\(text)")
        }
        let blank = String(decoding: BlankFormPDF.make(title: "食品经营许可申请书", subtitle: "x", fields: fields.names, footer: "演示数据"), as: UTF8.self)
        #expect(!blank.contains(hex("示例：")))
    }

    /// Every published guide shows the sample beside each blank form, and both download as PDF.
    @Test func guides_linkBothBlankAndSample_whichDownloadAsPDF() async throws {
        try await TestApp.run(seed: .full) { app in
            let published = try await GuideVersionModel.query(on: app.db).filter(\.$state == "published").all()
            #expect(published.count > 20)
            var checked = 0
            for guide in published {
                let page = try await app.page("/guides/\(guide.implementationID)").text
                let blanks = links(page, class: "blank-form"), samples = links(page, class: "sample-form")
                #expect(blanks.count == samples.count, "\(guide.itemName)")
                for link in blanks + samples where checked < 12 || link == samples.last {
                    let download = try await app.page(link)
                    #expect(download.status == .ok, "\(link)")
                    #expect(download.headers[.contentType] == "application/pdf")
                    #expect(String(buffer: download.body).hasPrefix("%PDF-"))
                    checked += 1
                }
            }
            #expect(checked > 20)
            let food = try #require(published.first { $0.itemName.contains("食品经营许可") && $0.regionCode == "410100" })
            let page = try await app.page("/guides/\(food.implementationID)").text
            #expect(page.contains("下载空白表格：食品经营许可申请书.pdf"))
            #expect(page.contains("下载示范文本（填写样例）：食品经营许可申请书（示范文本）.pdf"))
        }
    }

    private func links(_ html: String, class name: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: #"<a href="([^"]+)" class="\#(name)""#)
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { String(html[Range($0.range(at: 1), in: html)!]) }
    }
}
