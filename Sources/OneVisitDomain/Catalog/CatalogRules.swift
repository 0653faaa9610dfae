/// Checks an item definition before anything is stored; the first problem is thrown
/// with its own code so the admin knows exactly what to fix.
public enum CatalogRules {
    /// Default limit of an intermediary service when no law sets one (R8.5.1).
    public static let defaultIntermediaryLimit = 30

    public static func validate(_ definition: ItemDefinition) throws(CatalogError) {
        let a = definition.attributes
        let t = definition.terms
        func need(_ value: String, _ field: String, _ label: String) throws(CatalogError) {
            if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw CatalogError(code: "item.required", message: "请填写\(label)", field: field)
            }
        }
        try need(a.mainItemName, "mainItemName", "主项名称")
        try need(a.legalBasis, "legalBasis", "设定依据")
        try need(a.process.leadDepartment, "process.leadDepartment", "牵头部门")
        _ = try ItemCode(a.itemCode.value, type: a.itemType)
        guard t.legalLimit >= 0, t.legalLimit <= 365 else {
            throw CatalogError(code: "item.legal_limit", message: "法定办结时限应为 0–365 个工作日", field: "legalLimit")
        }
        guard a.promisedLimit >= 0 else {
            throw CatalogError(code: "item.promised_limit", message: "承诺办结时限不能为负数", field: "promisedLimit")
        }
        guard a.promisedLimit <= t.legalLimit else {
            throw CatalogError(code: "item.promised_exceeds_legal", message: "承诺时限（\(a.promisedLimit) 个工作日）不能超过法定时限（\(t.legalLimit) 个工作日）", field: "promisedLimit")
        }
        if t.immediate, a.promisedLimit != 0 {
            throw CatalogError(code: "item.immediate_limit", message: "即办件的承诺时限应为 0（当场办结）", field: "promisedLimit")
        }
        guard (0...1).contains(t.trips) else {
            throw CatalogError(code: "item.trips", message: "跑动次数应为 0 次或 1 次（最多跑一次）", field: "trips")
        }
        if t.trips == 1 { try need(t.tripsReason, "tripsReason", "需要跑动一次的原因") }
        guard !t.delivery.isEmpty else {
            throw CatalogError(code: "item.delivery", message: "请至少选择一种结果送达方式", field: "delivery")
        }
        if t.fullyOnline {
            guard t.trips == 0 else {
                throw CatalogError(code: "item.fully_online_trips", message: "全程网办事项的跑动次数应为 0", field: "trips")
            }
            guard t.delivery.contains(.download) || t.delivery.contains(.post) else {
                throw CatalogError(code: "item.fully_online_delivery", message: "全程网办事项应提供邮寄或网上下载结果", field: "delivery")
            }
        }
        guard !a.process.steps.isEmpty else {
            throw CatalogError(code: "item.process_steps", message: "请至少填写一个办理环节", field: "process.steps")
        }
        for service in a.process.intermediaryServices {
            if service.limitDays <= 0 || (service.limitDays > defaultIntermediaryLimit && (service.legalLimitBasis ?? "").isEmpty) {
                throw CatalogError(code: "item.intermediary_limit", message: "中介服务“\(service.name)”时限应为 1–\(defaultIntermediaryLimit) 天，超过须注明法定依据", field: "process.intermediaryServices")
            }
        }
        for procedure in a.process.specialProcedures where procedure.days <= 0 {
            throw CatalogError(code: "item.special_procedure_days", message: "特别程序“\(procedure.kind.chineseName)”须注明所需时间", field: "process.specialProcedures")
        }
        var names = Set<String>()
        for material in a.materials {
            try need(material.name, "materials", "材料名称")
            guard names.insert(material.name).inserted else {
                throw CatalogError(code: "item.material_duplicate", message: "材料“\(material.name)”重复", field: "materials")
            }
            guard material.copies >= 0, material.copies <= 20 else {
                throw CatalogError(code: "item.material_copies", message: "材料“\(material.name)”的份数应为 0–20", field: "materials")
            }
        }
        for material in a.materials {
            if let cover = material.coveredBy, !names.contains(cover) {
                throw CatalogError(code: "item.material_cover_unknown", message: "材料“\(material.name)”所称涵盖它的材料“\(cover)”不在清单中", field: "materials")
            }
        }
        // R7.3.1: a form's data is kept by field name, so each field has one, once.
        var fieldNames = Set<String>()
        for field in a.formFields {
            try need(field.name, "formFields", "表单字段名称")
            guard fieldNames.insert(field.name).inserted else {
                throw CatalogError(code: "item.form_field_duplicate", message: "表单字段“\(field.name)”重复", field: "formFields")
            }
        }
        for fee in a.fees {
            try need(fee.name, "fees", "收费项目名称")
            try need(fee.standard, "fees", "收费标准")
        }
        // R8.6: a charging line has an amount, a condition is one of at least two (FeeSchedule).
        if let problem = FeeSchedule.problems(a.fees).first {
            throw CatalogError(code: "item.fee_schedule", message: problem, field: "fees")
        }
        guard t.baselineMaterials >= 0, t.baselineTrips >= 0 else {
            throw CatalogError(code: "item.baseline", message: "法定基准的材料数、跑动次数不能为负数", field: "baseline")
        }
    }
}

