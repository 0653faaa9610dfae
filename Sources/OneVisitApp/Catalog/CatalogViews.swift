import Foundation
import Hummingbird
import OneVisitDomain

/// A published guide as the portal and `/api/v1/guides/{id}` show it (R6.1, R5.3).
struct GuideView: ResponseEncodable, Sendable {
    struct Material: Codable, Sendable {
        var name: String
        var importance: String
        var form: String
        var copies: Int
        var copiesText: String
        var legalBasis: String
        var supplied: String
        var fromApplicant: Bool
        var blankFormURL: String?
        var blankFormName: String?
        var sampleURL: String?
        var sampleName: String?
    }

    struct Step: Codable, Sendable {
        var number: Int
        var name: String
        var departments: String
        var parallel: Bool
    }

    var id: UUID
    var versionID: UUID
    var versionNumber: Int
    var state: String
    var stateName: String
    var itemCode: String
    var itemName: String
    var mainItemName: String
    var subItemName: String
    var itemType: String
    var itemTypeName: String
    var department: String
    var regionCode: String
    var regionName: String
    var levelName: String
    var topics: [String]
    var legalBasis: String
    var materials: [Material]
    var steps: [Step]
    var leadDepartment: String
    var onSiteInspection: Bool
    var specialProcedures: [String]
    var intermediaryServices: [String]
    // Stored, not computed: templates read values through reflection.
    var hasSpecialProcedures: Bool
    var hasIntermediaryServices: Bool
    var reportUp: Bool
    var publiciseResult: Bool
    var free: Bool
    var fees: [Fee]
    /// Every fee line with its condition, standard, amount and legal basis (R8.6).
    var feeTable: [FeeLineView]
    /// What an application form asks about fees: the condition and per-piece quantities.
    var feeChoice: FeeChoiceView
    var legalLimit: Int
    var promisedLimit: Int
    var immediate: Bool
    var fullyOnline: Bool
    var trips: Int
    var tripsReason: String
    var delivery: [String]
    var appointmentAvailable: Bool
    var formFields: [String]
    var address: String
    var phone: String
    var hours: String
    var windows: String
    var reductions: Reductions
    var publishedAt: Date?
    var publishedAtText: String?

    init(version: GuideVersionModel, definition d: ItemDefinition, regionName: String) {
        let a = d.attributes
        id = version.implementationID
        versionID = version.id!
        versionNumber = version.number
        state = version.state
        stateName = GuideState(rawValue: version.state)?.chineseName ?? version.state
        itemCode = a.itemCode.value
        itemName = a.displayName
        mainItemName = a.mainItemName
        subItemName = a.subItemName
        itemType = a.itemType.rawValue
        itemTypeName = a.itemType.chineseName
        department = version.departmentName
        regionCode = version.regionCode
        self.regionName = regionName
        levelName = RegionCode(version.regionCode)?.level.chineseName ?? ""
        topics = d.topics
        legalBasis = a.legalBasis
        materials = a.materials.map { m in
            Material(
                name: m.name, importance: m.importance == .primary ? "主要材料" : "次要材料（可容缺）",
                form: m.form.chineseName,
                copies: m.copies, copiesText: m.copies > 0 ? "\(m.form.chineseName) \(m.copies) 份" : m.form.chineseName, legalBasis: m.legalBasis.isEmpty ? "—" : m.legalBasis,
                supplied: m.requiredFromApplicant ? "申请人提交" : "免提交（" + m.sources.map(\.chineseName).joined(separator: "；") + "）",
                fromApplicant: m.requiredFromApplicant,
                blankFormURL: m.blankForm.map { SitePath.Catalog.download($0.sha256, $0.fileName).link },
                blankFormName: m.blankForm?.fileName,
                sampleURL: m.sample.map { SitePath.Catalog.download($0.sha256, $0.fileName).link },
                sampleName: m.sample?.fileName)
        }
        var groupsSeen: [Int: Int] = [:]
        for step in a.process.steps { if let g = step.parallelGroup { groupsSeen[g, default: 0] += 1 } }
        steps = a.process.steps.enumerated().map { index, step in
            Step(number: index + 1, name: step.name, departments: step.departments.joined(separator: "、"),
                 parallel: step.parallelGroup.map { (groupsSeen[$0] ?? 0) > 1 } ?? false || step.departments.count > 1)
        }
        leadDepartment = a.process.leadDepartment
        onSiteInspection = a.process.onSiteInspection
        specialProcedures = a.process.specialProcedures.map { "\($0.kind.chineseName)（约 \($0.days) 个工作日，不计入办理时限）" }
        intermediaryServices = a.process.intermediaryServices.map { "\($0.name)（\($0.limitDays) 日内完成）" }
        hasSpecialProcedures = !specialProcedures.isEmpty
        hasIntermediaryServices = !intermediaryServices.isEmpty
        reportUp = a.process.decisionLevel == .reportUp
        publiciseResult = a.process.publiciseResult
        free = a.fees.isEmpty
        fees = a.fees
        feeTable = a.fees.map(FeeLineView.init)
        feeChoice = FeeChoiceView(a.fees)
        legalLimit = d.terms.legalLimit
        promisedLimit = a.promisedLimit
        immediate = d.terms.immediate
        fullyOnline = d.terms.fullyOnline
        trips = d.terms.trips
        tripsReason = d.terms.tripsReason
        delivery = d.terms.delivery.map(\.chineseName)
        appointmentAvailable = d.terms.appointmentAvailable
        formFields = a.formFields.names
        address = d.local.address
        phone = d.local.phone
        hours = d.local.hours
        windows = d.local.windows
        reductions = Reductions.of(d)
        publishedAt = version.publishedAt
        publishedAtText = version.publishedAt.map { Self.dateText($0) }
    }

