import FluentKit
import SQLKit
import Foundation
import OneVisitDomain

extension CaseService {
    /// 受理 or 容缺受理 at the one window (R6.4, R6.5, R8.2.2, R8.2.4): the slip with the
    /// promised date, the tasks to every department at once (R8.3), and for an immediate
    /// item the decision on the spot (R6.6).
    func accept(_ change: Change, tolerance: Bool, toleranceDays: Int = 5, deemed: Bool = false) async throws -> CaseRow {
        guard (1...30).contains(toleranceDays) else {
            throw AppError.invalid("toleranceDays", code: "case.tolerance_days", "容缺补正期限应为 1–30 个工作日")
        }
        let now = clock.now
        let day = today
        return try await self.changeCase(change, .accept, tolerance ? .toleranceAccept : .accept, audit: deemed ? "case.deemed_accept" : tolerance ? "case.tolerance_accept" : "case.accept") { c, tx, step in
            let (calendar, definition) = (step.calendar, step.definition)
            // Deemed acceptance counts from receipt (行政许可法第三十二条).
            let start = deemed || DeemedAcceptance.isDeemedAccepted(receivedOn: c.receivedOn, today: day, calendar: calendar) ? c.receivedOn : day
            // Accepted by law whoever records it: the jobs, or a clerk after the fifth working day without a notice.
            let deemed = deemed || step.facts.noticeTooLate
            c.clockStart = start
            c.acceptedAt = now
            try await Self.recordAcceptanceVenue(&c, actor: change.actor, on: tx)  // R11.3.4 (a) 集中受理率
            c.acceptanceNumber = try await Self.documentNumber(.acceptance, c, on: day, on: tx).description
            // The missing materials are named only on a tolerance slip.
            let missing = tolerance ? try await Self.missingMaterialNames(of: c, on: tx) : []
            if tolerance {
                c.toleranceDeadline = calendar.addWorkdays(day, toleranceDays)
            }
            let legal = LegalClock(start: start, limit: c.promisedLimit)
            let promisedDate = legal.deadline(calendar: calendar) ?? start
            let process = definition.attributes.process
            // 即办件: the policy decided it on the spot (R6.6); otherwise tasks go to the reviewing departments.
            let decidedNow = step.outcome.documents.contains(.decision)
            let reviewing = decidedNow ? [] : Self.reviewingDepartments(process)
            let departments = try await Self.departments(lead: c.departmentID, region: c.regionCode, shortNames: reviewing.map(\.short), on: tx)
            let issuer = departments.first { $0.id == c.departmentID }?.name ?? ""
            let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName,
                                            issuer: issuer, dateText: Self.dateText(now))
            let content = CaseNotices.acceptance(
                header, acceptanceNumber: c.acceptanceNumber!, phone: c.applicantPhone,
                promise: CaseNotices.promise(immediate: definition.terms.immediate, limit: c.promisedLimit, due: promisedDate,
                                             calendar: calendar.status(from: start, through: promisedDate)),
                intermediaries: process.intermediaryServices.map { CaseNotices.intermediary(name: $0.name, limitDays: $0.limitDays) },
                specialProcedures: process.specialProcedures.map { CaseNotices.specialProcedure(name: $0.kind.chineseName, days: $0.days) },
                tolerance: c.toleranceDeadline.flatMap { deadline in tolerance ? .init(deadline: deadline, missing: missing, calendar: calendar.status(from: day, through: deadline)) : nil },
                deemed: deemed)
            try await self.document(c, kind: .acceptanceSlip, content: content, at: now, on: tx)
            var events = [self.eventRow(c, tolerance ? "toleranceAccept" : "accept", deemed ? "逾期未告知，依法视为受理" : (tolerance ? "容缺受理" : "已受理"),
                                        note: "受理编号 \(c.acceptanceNumber!)", actor: change.actor.auditName, at: now)]
            if decidedNow {
                try await self.issueResult(&c, definition: definition, issuer: issuer, approver: change.actor, at: now, on: tx)
                events.append(self.eventRow(c, "approve", "即办件当场办结", actor: change.actor.auditName, at: now))
            } else {
                try await self.createTasks(c, reviewing: reviewing, departments: departments, at: now, on: tx)
                events.append(self.eventRow(c, "transfer", "已推送承办部门并联审查", actor: "system", at: now))
            }
            try await CaseEventRow.insert(events, on: tx.sql)
        }
    }

    /// The names of the case's missing materials, in order.
    static func missingMaterialNames(of c: CaseRow, on tx: any Database) async throws -> [String] {
        try await tx.sql.select().column("name").from(CaseMaterialRow.table)
            .where("case_id", .equal, c.id).where("status", .equal, MaterialStatus.missing).orderBy("position")
            .all(decodingColumn: "name", as: String.self)
    }

    static func departmentName(_ c: CaseRow, on tx: any Database) async throws -> String {
        try await DepartmentModel.find(c.departmentID, on: tx)?.name ?? ""
    }

    /// The lead department and the region's departments of the duties `shortNames` (the guide's
    /// department keys, `departments.short_name`), in one read. Matched by key, not by the end of
    /// the name: real organs are named 河南省住房和城乡建设厅, 中牟县自然资源局 (R8.5.5).
    static func departments(lead: UUID, region: String, shortNames: [String], on tx: any Database) async throws -> [DepartmentModel] {
        try await DepartmentModel.query(on: tx).group(.or) { either in
            either.filter(\.$id == lead)
            if !shortNames.isEmpty {
                either.group(.and) { inRegion in
                    inRegion.filter(\.$regionCode == region).filter(\.$shortName ~~ shortNames)
                }
            }
        }.all()
    }

    /// A department that reviews the case, by the short name the guide gives it.
    struct ReviewingDepartment: Sendable {
        var short: String
        var step: String
        var isLead: Bool
    }

    /// Steps in a parallel group are reviewed at the same time, one task per department;
    /// an item without parallel steps is reviewed by its lead department alone.
    static func reviewingDepartments(_ process: ItemProcess) -> [ReviewingDepartment] {
        var names: [(String, String)] = []
        for step in process.steps where step.parallelGroup != nil {
            for department in step.departments where !names.contains(where: { $0.0 == department }) {
                names.append((department, step.name))
            }
        }
        if names.isEmpty {
            let step = process.steps.first { $0.departments.contains(process.leadDepartment) && $0 != process.steps.first }?.name ?? "审查"
            names = [(process.leadDepartment, step)]
        }
        return names.map { ReviewingDepartment(short: $0.0, step: $0.1, isLead: $0.0 == process.leadDepartment) }
    }

    /// One task per reviewing department, at once (R8.3), to the A holder of the
    /// department's post, or the B holder when A is away (R6.9); written in one statement.
    func createTasks(_ c: CaseRow, reviewing: [ReviewingDepartment], departments: [DepartmentModel], at now: Date, on tx: any Database) async throws {
        let inRegion = departments.filter { $0.regionCode == c.regionCode }
        let chosen = reviewing.compactMap { named in inRegion.first { $0.shortName == named.short }.map { (named, $0) } }
        let assignees = try await Self.assignees(for: chosen.map { $0.1.id! }, at: now, on: tx)
        let tasks = chosen.map { named, department in
            CaseTaskRow(id: random.uuid(), caseID: c.id, departmentID: department.id!, departmentName: department.name, isLead: named.isLead,
                        stepName: named.step, state: .pending, assigneeID: assignees[department.id!], handlerID: nil, opinion: nil, note: nil,
                        completedAt: nil, version: 1)
        }
        // A case is accepted once, so it had no tasks before these.
        guard !tasks.isEmpty else {
            throw AppError(.conflict, code: "case.no_department", title: "未找到本级承办部门，无法转办，请联系目录管理员")
        }
        try await CaseTaskRow.insert(tasks, on: tx.sql)
    }

    /// Each department's assignee: the first holder of its post who reviews or heads and is not away.
    static func assignees(for departmentIDs: [UUID], at now: Date, on tx: any Database) async throws -> [UUID: UUID] {
        guard !departmentIDs.isEmpty else { return [:] }
        var posts: [UUID: PostModel] = [:]
        for post in try await PostModel.query(on: tx).filter(\.$departmentID ~~ departmentIDs).all() {
            if let department = post.departmentID, posts[department] == nil { posts[department] = post }
        }
        let holderIDs = posts.values.flatMap { [$0.holderAID, $0.holderBID].compactMap { $0 } }
        guard !holderIDs.isEmpty else { return [:] }
        struct Holder: Decodable {
            var id: UUID
            var role: String
            var absentUntil: Date?
            enum CodingKeys: String, CodingKey { case id, role, absentUntil = "absent_until" }
        }
        let rows = try await tx.sql.select().columns("id", "role", "absent_until").from(AccountRow.table).where("id", .in, holderIDs).all(decoding: Holder.self)
        let accounts = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var assignees: [UUID: UUID] = [:]
        for (department, post) in posts {
            for id in [post.holderAID, post.holderBID].compactMap({ $0 }) {
                guard let account = accounts[id], account.role == StaffRole.departmentReviewer.rawValue || account.role == StaffRole.departmentHead.rawValue else { continue }
                if let away = account.absentUntil, away > now { continue }
                assignees[department] = id
                break
            }
        }
        return assignees
    }

    struct NoticeItem: Sendable, Codable {
        var material: String
        var instruction: String
    }

    /// 一次性告知 (R6.3, R8.2.3): everything to correct in one notice. A later notice may
    /// only repeat what the first asked for, unless a supervisor overrides with a reason,
    /// which is recorded as a violation. No notice after the fifth working day: the case
    /// then counts as accepted (行政许可法第三十二条).
    func issueNotice(_ change: Change, items: [NoticeItem], overrideReason: String?) async throws -> CaseRow {
        let isSupervisor = change.actor.role == .staff(.supervisor)
        let items = items.filter { !$0.material.isEmpty }
        guard !items.isEmpty else { throw AppError.invalid("items", code: "case.notice_empty", "请至少列出一项需补正的材料及补正方式") }
        guard items.allSatisfy({ !$0.instruction.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw AppError.invalid("items", code: "case.notice_instruction", "每项补正内容都要写明如何补正")
        }
        let now = clock.now
        let day = today
        return try await self.changeCase(change, .issueNotice, audit: "case.notice") { c, tx, step in
            let earlier = try await tx.sql.select().column("content").from(CaseDocumentRow.table)
                .where("case_id", .equal, c.id).where("kind", .equal, CaseDocumentKind.oneTimeNotice)
                .all(decodingColumn: "content", as: String.self)
                .compactMap { CaseDocumentContent.decode($0)?.items.map { $0.components(separatedBy: "：").first ?? $0 } }
            let new = OneTimeNoticeRule.newItems(requested: items.map(\.material), earlier: earlier)
            if !new.isEmpty {
                guard isSupervisor, let reason = overrideReason, reason.trimmingCharacters(in: .whitespaces).count >= 4 else {
                    throw AppError(.conflict, code: "case.notice_not_one_time", title: "一次性告知后不得再要求新的材料：\(new.joined(separator: "、"))；确需补充的，须由监察人员说明理由后办理")
                }
                try await ViolationRow(id: self.random.uuid(), caseID: c.id, kind: "secondNotice", reason: "再次告知新增：\(new.joined(separator: "、"))。理由：\(reason)",
                                       actor: change.actor.auditName, at: now).insert(on: tx.sql)
            }
            // Material names are unique within a guide (CatalogRules): one statement for all.
            try await tx.sql.update(CaseMaterialRow.table).set("status", to: MaterialStatus.missing)
                .where("case_id", .equal, c.id).where("name", .in, items.map(\.material)).where("status", .notEqual, MaterialStatus.platform)
                .run()
            let number = try await Self.documentNumber(.notice, c, on: day, on: tx)
            let attributes = step.definition.attributes
            let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName,
                                            issuer: try await Self.departmentName(c, on: tx), dateText: Self.dateText(now))
            let content = CaseNotices.oneTimeNotice(
                header, number: number.description, receivedAtText: Self.dateText(c.receivedAt),
                corrections: items.map { ($0.material, $0.instruction) },
                specialProcedures: attributes.process.specialProcedures.map { ($0.kind.chineseName, $0.days) },
                fees: attributes.fees.map { fee in (fee.condition.map { "\(fee.name)（\($0)）" } ?? fee.name, fee.standard) })
            try await self.document(c, kind: .oneTimeNotice, content: content, at: now, on: tx)
            try await self.event(c, "notice", "一次性告知补正", note: items.map(\.material).joined(separator: "、"), actor: change.actor.auditName, at: now, on: tx)
        }
    }

    /// 不予受理 with reasons and the applicant's rights (R8.2.3, R8.5.5).
    func refuse(_ change: Change, reason: String) async throws -> CaseRow {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 4 else { throw AppError.invalid("reason", code: "case.reason_required", "请写明不予受理的理由") }
        let now = clock.now
        let day = today
        return try await self.changeCase(change, .refuse, audit: "case.refuse") { c, tx, step in
            let number = try await Self.documentNumber(.refusal, c, on: day, on: tx)
            let department = try await DepartmentModel.find(c.departmentID, on: tx)
            let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName,
                                            issuer: department?.name ?? "", dateText: Self.dateText(now), itemType: step.definition.attributes.itemType)
            // Served on the notice's date: handed over at the window or delivered online that day.
            let rights = try await Self.rights(c, department: department, document: .notice, servedOn: day, calendar: step.calendar, on: tx)
            let content = CaseNotices.nonAcceptance(header, number: number.description, reason: reason, rights: rights)
            try await self.document(c, kind: .nonAcceptance, content: content, at: now, on: tx)
            try await self.event(c, "refuse", "不予受理", note: reason, actor: change.actor.auditName, at: now, on: tx)
        }
    }

    /// Corrections handed in after a one-time notice: the case is received again (R8.2.3).
    func resubmit(_ change: Change, files: [Int: MultipartForm.File]) async throws -> CaseRow {
        try await authorize(.resubmit, change)
        let stored = try store(files)
        let now = clock.now
        return try await self.changeCase(change, .resubmit, audit: "case.resubmit") { c, tx, _ in
            let missing = try await CaseMaterialRow.select(on: tx.sql).where("case_id", .equal, c.id).where("status", .equal, MaterialStatus.missing)
                .rows(CaseMaterialRow.self)
            for var m in missing {
                if let file = stored[m.position] {
                    m.status = .provided
                    try await file.attach(to: &m, at: now, on: tx)
                    try await Self.update(m, on: tx)
                } else if change.actor.role == .staff(.windowClerk) {
                    m.status = .provided
                    m.source = Self.paperAtWindow
                    try await Self.update(m, on: tx)
                }
            }
            try await self.event(c, "resubmit", "已补正材料，重新提交", actor: change.actor.auditName, at: now, on: tx)
        }
    }

    /// Writes what a step may change of a material: its status, file and source.
    static func update(_ m: CaseMaterialRow, on tx: any Database) async throws {
        try await tx.sql.update(CaseMaterialRow.table)
            .set("status", to: m.status).set("file_sha", to: m.fileSHA).set("file_name", to: m.fileName)
            .set("media_type", to: m.mediaType).set("size", to: m.size).set("source", to: m.source)
            .where("id", .equal, m.id).run()
    }
}