/// The R6.2 check: materials that must not be required from the applicant.
public enum MaterialCheck {
    public enum Rule: String, Sendable, Codable, CaseIterable {
        case a, b, c, d, e, f, g
        public var chineseDescription: String {
            switch self {
            case .a: "无法律法规依据"
            case .b: "能通过已有证照证明"
            case .c: "能采取申请人书面承诺方式解决"
            case .d: "能被其他材料涵盖或替代"
            case .e: "能通过部门核查、网络核验、合同凭证等办理"
            case .f: "开具单位无法调查核实的证明"
            case .g: "上一个审批服务环节已收取"
            }
        }
    }

    public struct Flag: Sendable, Codable, Hashable {
        public var material: String
        public var rule: Rule
        public var message: String
        public var justification: String?
        public var isJustified: Bool { !(justification ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }

    /// Every rule each material breaks. A material with no legal basis is flagged even
    /// when the platform obtains it itself, since the requirement has no ground at all.
    public static func flags(for attributes: TenAttributes) -> [Flag] {
        var flags: [Flag] = []
        for m in attributes.materials {
            func flag(_ rule: Rule) {
                flags.append(Flag(material: m.name, rule: rule, message: "“\(m.name)”\(rule.chineseDescription)，不得要求申请人提交（DB41/T 1700.1 6.2 \(rule.rawValue)）", justification: m.justification))
            }
            if m.legalBasis.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { flag(.a) }
            guard m.requiredFromApplicant else { continue }
            if m.sources.contains(where: { if case .eLicence = $0 { true } else { false } }) { flag(.b) }
            if m.sources.contains(.commitment) { flag(.c) }
            if m.coveredBy != nil { flag(.d) }
            if m.sources.contains(where: {
                switch $0 {
                case .sharedData, .governmentCheck: true
                default: false
                }
            }) { flag(.e) }
            if !m.issuerCanVerify { flag(.f) }
            if m.sources.contains(where: { if case .previousStep = $0 { true } else { false } }) { flag(.g) }
        }
        return flags
    }
}

/// 三级十同 (R3.10): the differences of an implementation from its base item.
public enum TenSames {
    public enum Attribute: String, Sendable, Codable, CaseIterable {
        case mainItemName, subItemName, itemType, itemCode, legalBasis, materials, process, fees, promisedLimit, formContent
        public var chineseName: String {
            switch self {
            case .mainItemName: "主项名称"
            case .subItemName: "子项名称"
            case .itemType: "事项类型"
            case .itemCode: "事项编码"
            case .legalBasis: "设定依据"
            case .materials: "申请材料"
            case .process: "办理流程"
            case .fees: "收费标准"
            case .promisedLimit: "承诺时限"
            case .formContent: "表单内容"
            }
        }
    }

