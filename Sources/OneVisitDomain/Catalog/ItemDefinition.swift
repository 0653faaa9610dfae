/// A stored file (blank form, sample) referenced by its SHA-256.
public struct FileReference: Sendable, Codable, Hashable {
    public var sha256: String
    public var fileName: String
    public init(sha256: String, fileName: String) {
        self.sha256 = sha256
        self.fileName = fileName
    }
}

/// Where a material can come from other than the applicant (R6.2, R8.1.2).
public enum MaterialSource: Sendable, Codable, Hashable {
    /// An electronic licence the platform already holds (R6.2 b).
    case eLicence(type: String)
    /// A shared base-data set: population, legal persons, … (R6.2 e, R7.1.2).
    case sharedData(dataset: String)
    /// The applicant's written commitment (R6.2 c).
    case commitment
    /// A government, inter-department or online check, or a contract voucher (R6.2 e).
    case governmentCheck(description: String)
    /// An earlier step of the same service already collected it (R6.2 g).
    case previousStep(step: String)

    public var chineseName: String {
        switch self {
        case .eLicence(let type): "电子证照：\(type)"
        case .sharedData(let dataset): "共享数据：\(dataset)"
        case .commitment: "申请人书面承诺"
        case .governmentCheck(let description): "部门核查：\(description)"
        case .previousStep(let step): "上一环节已收取：\(step)"
        }
    }
}

/// 申请材料 as the catalog requires it.
public struct MaterialRequirement: Sendable, Codable, Hashable {
    public enum Importance: String, Sendable, Codable { case primary, secondary }
    public enum Form: String, Sendable, Codable {
        case original, copy, electronic
        public var chineseName: String {
            switch self {
            case .original: "原件"
            case .copy: "复印件"
            case .electronic: "电子件"
            }
        }
    }

    public var name: String
    public var importance: Importance
    public var form: Form
    public var copies: Int
    /// 设定依据; empty breaks R6.2 (a).
    public var legalBasis: String
    /// Whether the applicant must hand it in. A material the platform obtains itself
    /// (from `sources`) is shown in the guide as "免提交".
    public var requiredFromApplicant: Bool
    /// Ways the material could be had without the applicant.
    public var sources: [MaterialSource]
    /// Another material of the same item that covers this one (R6.2 d).
    public var coveredBy: String?
    /// False when the issuing unit cannot check what it certifies (R6.2 f).
    public var issuerCanVerify: Bool
    public var blankForm: FileReference?
    public var sample: FileReference?
    /// Why a flagged material is still required, given by the catalog admin.
    public var justification: String?

    public init(name: String, importance: Importance = .primary, form: Form = .original, copies: Int = 1, legalBasis: String,
                requiredFromApplicant: Bool = true, sources: [MaterialSource] = [], coveredBy: String? = nil,
                issuerCanVerify: Bool = true, blankForm: FileReference? = nil, sample: FileReference? = nil, justification: String? = nil) {
        self.name = name
        self.importance = importance
        self.form = form
        self.copies = copies
        self.legalBasis = legalBasis
        self.requiredFromApplicant = requiredFromApplicant
        self.sources = sources
        self.coveredBy = coveredBy
        self.issuerCanVerify = issuerCanVerify
        self.blankForm = blankForm
        self.sample = sample
        self.justification = justification
    }
}

/// One step of the process, by one or more departments; steps sharing a
/// `parallelGroup` run at the same time (R6.7).
public struct ProcessStep: Sendable, Codable, Hashable {
    public var name: String
    public var departments: [String]
    public var parallelGroup: Int?
    public init(name: String, departments: [String], parallelGroup: Int? = nil) {
        self.name = name
        self.departments = departments
        self.parallelGroup = parallelGroup
    }
}

/// 特别程序 (R8.2.6, R8.4.3): not counted in the time limit (行政许可法第四十五条).
public enum SpecialProcedureKind: String, Sendable, Codable, CaseIterable {
    case hearing, tender, auction, test, quarantine, appraisal, expertReview
    public var chineseName: String {
        switch self {
        case .hearing: "听证"
        case .tender: "招标"
        case .auction: "拍卖"
        case .test: "检验检测"
        case .quarantine: "检疫"
        case .appraisal: "鉴定"
        case .expertReview: "专家评审"
        }
    }
}

