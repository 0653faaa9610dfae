import Foundation
import Testing
@testable import OneVisitDomain

/// A small, valid item to vary in each test.
func sampleDefinition() -> ItemDefinition {
    let attributes = TenAttributes(
        mainItemName: "食品经营许可", subItemName: "新办", itemType: .licensing, itemCode: try! ItemCode("XK00123001"),
        legalBasis: "《中华人民共和国食品安全法》第三十五条",
        materials: [
            MaterialRequirement(name: "食品经营许可申请书", legalBasis: "《食品经营许可和备案管理办法》第十二条"),
            MaterialRequirement(name: "营业执照", form: .electronic, copies: 0, legalBasis: "同上", requiredFromApplicant: false, sources: [.eLicence(type: "营业执照")]),
            MaterialRequirement(name: "场所平面图", importance: .secondary, form: .copy, legalBasis: "同上"),
        ],
        process: ItemProcess(steps: [ProcessStep(name: "受理", departments: ["行政审批和政务服务管理局"]), ProcessStep(name: "审查", departments: ["市场监督管理局"])],
                             leadDepartment: "市场监督管理局", onSiteInspection: true),
        fees: [], promisedLimit: 5, formFields: ["经营者名称", "统一社会信用代码"])
    return ItemDefinition(
        attributes: attributes,
        terms: ServiceTerms(legalLimit: 20, trips: 1, tripsReason: "现场核查", delivery: [.pickup, .post], baselineMaterials: 6, baselineTrips: 3),
        local: LocalDetails(address: "郑州市政务服务中心", phone: "0371-12345", hours: "工作日", windows: "A01"),
        topics: ["企业开办"])
}

@Suite("Item types and codes")
struct ItemTypeAndCodeTests {
    @Test func penaltyEnforcementAndCommercialServices_areRefused() throws {
        for excluded in ["penalty", "enforcement", "commercialService"] {
            #expect(throws: CatalogError.self) { try ItemType.parse(excluded) }
            do { _ = try ItemType.parse(excluded) } catch { #expect(error.code == "item.type_excluded") }
        }
        do { _ = try ItemType.parse("parking") } catch { #expect(error.code == "item.type_unknown") }
        #expect(try ItemType.parse("publicService") == .publicService)
    }

    @Test(arguments: ["XK0012300", "XK001230011", "xk0012300a", "ZZ00123001", "XK00000001", "X100123001"])
    func malformedCodes_areRefused(code: String) {
        do {
            _ = try ItemCode(code)
            Issue.record("\(code) accepted")
        } catch {
            #expect(error.code == "item.code_format")
        }
    }

    @Test func codeMustMatchTheType() throws {
        let code = try ItemCode("xk00123001")
        #expect(code.value == "XK00123001")
        #expect(code.mainNumber == "00123")
        #expect(code.subNumber == "001")
        do { _ = try ItemCode("XK00123001", type: .confirmation) } catch { #expect(error.code == "item.code_type_mismatch") }
        #expect(throws: Never.self) { try ItemCode("GG00531002", type: .publicService) }
    }
}

@Suite("Catalog validation")
struct CatalogValidationTests {
    func code(_ change: (inout ItemDefinition) -> Void) -> String? {
        var d = sampleDefinition()
        change(&d)
        do { try CatalogRules.validate(d); return nil } catch { return error.code }
    }

    @Test func sample_isValid() { #expect(code { _ in } == nil) }

    @Test func promisedAboveLegal_isRefused() {
        #expect(code { $0.attributes.promisedLimit = 21 } == "item.promised_exceeds_legal")
        #expect(code { $0.attributes.promisedLimit = 20 } == nil)
    }

    @Test func eachRule_hasItsCode() {
        #expect(code { $0.terms.trips = 2 } == "item.trips")
        #expect(code { $0.terms.tripsReason = "" } == "item.required")
        #expect(code { $0.terms.immediate = true } == "item.immediate_limit")
        #expect(code { $0.terms.fullyOnline = true } == "item.fully_online_trips")
        #expect(code { $0.terms.delivery = [] } == "item.delivery")
        #expect(code { $0.attributes.process.steps = [] } == "item.process_steps")
        #expect(code { $0.attributes.process.intermediaryServices = [.init(name: "施工图审查", limitDays: 45)] } == "item.intermediary_limit")
        #expect(code { $0.attributes.process.intermediaryServices = [.init(name: "施工图审查", limitDays: 45, legalLimitBasis: "某法第十条")] } == nil)
        #expect(code { $0.attributes.materials.append($0.attributes.materials[0]) } == "item.material_duplicate")
        #expect(code { $0.attributes.materials[2].coveredBy = "不存在的材料" } == "item.material_cover_unknown")
        #expect(code { $0.attributes.legalBasis = " " } == "item.required")
        #expect(code { $0.attributes.itemType = .confirmation } == "item.code_type_mismatch")
        #expect(code { $0.attributes.fees = [Fee(name: "工本费", standard: "按规定收取", legalBasis: "某收费文件")] } == "item.fee_schedule")
        #expect(code { $0.attributes.fees = [Fee(name: "登记费", standard: "住宅 80 元/件", legalBasis: "某收费文件", condition: "住宅")] } == "item.fee_schedule")
        #expect(code { $0.attributes.fees = [Fee(name: "登记费", standard: "住宅 80 元/件", legalBasis: "某收费文件", condition: "住宅"),
                                             Fee(name: "登记费", standard: "非住宅 550 元/件", legalBasis: "某收费文件", condition: "非住宅")] } == nil)
    }
}

@Suite("R6.2 material check")
struct MaterialCheckTests {
    func rules(_ change: (inout MaterialRequirement) -> Void) -> [MaterialCheck.Rule] {
        var d = sampleDefinition()
        change(&d.attributes.materials[2])
        return MaterialCheck.flags(for: d.attributes).filter { $0.material == "场所平面图" }.map(\.rule)
    }

