import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitAPI
import OneVisitDomain
import SQLKit
import Testing
@testable import OneVisitApp

/// Fees as data (R8.6, issue 13 point 1) against the demo catalog: every item's charge from a
/// table computed by hand from the published standards, the condition asked for and checked,
/// the lines on the order and the decision, and a reduction recorded at the window.
@Suite struct FeeTests {
    /// (item code, region, condition, quantities, fen), computed by hand:
    /// 机动车登记: 号牌 100 (汽车) / 50 (挂车) / 35 (摩托车) + 行驶证 10 (发改价格〔2004〕2831号);
    /// 不动产登记: 住宅 80 / 非住宅 550 per 件, + 10 per extra certificate (发改价格规〔2016〕2559号),
    /// 杞县's guide says 住宅 100 (the demo's deliberate local drift);
    /// 居民身份证换领: 20 (发改价格〔2003〕2322号). Every other demo item is free.
    static let charging: [(code: String, region: String, condition: String?, quantities: [String: Int], fen: Int)] = [
        ("XK00621001", "410100", "汽车", [:], 11_000),
        ("XK00621001", "410100", "挂车", [:], 6_000),
        ("XK00621001", "410100", "摩托车", [:], 4_500),
        ("XK00621001", "410122", "汽车", [:], 11_000),
        ("QR00811001", "410100", "住宅", [:], 8_000),
        ("QR00811001", "410100", "非住宅", [:], 55_000),
        ("QR00811001", "410100", "住宅", ["不动产权属证书工本费": 2], 10_000),
        ("QR00811001", "410100", "非住宅", ["不动产权属证书工本费": 1], 56_000),
        ("QR00811001", "410200", "非住宅", [:], 55_000),
        ("QR00811001", "410221", "住宅", [:], 10_000),
        ("QR00811001", "410221", "非住宅", [:], 55_000),
        ("QR00611002", "410100", nil, [:], 2_000),
        ("QR00611002", "410221", nil, [:], 2_000),
    ]
    static let chargingCodes: Set<String> = ["XK00621001", "QR00811001", "QR00611002"]