    public struct Difference: Sendable, Codable, Hashable {
        public var attribute: Attribute
        public var attributeName: String
        public var baseValue: String
        public var localValue: String
        /// For lists (materials, form fields): what was added, removed or changed.
        public var detail: String
    }

    /// Each of the ten attributes whose value differs, with both values as text.
    public static func differences(base: TenAttributes, local: TenAttributes) -> [Difference] {
        Attribute.allCases.compactMap { attribute in
            let b = text(attribute, base)
            let l = text(attribute, local)
            guard b != l else { return nil }
            return Difference(attribute: attribute, attributeName: attribute.chineseName, baseValue: b, localValue: l, detail: detail(attribute, base, local))
        }
    }

    /// The change in a list attribute, item by item; empty for single values.
    static func detail(_ attribute: Attribute, _ base: TenAttributes, _ local: TenAttributes) -> String {
        func listDiff(_ b: [String], _ l: [String], name: (String) -> String) -> String {
            let added = l.filter { !b.contains($0) }
            let removed = b.filter { !l.contains($0) }
            return (added.map { "新增" + name($0) } + removed.map { "删除" + name($0) }).joined(separator: "；")
        }
        switch attribute {
        case .materials:
            let b = base.materials.map(\.name), l = local.materials.map(\.name)
            var parts = [listDiff(b, l) { "“\($0)”" }]
            for m in local.materials {
                if let old = base.materials.first(where: { $0.name == m.name }), materialText(old) != materialText(m) {
                    parts.append("变更“\(m.name)”")
                }
            }
            return parts.filter { !$0.isEmpty }.joined(separator: "；")
        case .formContent:
            return listDiff(base.formFields.names, local.formFields.names) { "“\($0)”" }
        default:
            return ""
        }
    }

    static func materialText(_ m: MaterialRequirement) -> String {
        "\(m.name)（\(m.importance == .primary ? "主要" : "次要")，\(m.form.chineseName) \(m.copies) 份\(m.requiredFromApplicant ? "" : "，免提交")）"
    }

    /// The attribute as a person compares it; files and justifications do not count.
    static func text(_ attribute: Attribute, _ a: TenAttributes) -> String {
        switch attribute {
        case .mainItemName: a.mainItemName
        case .subItemName: a.subItemName
        case .itemType: a.itemType.chineseName
        case .itemCode: a.itemCode.value
        case .legalBasis: a.legalBasis
        case .materials:
            a.materials.map(materialText).joined(separator: "；")
        case .process:
            a.process.steps.map { "\($0.name)[\($0.departments.joined(separator: "、"))]" }.joined(separator: " → ")
                + "；牵头：\(a.process.leadDepartment)"
                + (a.process.onSiteInspection ? "；现场核查" : "")
                + a.process.specialProcedures.map { "；\($0.kind.chineseName) \($0.days) 日" }.joined()
                + a.process.intermediaryServices.map { "；中介：\($0.name) \($0.limitDays) 日" }.joined()
                + (a.process.decisionLevel == .reportUp ? "；报上级决定" : "")
        case .fees:
            // The amount, unit and condition are compared as well as the published text: the same
            // words with another amount charged are not the same fee (R3.10, R8.6).
            a.fees.isEmpty ? "不收费" : a.fees.map { fee in
                (fee.condition.map { "【\($0)】" } ?? "") + "\(fee.name)：\(fee.standard)（\(FeeAmount.text(fen: fee.amountFen))"
                    + (fee.unit == .perPiece ? "/\(fee.quantityName ?? "件")，按数量计" : "/件") + "）"
            }.joined(separator: "；")
        case .promisedLimit: "\(a.promisedLimit) 个工作日"
        case .formContent: a.formFields.names.joined(separator: "、")
        }
    }
}

/// What a guide promises beyond the legal baseline (R5.1, R11.3.2).
public struct Reductions: Sendable, Codable, Hashable {
    public var materialsRemoved: Int
    public var daysCompressed: Int
    public var tripsReduced: Int
    /// Share of the legal limit saved, in whole per cent.
    public var daysCompressedPercent: Int