    @Test func cleanMaterials_haveNoFlags() {
        #expect(MaterialCheck.flags(for: sampleDefinition().attributes).isEmpty)
    }

    @Test func a_noLegalBasis() { #expect(rules { $0.legalBasis = "" } == [.a]) }
    @Test func b_anExistingLicenceProvesIt() { #expect(rules { $0.sources = [.eLicence(type: "营业执照")] } == [.b]) }
    @Test func c_aCommitmentCanReplaceIt() { #expect(rules { $0.sources = [.commitment] } == [.c]) }
    @Test func d_anotherMaterialCoversIt() { #expect(rules { $0.coveredBy = "食品经营许可申请书" } == [.d]) }
    @Test func e_aGovernmentCheckOrSharedDataReplacesIt() {
        #expect(rules { $0.sources = [.sharedData(dataset: "法人库")] } == [.e])
        #expect(rules { $0.sources = [.governmentCheck(description: "不动产登记信息核查")] } == [.e])
    }
    @Test func f_theIssuerCannotVerify() { #expect(rules { $0.issuerCanVerify = false } == [.f]) }
    @Test func g_anEarlierStepCollectedIt() { #expect(rules { $0.sources = [.previousStep(step: "名称自主申报")] } == [.g]) }

    @Test func obtainedByThePlatform_isNotFlagged_butStillNeedsABasis() {
        #expect(rules { $0.requiredFromApplicant = false; $0.sources = [.eLicence(type: "营业执照")] } == [])
        #expect(rules { $0.requiredFromApplicant = false; $0.legalBasis = "" } == [.a])
    }

    @Test func justification_marksAFlagJustified() {
        var d = sampleDefinition()
        d.attributes.materials[2].sources = [.eLicence(type: "营业执照")]
        #expect(MaterialCheck.flags(for: d.attributes).allSatisfy { !$0.isJustified })
        d.attributes.materials[2].justification = "跨省执照未接入，过渡期保留"
        let flags = MaterialCheck.flags(for: d.attributes)
        #expect(!flags.isEmpty && flags.allSatisfy { $0.isJustified })
    }
}

@Suite("Ten sames, reductions, guide life cycle")
struct TenSamesTests {
    @Test func identicalAttributes_haveNoDifferences() {
        var local = sampleDefinition()
        local.local = LocalDetails(address: "杞县政务服务中心", phone: "0371-1", hours: "工作日", windows: "综合窗口")
        local.attributes.materials[0].blankForm = FileReference(sha256: String(repeating: "a", count: 64), fileName: "x.pdf")
        #expect(TenSames.differences(base: sampleDefinition().attributes, local: local.attributes).isEmpty)
    }

    @Test func promisedLimitAndExtraMaterial_areReportedWithBothValues() {
        var local = sampleDefinition().attributes
        local.promisedLimit = 15
        local.materials.append(MaterialRequirement(name: "村委会证明", legalBasis: "无"))
        let differences = TenSames.differences(base: sampleDefinition().attributes, local: local)
        #expect(differences.map(\.attribute) == [.materials, .promisedLimit])
        let limit = differences.first { $0.attribute == .promisedLimit }!
        #expect(limit.baseValue == "5 个工作日")
        #expect(limit.localValue == "15 个工作日")
        #expect(limit.attributeName == "承诺时限")
        #expect(differences[0].localValue.contains("村委会证明"))
        #expect(differences[0].detail == "新增“村委会证明”")
        var changed = sampleDefinition().attributes
        changed.materials[0].copies = 3
        changed.materials.remove(at: 2)
        #expect(TenSames.differences(base: sampleDefinition().attributes, local: changed)[0].detail == "删除“场所平面图”；变更“食品经营许可申请书”")
    }

    @Test func everyAttribute_isCompared() {
        let base = sampleDefinition().attributes
        var changes: [(TenSames.Attribute, (inout TenAttributes) -> Void)] = []
        changes.append((.mainItemName, { $0.mainItemName = "食品经营许可证" }))
        changes.append((.subItemName, { $0.subItemName = "延续" }))
        changes.append((.itemType, { $0.itemType = .confirmation }))
        changes.append((.itemCode, { $0.itemCode = try! ItemCode("XK00123002") }))
        changes.append((.legalBasis, { $0.legalBasis = "别的依据" }))
        changes.append((.materials, { $0.materials[0].copies = 2 }))
        changes.append((.process, { $0.process.onSiteInspection = false }))
        changes.append((.fees, { $0.fees = [Fee(name: "工本费", standard: "10元", legalBasis: "x")] }))
        changes.append((.promisedLimit, { $0.promisedLimit = 6 }))
        changes.append((.formContent, { $0.formFields.append("邮箱") }))
        for (attribute, change) in changes {
            var local = base
            change(&local)
            #expect(TenSames.differences(base: base, local: local).map(\.attribute) == [attribute], "\(attribute)")
        }
        #expect(changes.count == TenSames.Attribute.allCases.count)
    }

    /// R3.10, R8.6: the same published words with another amount, unit or condition are a drift.
    @Test func fees_differInAmountOrCondition_underTheSameText() {
        var base = sampleDefinition().attributes
        base.fees = [Fee(name: "登记费", standard: "80元/件", legalBasis: "x", amountFen: 8000)]
        for change in [{ (f: inout Fee) in f.amountFen = 10000 }, { $0.condition = "住宅" }, { $0.unit = .perPiece }] {
            var local = base
            change(&local.fees[0])
            #expect(TenSames.differences(base: base, local: local).map(\.attribute) == [.fees])
        }
        #expect(TenSames.differences(base: base, local: base).isEmpty)
    }

    @Test func reductions_againstTheLegalBaseline() {
        let r = Reductions.of(sampleDefinition())
        // 6 materials in the baseline, 2 still required from the applicant
        #expect(r.materialsRemoved == 4)
        #expect(r.daysCompressed == 15)
        #expect(r.daysCompressedPercent == 75)
        #expect(r.tripsReduced == 2)
    }

    @Test func lifeCycle_onlyLegalSteps() throws {
        #expect(try GuideState.draft.applying(.submit) == .submitted)
        #expect(try GuideState.submitted.applying(.approve) == .approved)
        #expect(try GuideState.approved.applying(.publish) == .published)
        #expect(throws: CatalogError.self) { try GuideState.draft.applying(.publish) }
        #expect(throws: CatalogError.self) { try GuideState.published.applying(.approve) }
        #expect(throws: CatalogError.self) { try GuideState.superseded.applying(.submit) }
    }

    @Test func completeness_findsMissingPartsAndBrokenDownloads() {
        var d = sampleDefinition()
        #expect(GuideCompleteness.problems(of: d) { _ in true }.isEmpty)
        d.attributes.materials[0].blankForm = FileReference(sha256: String(repeating: "b", count: 64), fileName: "申请书.pdf")
        d.local.phone = ""
        d.attributes.fees = [Fee(name: "工本费", standard: "10元", legalBasis: "")]
        let problems = GuideCompleteness.problems(of: d) { _ in false }
        #expect(problems.contains("材料“食品经营许可申请书”的下载文件“申请书.pdf”无法下载"))
        #expect(problems.contains("未写明咨询电话"))
        #expect(problems.contains("收费项目“工本费”未写明收费依据"))
    }
}