    @Test func everyDemoItem_chargesItsHandComputedFee() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: every published guide of the demo catalog
            let versions = try await GuideVersionModel.query(on: app.db).filter(\.$state == "published").all()
            #expect(versions.count > 40)
            var checked = 0
            for version in versions {
                let definition = try CatalogService.decode(version.definition)
                if Self.chargingCodes.contains(version.itemCode) {
                    for row in Self.charging where row.code == version.itemCode && row.region == version.regionCode {
                        // act
                        let charge = try CaseService.charge(definition, FeeRequest(condition: row.condition, quantities: row.quantities))
                        // check
                        #expect(charge.totalFen == row.fen, "\(row.code) \(row.region) \(row.condition ?? "-")")
                        #expect(charge.lines.allSatisfy { !$0.legalBasis.isEmpty && !$0.standard.isEmpty })
                        checked += 1
                    }
                } else {
                    let charge = try CaseService.charge(definition, FeeRequest())
                    #expect(charge.totalFen == 0 && definition.attributes.fees.isEmpty, "\(version.itemCode) \(version.regionCode) should be free")
                }
            }
            #expect(checked == Self.charging.count)
        }
    }

    @Test func aNonResidentialCase_pays550_andItsOrderAndDecisionListEveryLine() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let applicant = try await app.token("13800000001")
            let materials = required.map { #"{"position":\#($0),"fileName":"m\#($0).pdf","contentBase64":"\#(CaseFlowTests.pdf.base64EncodedString())"}"# }.joined(separator: ",")
            // act: submitted as 非住宅, accepted, reviewed and approved
            let submitted = try await app.json(.post, "/api/v1/cases", token: applicant,
                                               body: #"{"implementationID":"\#(implementation)","deliveryMode":"download","feeCondition":"非住宅","materials":[\#(materials)]}"#)
            #expect(submitted.status == .created, "\(submitted.text)")
            var c = try CaseFlowTests.detail(submitted)
            let id = c.summary.id
            c = try CaseFlowTests.detail(try await CaseFlowTests.step(app, try await app.token("clerk.zz"), "/api/v1/cases/\(id)/accept"))
            for task in c.tasks {
                let reviewer = task.departmentName.contains("税务") ? "reviewer.zz.sw" : "reviewer.zz.zr"
                c = try CaseFlowTests.detail(try await CaseFlowTests.step(app, try await app.token(reviewer), "/api/v1/cases/\(id)/tasks/\(task.id)/complete", #"{"approve":true}"#))
            }
            c = try CaseFlowTests.detail(try await CaseFlowTests.step(app, try await app.token("head.zz.zr"), "/api/v1/cases/\(id)/decide", #"{"decision":"approve"}"#))
            // check: the case, its order and its decision say 550 元 and name every line
            #expect(c.summary.state == "approved")
            let row = try #require(try await app.caseRow(id))
            #expect(row.feeFen == 55_000)
            #expect(row.feeCharge?.condition == "非住宅")
            #expect(row.feeCharge?.lines.map(\.amountFen) == [55_000, 0])
            let payment = try #require(try await app.rows(PaymentRow.self, where: ["case_id": id]).first)
            #expect(payment.amountFen == 55_000)
            #expect(c.payment?.amountText == "550.00 元")
            let lines = try #require(c.payment?.lines)
            #expect(lines.count == 3)
            #expect(lines[0].hasPrefix("不动产登记费（非住宅）：550.00 元（标准：非住宅类不动产登记每件550元（含第一本不动产权属证书工本费）；依据：《不动产登记暂行条例》"))
            #expect(lines[1].hasPrefix("不动产权属证书工本费：10.00 元 × 0 本 = 0.00 元"))
            #expect(lines[2] == "合计：550.00 元")
            let decision = try #require(try await app.rows(CaseDocumentRow.self, where: ["case_id": id, "kind": CaseDocumentKind.decision]).first)
            let content = try JSONDecoder().decode(CaseDocumentContent.self, from: Data(decision.content.utf8))
            #expect(content.itemsTitle == "收费明细")
            #expect(content.items == lines)
            #expect(content.paragraphs.contains("请缴纳费用 550.00 元 后领取办理结果。"))
            // the payment page lists the lines too
            let gateway = try await app.client.execute(uri: "/pay/\(payment.orderNumber)", method: .get, headers: [.authorization: "Bearer \(applicant)"])
            #expect(gateway.status == .ok)
            #expect(gateway.text.contains("不动产登记费（非住宅）：550.00 元") && gateway.text.contains("合计：550.00 元"))
        }
    }

    @Test func aMissingOrUnknownCondition_is422_andNothingIsWritten() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let vehicle = try await CaseFlowTests.implementation(app, code: "XK00621001")
            let applicant = try await app.token("13800000001")
            let clerk = try await app.token("clerk.zz")
            let cases = try await app.count(CaseRow.self)
            let accounts = try await app.count(AccountRow.self)
            // act
            let missing = try await app.json(.post, "/api/v1/cases", token: applicant, body: #"{"implementationID":"\#(implementation)","deliveryMode":"download","materials":[]}"#)
            let unknown = try await app.json(.post, "/api/v1/cases", token: applicant,
                                             body: #"{"implementationID":"\#(implementation)","deliveryMode":"download","feeCondition":"商业","materials":[]}"#)
            let window = try await app.json(.post, "/api/v1/cases/window", token: clerk,
                                            body: #"{"implementationID":"\#(vehicle)","channel":"walkIn","name":"王五","idNumber":"410203198512154568","phone":"13712345678","providedMaterials":[0]}"#)
            let badQuantity = try await app.json(.post, "/api/v1/cases", token: applicant,
                                                 body: #"{"implementationID":"\#(implementation)","deliveryMode":"download","feeCondition":"住宅","feeQuantities":{"不动产权属证书工本费":-1},"materials":[]}"#)
            let strayQuantity = try await app.json(.post, "/api/v1/cases", token: applicant,
                                                   body: #"{"implementationID":"\#(implementation)","deliveryMode":"download","feeCondition":"住宅","feeQuantities":{"证书":1},"materials":[]}"#)
            // check
            for (response, code) in [(missing, "fee.condition_required"), (unknown, "fee.condition_unknown"), (window, "fee.condition_required"),
                                     (badQuantity, "fee.quantity"), (strayQuantity, "fee.quantity_unknown")] {
                #expect(response.status == .unprocessableContent, "\(response.text)")
                #expect(try response.problem().code == code)
            }
            #expect(try missing.problem().title == "请选择收费情形：住宅、非住宅（收费标准因情形而不同）")
            #expect(try window.problem().title.contains("汽车、挂车、摩托车"))
            #expect(try await app.count(CaseRow.self) == cases)
            // the walk-in's account was not opened either
            #expect(try await app.count(AccountRow.self) == accounts)
        }
    }

    @Test func theApplyForm_asksForTheCondition_withAVisibleLabel_andRefusesItsAbsence() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let login = try await app.form("/login", ["username": "13800000001", "password": DemoSeed.password])
            let cookie = try #require(app.sessionCookie(from: login))
            // act
            let form = try await app.page("/apply/\(implementation)", cookie: cookie)
            let boundary = "----onevisit-fee"
            let body = WebApplyTests.multipart(["csrf": TestApp.csrf, "deliveryMode": "download"], files: ["material_0": ("申请书.pdf", CaseFlowTests.pdf)], boundary: boundary)
            let posted = try await app.client.execute(uri: "/apply/\(implementation)", method: .post,
                                                      headers: [.contentType: "multipart/form-data; boundary=\(boundary)", .cookie: "\(cookie); \(CookieNames.csrf)=\(TestApp.csrf)"], body: body)
            // check
            #expect(form.text.contains(#"<label for="feeCondition">收费情形"#))
            #expect(form.text.contains(#"<option value="非住宅" >非住宅</option>"#))
            #expect(form.text.contains(#"<label for="feeQuantity-2">不动产权属证书工本费"#))
            #expect(posted.status == .unprocessableContent)
            #expect(posted.text.contains("请选择收费情形：住宅、非住宅"))
            // a refused form shows the condition chosen again
            let unknown = WebApplyTests.multipart(["csrf": TestApp.csrf, "deliveryMode": "download", "feeCondition": "非住宅", "feeQuantity_2": "x"], files: [:], boundary: boundary)
            let again = try await app.client.execute(uri: "/apply/\(implementation)", method: .post,
                                                     headers: [.contentType: "multipart/form-data; boundary=\(boundary)", .cookie: "\(cookie); \(CookieNames.csrf)=\(TestApp.csrf)"], body: unknown)
            #expect(again.status == .unprocessableContent)
            #expect(again.text.contains(#"<option value="非住宅" selected>非住宅</option>"#))
            #expect(try await app.count(CaseRow.self) == 0)
        }
    }

    @Test func theGuide_showsEveryLine_orSaysTheItemIsFree() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let estate = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let food = try await CaseFlowTests.implementation(app, code: "XK00123001")
            // act
            let page = try await app.page("/guides/\(estate)")
            let free = try await app.page("/guides/\(food)")
            let api = try await app.json(.get, "/api/v1/guides/\(estate)")
            // check
            #expect(page.text.contains("<td>不动产登记费</td><td>非住宅</td><td>非住宅类不动产登记每件550元（含第一本不动产权属证书工本费）</td><td>550.00 元/件</td>"))
            #expect(page.text.contains("<td>不动产权属证书工本费</td><td>—</td>"))
            #expect(page.text.contains("发改价格规〔2016〕2559号"))
            #expect(free.text.contains("本事项不收费。"))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let guide = try decoder.decode(Components.Schemas.Guide.self, from: Data(buffer: api.body))
            #expect(guide.fees.map(\.amountFen) == [8_000, 55_000, 1_000])
            #expect(guide.fees.map(\.condition) == ["住宅", "非住宅", nil])
        }
    }

    @Test func aReductionAtTheWindow_isRecordedWithItsBasis_andLowersTheOrder() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: 居民身份证换领 (20 元) for a 低保 recipient, 机动车登记 with 10 元 off
            let card = try await CaseFlowTests.implementation(app, code: "QR00611002")
            let vehicle = try await CaseFlowTests.implementation(app, code: "XK00621001")
            let clerk = try await app.token("clerk.zz")
            let basis = "《中华人民共和国居民身份证法》第二十条第二款"
            // act
            let waived = try await app.json(.post, "/api/v1/cases/window", token: clerk, body: """
                {"implementationID":"\(card)","channel":"walkIn","name":"王五","idNumber":"410203198512154568","phone":"13712345678","providedMaterials":[0],
                 "feeReduction":{"reason":"城市最低生活保障对象换领","legalBasis":"\(basis)"}}
                """)
            let reduced = try await app.json(.post, "/api/v1/cases/window", token: clerk, body: """
                {"implementationID":"\(vehicle)","channel":"walkIn","name":"王五","idNumber":"410203198512154568","phone":"13712345678","providedMaterials":[0],
                 "feeCondition":"汽车","feeReduction":{"reason":"依法减收","legalBasis":"某市减免规定第三条","amountFen":1000}}
                """)
            let noBasis = try await app.json(.post, "/api/v1/cases/window", token: clerk, body: """
                {"implementationID":"\(card)","channel":"walkIn","name":"王五","idNumber":"410203198512154568","phone":"13712345678","providedMaterials":[0],
                 "feeReduction":{"reason":"城市最低生活保障对象换领","legalBasis":""}}
                """)
            // check
            #expect(waived.status == .created, "\(waived.text)")
            let waivedRow = try #require(try await app.caseRow(try CaseFlowTests.detail(waived).summary.id))
            #expect(waivedRow.feeFen == 0)
            #expect(waivedRow.feeCharge?.subtotalFen == 2_000 && waivedRow.feeCharge?.reduction?.legalBasis == basis)
            #expect(reduced.status == .created, "\(reduced.text)")
            let reducedRow = try #require(try await app.caseRow(try CaseFlowTests.detail(reduced).summary.id))
            #expect(reducedRow.feeFen == 10_000)
            #expect(reducedRow.feeCharge?.reductionFen == 1_000)
            #expect(noBasis.status == .unprocessableContent)
            #expect(try noBasis.problem().code == "fee.reduction_basis")
        }
    }

    @Test func theWindowForm_recordsTheConditionAndAReduction() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let vehicle = try await CaseFlowTests.implementation(app, code: "XK00621001")
            let login = try await app.form("/login", ["username": "clerk.zz", "password": DemoSeed.password])
            let cookie = try #require(app.sessionCookie(from: login))
            // act
            let page = try await app.page("/desk/new?item=\(vehicle)", cookie: cookie)
            let response = try await app.form("/desk/new", [
                "implementationID": vehicle.uuidString, "channel": "walkIn", "name": "王五", "idNumber": "410203198512154568", "phone": "13712345678",
                "provided_0": "1", "deliveryMode": "pickup", "feeCondition": "摩托车",
                "reductionKind": "amount", "reductionYuan": "5.5", "reductionReason": "依法减收", "reductionBasis": "某市减免规定第三条",
            ], cookie: cookie)
            // check: 35 + 10 − 5.50 = 39.50 元
            #expect(page.text.contains(#"<label for="feeCondition">"#) && page.text.contains(#"<label for="reductionKind">"#))
            #expect(response.status == .seeOther, "\(response.text.prefix(400))")
            let row = try #require(try await app.rows(CaseRow.self).first)
            #expect(row.feeFen == 3_950)
            #expect(row.feeCharge?.condition == "摩托车")
        }
    }
}