    public init(materialsRemoved: Int, daysCompressed: Int, tripsReduced: Int, daysCompressedPercent: Int) {
        self.materialsRemoved = materialsRemoved
        self.daysCompressed = daysCompressed
        self.tripsReduced = tripsReduced
        self.daysCompressedPercent = daysCompressedPercent
    }

    public static func of(_ definition: ItemDefinition) -> Reductions {
        let required = definition.attributes.materials.filter(\.requiredFromApplicant).count
        let legal = definition.terms.legalLimit
        let saved = max(0, legal - definition.attributes.promisedLimit)
        return Reductions(
            materialsRemoved: max(0, definition.terms.baselineMaterials - required),
            daysCompressed: saved,
            tripsReduced: max(0, definition.terms.baselineTrips - definition.terms.trips),
            daysCompressedPercent: legal == 0 ? 0 : Int((Double(saved) * 100 / Double(legal)).rounded()))
    }

    public static func + (l: Reductions, r: Reductions) -> Reductions {
        Reductions(materialsRemoved: l.materialsRemoved + r.materialsRemoved, daysCompressed: l.daysCompressed + r.daysCompressed,
                   tripsReduced: l.tripsReduced + r.tripsReduced, daysCompressedPercent: 0)
    }
}

/// A guide's completeness (R10.3 a): what a supervisor would send back.
public enum GuideCompleteness {
    /// Problems in Chinese; `fileExists` says whether a referenced download is stored.
    public static func problems(of definition: ItemDefinition, fileExists: (FileReference) -> Bool) -> [String] {
        var problems: [String] = []
        let a = definition.attributes
        if a.legalBasis.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("未写明设定依据") }
        if a.materials.isEmpty { problems.append("未列出申请材料（如确无材料，应注明“无需材料”）") }
        for m in a.materials where m.legalBasis.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append("材料“\(m.name)”未写明依据")
        }
        for m in a.materials {
            for file in [m.blankForm, m.sample].compactMap({ $0 }) where !fileExists(file) {
                problems.append("材料“\(m.name)”的下载文件“\(file.fileName)”无法下载")
            }
        }
        if a.formFields.isEmpty { problems.append("未提供表单内容") }
        for fee in a.fees where fee.legalBasis.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append("收费项目“\(fee.name)”未写明收费依据")
        }
        let l = definition.local
        if l.address.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("未写明办理地点") }
        if l.phone.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("未写明咨询电话") }
        if l.hours.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("未写明办理时间") }
        return problems
    }
}

/// 服务指南 life cycle (R5.3): draft → submitted → approved → published → superseded.
public enum GuideState: String, Sendable, Codable, CaseIterable {
    case draft, submitted, approved, published, superseded

    public var chineseName: String {
        switch self {
        case .draft: "草稿"
        case .submitted: "已报审"
        case .approved: "已审定"
        case .published: "已发布"
        case .superseded: "已被新版本替代"
        }
    }

    public enum Action: String, Sendable, Codable { case submit, approve, returnToDraft, publish }

    /// The next state, or a 409-style error naming what is allowed.
    public func applying(_ action: Action) throws(CatalogError) -> GuideState {
        switch (self, action) {
        case (.draft, .submit): return .submitted
        case (.submitted, .approve): return .approved
        case (.submitted, .returnToDraft), (.approved, .returnToDraft): return .draft
        case (.approved, .publish): return .published
        default:
            throw CatalogError(code: "guide.illegal_transition", message: "指南当前状态为“\(chineseName)”，不能执行此操作")
        }
    }
}