public struct SpecialProcedure: Sendable, Codable, Hashable {
    public var kind: SpecialProcedureKind
    public var days: Int
    public init(kind: SpecialProcedureKind, days: Int) {
        self.kind = kind
        self.days = days
    }
}

/// 审批中介服务 (R3.9) with its own time limit, at most 30 days unless a law sets one (R8.5.1).
public struct IntermediaryService: Sendable, Codable, Hashable {
    public var name: String
    public var limitDays: Int
    public var legalLimitBasis: String?
    public init(name: String, limitDays: Int, legalLimitBasis: String? = nil) {
        self.name = name
        self.limitDays = limitDays
        self.legalLimitBasis = legalLimitBasis
    }
}

public struct ItemProcess: Sendable, Codable, Hashable {
    public enum DecisionLevel: String, Sendable, Codable { case thisLevel, reportUp }
    public var steps: [ProcessStep]
    public var leadDepartment: String
    public var onSiteInspection: Bool
    public var specialProcedures: [SpecialProcedure]
    public var intermediaryServices: [IntermediaryService]
    public var decisionLevel: DecisionLevel
    public var publiciseResult: Bool

    public init(steps: [ProcessStep], leadDepartment: String, onSiteInspection: Bool = false, specialProcedures: [SpecialProcedure] = [],
                intermediaryServices: [IntermediaryService] = [], decisionLevel: DecisionLevel = .thisLevel, publiciseResult: Bool = false) {
        self.steps = steps
        self.leadDepartment = leadDepartment
        self.onSiteInspection = onSiteInspection
        self.specialProcedures = specialProcedures
        self.intermediaryServices = intermediaryServices
        self.decisionLevel = decisionLevel
        self.publiciseResult = publiciseResult
    }
}

/// One fee line of an item (R8.6): its published standard and legal basis as text, and the
/// amount the case is charged as data (`FeeSchedule` computes a case's charge from the lines).
public struct Fee: Sendable, Codable, Hashable {
    public enum Unit: String, Sendable, Codable, Hashable {
        /// Once per case (每件).
        case perCase
        /// Per piece counted on the case (每本、每证 …), `quantityName` says what.
        case perPiece
    }

    public var name: String
    /// 收费标准 as published.
    public var standard: String
    /// 收费依据.
    public var legalBasis: String
    /// The amount of one unit, in fen.
    public var amountFen: Int
    public var unit: Unit
    /// What a per-piece line counts, e.g. "本".
    public var quantityName: String?
    /// The quantity of a per-piece line when the form gives none.
    public var defaultQuantity: Int
    /// The case condition the line belongs to (住宅 / 非住宅 …); nil: the line always applies.
    public var condition: String?

    public init(name: String, standard: String, legalBasis: String, amountFen: Int? = nil, unit: Unit = .perCase, quantityName: String? = nil,
                defaultQuantity: Int = 1, condition: String? = nil) {
        self.name = name
        self.standard = standard
        self.legalBasis = legalBasis
        self.amountFen = amountFen ?? FeeAmount.fen(from: standard) ?? 0
        self.unit = unit
        self.quantityName = quantityName
        self.defaultQuantity = defaultQuantity
        self.condition = condition
    }

    enum CodingKeys: String, CodingKey { case name, standard, legalBasis, amountFen, unit, quantityName, defaultQuantity, condition }