    static func dateText(_ date: Date) -> String { DisplayDate.day(date) }
}

/// One line of a guide list.
struct GuideSummary: ResponseEncodable, Decodable, Sendable {
    var id: UUID
    var itemCode: String
    var itemName: String
    var itemTypeName: String
    var department: String
    var regionCode: String
    var regionName: String
    var topics: String
    var promisedLimit: Int
    var immediate: Bool
    var fullyOnline: Bool
    var trips: Int
}

struct DriftReport: ResponseEncodable, Decodable, Sendable {
    struct Implementation: Codable, Sendable {
        var implementationID: UUID
        var regionCode: String
        var regionName: String
        var levelName: String
        var versionNumber: Int
        var stateName: String
        var differences: [TenSames.Difference]
        var hasDrift: Bool
    }

    struct Item: Codable, Sendable {
        var code: String
        var name: String
        var department: String
        var baseVersion: Int
        var implementations: [Implementation]
        var driftCount: Int
    }

    var items: [Item]
    var itemsWithDrift: Int
    var differences: Int
}

struct DepartmentReductions: ResponseEncodable, Sendable {
    var department: String
    var guides: Int
    var materialsRemoved: Int
    var daysCompressed: Int
    var tripsReduced: Int
    var zeroTripGuides: Int
    var fullyOnlineGuides: Int
}

/// A line of the catalog admin's list: state and what blocks publication.
struct CatalogEntry: ResponseEncodable, Sendable {
    var implementationID: UUID
    var versionID: UUID
    var versionNumber: Int
    var version: Int
    var itemCode: String
    var itemName: String
    var department: String
    var regionName: String
    var state: String
    var stateName: String
    struct FlagView: Codable, Sendable {
        var material: String
        var rule: String
        var message: String
        var justification: String?
        var isJustified: Bool
        init(_ flag: MaterialCheck.Flag) {
            material = flag.material
            rule = flag.rule.rawValue
            message = flag.message
            justification = flag.justification
            isJustified = flag.isJustified
        }
    }

    var flags: [FlagView]
    var unjustifiedFlags: Int
    var problems: [String]
    var driftCount: Int
    var canSubmit: Bool
    var canApprove: Bool
    var canPublish: Bool
}