    /// Definitions stored before fees were data ({name, standard, legalBasis}) still decode:
    /// their amount is the first "N元" of the standard, as it was charged then.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), standard: try c.decode(String.self, forKey: .standard),
                  legalBasis: try c.decode(String.self, forKey: .legalBasis), amountFen: try c.decodeIfPresent(Int.self, forKey: .amountFen),
                  unit: try c.decodeIfPresent(Unit.self, forKey: .unit) ?? .perCase, quantityName: try c.decodeIfPresent(String.self, forKey: .quantityName),
                  defaultQuantity: try c.decodeIfPresent(Int.self, forKey: .defaultQuantity) ?? 1,
                  condition: try c.decodeIfPresent(String.self, forKey: .condition).flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// The ten attributes that must be the same at province, city and county (R3.10).
public struct TenAttributes: Sendable, Codable, Hashable {
    public var mainItemName: String
    public var subItemName: String
    public var itemType: ItemType
    public var itemCode: ItemCode
    public var legalBasis: String
    public var materials: [MaterialRequirement]
    public var process: ItemProcess
    /// Empty means free of charge.
    public var fees: [Fee]
    public var promisedLimit: Int
    /// The application form's fields with what each holds (R7.3.1); stored plain labels still decode.
    public var formFields: [FormField]

    public init(mainItemName: String, subItemName: String, itemType: ItemType, itemCode: ItemCode, legalBasis: String,
                materials: [MaterialRequirement], process: ItemProcess, fees: [Fee], promisedLimit: Int, formFields: [FormField]) {
        self.mainItemName = mainItemName
        self.subItemName = subItemName
        self.itemType = itemType
        self.itemCode = itemCode
        self.legalBasis = legalBasis
        self.materials = materials
        self.process = process
        self.fees = fees
        self.promisedLimit = promisedLimit
        self.formFields = formFields
    }

    /// The item's name as shown: the sub-item when there is one.
    public var displayName: String { subItemName.isEmpty ? mainItemName : "\(mainItemName)（\(subItemName)）" }
}

/// What the applicant is promised beyond the ten attributes (R5.1, R6.6, R3.8, R8.7).
public struct ServiceTerms: Sendable, Codable, Hashable {
    public enum Delivery: String, Sendable, Codable, CaseIterable {
        case pickup, post, download
        public var chineseName: String {
            switch self {
            case .pickup: "窗口领取"
            case .post: "邮寄送达"
            case .download: "网上下载"
            }
        }
    }

    /// 法定时限, working days.
    public var legalLimit: Int
    /// 即办件: finished on the spot (R6.6).
    public var immediate: Bool
    /// 全程网办 (R7.4.1 a).
    public var fullyOnline: Bool
    /// In-person trips the applicant needs: 0 or 1 (R3.8).
    public var trips: Int
    public var tripsReason: String
    public var delivery: [Delivery]
    public var appointmentAvailable: Bool
    /// The legal baseline the reductions are measured against (R5.1, R11.3.2).
    public var baselineMaterials: Int
    public var baselineTrips: Int

    public init(legalLimit: Int, immediate: Bool = false, fullyOnline: Bool = false, trips: Int, tripsReason: String,
                delivery: [Delivery], appointmentAvailable: Bool = true, baselineMaterials: Int, baselineTrips: Int) {
        self.legalLimit = legalLimit
        self.immediate = immediate
        self.fullyOnline = fullyOnline
        self.trips = trips
        self.tripsReason = tripsReason
        self.delivery = delivery
        self.appointmentAvailable = appointmentAvailable
        self.baselineMaterials = baselineMaterials
        self.baselineTrips = baselineTrips
    }
}

/// What may differ locally: where, when, who to call (R3.10 leaves these free).
public struct LocalDetails: Sendable, Codable, Hashable {
    public var address: String
    public var phone: String
    public var hours: String
    public var windows: String
    public init(address: String, phone: String, hours: String, windows: String) {
        self.address = address
        self.phone = phone
        self.hours = hours
        self.windows = windows
    }
}

/// One version of an item as a region implements it: the content of a guide.
public struct ItemDefinition: Sendable, Codable, Hashable {
    public var attributes: TenAttributes
    public var terms: ServiceTerms
    public var local: LocalDetails
    /// Topics for browsing (e.g. 企业开办, 工程建设).
    public var topics: [String]

    public init(attributes: TenAttributes, terms: ServiceTerms, local: LocalDetails, topics: [String]) {
        self.attributes = attributes
        self.terms = terms
        self.local = local
        self.topics = topics
    }
}
