import FluentKit
import Foundation
import OneVisitDomain

extension CaseService {
    /// 受理 or 容缺受理 at the one window (R6.4, R6.5, R8.2.2, R8.2.4): the slip with the
    /// promised date, the tasks to every department at once (R8.3), and for an immediate
    /// item the decision on the spot (R6.6).
    func accept(_ change: Change, tolerance: Bool, toleranceDays: Int = 5, deemed: Bool = false) async throws -> CaseModel {
        guard (1...30).contains(toleranceDays) else {
            throw AppError.invalid("toleranceDays", code: "case.tolerance_days", "容缺补正期限应为 1–30 个工作日")
        }
        let now = clock.now
        let day = today
        return try await self.change(change, .accept, tolerance ? .toleranceAccept : .accept, audit: tolerance ? "case.tolerance_accept" : "case.accept") { c, tx, step in
            let (calendar, definition) = (step.calendar, step.definition)
            // Deemed acceptance counts from receipt (行政许可法第三十二条).
            let start = deemed || DeemedAcceptance.isDeemedAccepted(receivedOn: c.receivedOn, today: day, calendar: calendar) ? c.receivedOn : day
            c.clockStart = start
            c.acceptedAt = now
            c.acceptanceNumber = try await Self.documentNumber(.acceptance, c, on: day, on: tx).description
            let missing = try await CaseMaterialModel.query(on: tx).filter(\.$caseID == c.id!).filter(\.$status == .missing).sort(\.$position).all()
            if tolerance {
                c.toleranceDeadline = calendar.addWorkdays(day, toleranceDays)
            }
            let legal = LegalClock(start: start, limit: c.promisedLimit)
            let promisedDate = legal.deadline(calendar: calendar) ?? start
            let process = definition.attributes.process
            let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName,
                                            issuer: try await Self.departmentName(c, on: tx), dateText: Self.dateText(now))
            let content = CaseNotices.acceptance(
                header, acceptanceNumber: c.acceptanceNumber!, phone: c.applicantPhone,
                promise: CaseNotices.promise(immediate: definition.terms.immediate, limit: c.promisedLimit, due: promisedDate),
                intermediaries: process.intermediaryServices.map { CaseNotices.intermediary(name: $0.name, limitDays: $0.limitDays) },
                specialProcedures: process.specialProcedures.map { CaseNotices.specialProcedure(name: $0.kind.chineseName, days: $0.days) },
                tolerance: tolerance ? .init(deadline: c.toleranceDeadline!, missing: missing.map(\.name)) : nil, deemed: deemed)
            try await self.document(c, kind: .acceptanceSlip, content: content, at: now, on: tx)
            try await self.event(c, tolerance ? "toleranceAccept" : "accept", deemed ? "逾期未告知，依法视为受理" : (tolerance ? "容缺受理" : "已受理"),
                                 note: "受理编号 \(c.acceptanceNumber!)", actor: change.actor.auditName, at: now, on: tx)
            if step.outcome.documents.contains(.decision) {
                // 即办件: the policy decided it on the spot (R6.6).
                try await self.issueResult(c, definition: definition, approver: change.actor, at: now, on: tx)
                try await self.event(c, "approve", "即办件当场办结", actor: change.actor.auditName, at: now, on: tx)
            } else {
                try await self.createTasks(c, definition: definition, at: now, on: tx)
                try await self.event(c, "transfer", "已推送承办部门并联审查", actor: "system", at: now, on: tx)
            }
            return c
        }
    }

    static func departmentName(_ c: CaseModel, on tx: any Database) async throws -> String {
        try await DepartmentModel.find(c.departmentID, on: tx)?.name ?? ""
    }

    /// One task per reviewing department, at once (R8.3), to the A holder of the
    /// department's post, or the B holder when A is away (R6.9).
    func createTasks(_ c: CaseModel, definition: ItemDefinition, at now: Date, on tx: any Database) async throws {
        let process = definition.attributes.process
        // Steps in a parallel group are reviewed at the same time, one task per department;
        // an item without parallel steps is reviewed by its lead department alone.
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
        let departments = try await DepartmentModel.query(on: tx).filter(\.$regionCode == c.regionCode).all()
        for (short, step) in names {
            guard let department = departments.first(where: { $0.name.hasSuffix(short) }) else { continue }
            let task = CaseTaskModel()
            task.id = random.uuid()
            task.caseID = c.id!
            task.departmentID = department.id!
            task.departmentName = department.name
            task.isLead = short == process.leadDepartment
            task.stepName = step
            task.state = .pending
            task.assigneeID = try await Self.assignee(for: department.id!, at: now, on: tx)
            task.version = 1
            try await task.create(on: tx)
        }
        if try await CaseTaskModel.query(on: tx).filter(\.$caseID == c.id!).count() == 0 {
            throw AppError(.conflict, code: "case.no_department", title: "未找到本级承办部门，无法转办，请联系目录管理员")
        }
    }

    static func assignee(for departmentID: UUID, at now: Date, on tx: any Database) async throws -> UUID? {
        guard let post = try await PostModel.query(on: tx).filter(\.$departmentID == departmentID).first() else { return nil }
        let holders = [post.holderAID, post.holderBID].compactMap { $0 }
        for id in holders {
            if let account = try await AccountModel.find(id, on: tx), account.role == StaffRole.departmentReviewer.rawValue || account.role == StaffRole.departmentHead.rawValue {
                if let away = account.absentUntil, away > now { continue }
                return id
            }
        }
        return nil
    }

    struct NoticeItem: Sendable, Codable {
        var material: String
        var instruction: String
    }

    /// 一次性告知 (R6.3, R8.2.3): everything to correct in one notice. A later notice may
    /// only repeat what the first asked for, unless a supervisor overrides with a reason,
    /// which is recorded as a violation. No notice after the fifth working day: the case
    /// then counts as accepted (行政许可法第三十二条).
    func issueNotice(_ change: Change, items: [NoticeItem], overrideReason: String?) async throws -> CaseModel {
        let isSupervisor = change.actor.role == .staff(.supervisor)
        let items = items.filter { !$0.material.isEmpty }
        guard !items.isEmpty else { throw AppError.invalid("items", code: "case.notice_empty", "请至少列出一项需补正的材料及补正方式") }
        guard items.allSatisfy({ !$0.instruction.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw AppError.invalid("items", code: "case.notice_instruction", "每项补正内容都要写明如何补正")
        }
        let now = clock.now
        let day = today
        return try await self.change(change, .issueNotice, audit: "case.notice") { c, tx, step in
            let earlier = try await CaseDocumentModel.query(on: tx).filter(\.$caseID == c.id!).filter(\.$kind == .oneTimeNotice).all()
                .compactMap { CaseDocumentContent.decode($0.content)?.items.map { $0.components(separatedBy: "：").first ?? $0 } }
            let new = OneTimeNoticeRule.newItems(requested: items.map(\.material), earlier: earlier)
            if !new.isEmpty {
                guard isSupervisor, let reason = overrideReason, reason.trimmingCharacters(in: .whitespaces).count >= 4 else {
                    throw AppError(.conflict, code: "case.notice_not_one_time", title: "一次性告知后不得再要求新的材料：\(new.joined(separator: "、"))；确需补充的，须由监察人员说明理由后办理")
                }
                let violation = ViolationModel()
                violation.id = self.random.uuid()
                violation.caseID = c.id!
                violation.kind = "secondNotice"
                violation.reason = "再次告知新增：\(new.joined(separator: "、"))。理由：\(reason)"
                violation.actor = change.actor.auditName
                violation.at = now
                try await violation.create(on: tx)
            }
            for item in items {
                if let m = try await CaseMaterialModel.query(on: tx).filter(\.$caseID == c.id!).filter(\.$name == item.material).first(), m.status != .platform {
                    m.status = .missing
                    try await m.update(on: tx)
                }
            }
            let number = try await Self.documentNumber(.notice, c, on: day, on: tx)
            let attributes = step.definition.attributes
            let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName,
                                            issuer: try await Self.departmentName(c, on: tx), dateText: Self.dateText(now))
            let content = CaseNotices.oneTimeNotice(
                header, number: number.description, receivedAtText: Self.dateText(c.receivedAt),
                corrections: items.map { ($0.material, $0.instruction) },
                specialProcedures: attributes.process.specialProcedures.map { ($0.kind.chineseName, $0.days) },
                fees: attributes.fees.map { ($0.name, $0.standard) })
            try await self.document(c, kind: .oneTimeNotice, content: content, at: now, on: tx)
            try await self.event(c, "notice", "一次性告知补正", note: items.map(\.material).joined(separator: "、"), actor: change.actor.auditName, at: now, on: tx)
            return c
        }
    }

    /// 不予受理 with reasons and the applicant's rights.
    func refuse(_ change: Change, reason: String) async throws -> CaseModel {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 4 else { throw AppError.invalid("reason", code: "case.reason_required", "请写明不予受理的理由") }
        let now = clock.now
        let day = today
        return try await self.change(change, .refuse, audit: "case.refuse") { c, tx, _ in
            let number = try await Self.documentNumber(.refusal, c, on: day, on: tx)
            let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName,
                                            issuer: try await Self.departmentName(c, on: tx), dateText: Self.dateText(now))
            let content = CaseNotices.nonAcceptance(header, number: number.description, reason: reason, rights: try await Self.rights(c, on: tx))
            try await self.document(c, kind: .nonAcceptance, content: content, at: now, on: tx)
            try await self.event(c, "refuse", "不予受理", note: reason, actor: change.actor.auditName, at: now, on: tx)
            return c
        }
    }

    /// The rights text naming this region's government and the department one level up.
    static func rights(_ c: CaseModel, on tx: any Database) async throws -> String {
        let region = try await RegionModel.find(c.regionCode, on: tx)
        let department = try await DepartmentModel.find(c.departmentID, on: tx)
        var bodies = ["\(region?.name ?? "")人民政府"]
        if let parentCode = RegionCode(c.regionCode)?.parent?.value, let parent = try await RegionModel.find(parentCode, on: tx), let department {
            let short = department.name.hasPrefix(region?.name ?? "\u{0}") ? String(department.name.dropFirst(region!.name.count)) : department.name
            bodies.append(parent.name + short)
        }
        return RightsNotice.text(reconsiderationBodies: bodies, court: "有管辖权的人民法院")
    }

    /// Corrections handed in after a one-time notice: the case is received again (R8.2.3).
    func resubmit(_ change: Change, files: [Int: MultipartForm.File]) async throws -> CaseModel {
        try await authorize(.resubmit, change)
        let stored = try store(files)
        let now = clock.now
        return try await self.change(change, .resubmit, audit: "case.resubmit") { c, tx, _ in
            let materials = try await CaseMaterialModel.query(on: tx).filter(\.$caseID == c.id!).all()
            for m in materials where m.status == .missing {
                if let file = stored[m.position] {
                    m.status = .provided
                    try await file.attach(to: m, at: now, on: tx)
                    try await m.update(on: tx)
                } else if change.actor.role == .staff(.windowClerk) {
                    m.status = .provided
                    m.source = Self.paperAtWindow
                    try await m.update(on: tx)
                }
            }
            try await self.event(c, "resubmit", "已补正材料，重新提交", actor: change.actor.auditName, at: now, on: tx)
            return c
        }
    }

    /// Who acts when the law changes a case by itself (no account, no session): a fixed id, so
    /// the jobs service draws nothing from the random source whose numbers tests pin.
    static let lawID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// Tolerated materials not supplied by their deadline stop the clock until they come (R6.5:
    /// "what happens when the deadline passes"); supplying them starts it again.
    public func applyToleranceDeadlines(address: String) async throws -> Int {
        let db = persistence.db
        let day = today
        let system = Principal(accountID: Self.lawID, sessionID: Self.lawID, role: .staff(.departmentHead), displayName: "系统", loginName: "system", departmentID: nil, regionCode: nil)
        var count = 0
        for c in try await CaseModel.query(on: db).filter(\.$toleranceDeadline != nil).filter(\.$state ~~ CasePolicy.runningStates).all() {
            guard let deadline = c.toleranceDeadline, day > deadline, clock(for: c)?.isSuspended == false else { continue }
            do {
                _ = try await lawfulChange(Change(caseID: c.id!, expectedVersion: c.version, actor: system, address: address), audit: "case.tolerance_overdue") { c, tx, _ in
                    var suspensions = Self.suspensions(c)
                    do throws(CaseError) { try SuspensionBook.open(&suspensions, from: deadline.nextDay, reason: SuspensionBook.overdueSupplement) } catch { throw Self.conflict(error) }
                    Self.setSuspensions(c, suspensions)
                    try await self.event(c, "suspend", "容缺材料逾期未补交，暂停计时", note: "补齐后恢复计时", actor: "system", at: self.clock.now, on: tx)
                    return c
                }
                count += 1
            } catch let error as AppError where error.status == .conflict {
                continue
            }
        }
        return count
    }

    /// Deemed acceptance for every case left without a notice past the fifth working day.
    /// Run only by the jobs service (`JobsService`): no page or GET changes data.
    public func applyDeemedAcceptance(address: String) async throws -> Int {
        let db = persistence.db
        let calendar = try await self.calendar(on: db)
        let waiting = try await CaseModel.query(on: db).filter(\.$state == CasePolicy.awaitingAcceptance).all()
        var count = 0
        for c in waiting where DeemedAcceptance.isDeemedAccepted(receivedOn: c.receivedOn, today: today, calendar: calendar) {
            let missing = try await CaseMaterialModel.query(on: db).filter(\.$caseID == c.id!).filter(\.$status == .missing).all()
            let onlySecondary = missing.allSatisfy { $0.importance == .secondary }
            guard missing.isEmpty || onlySecondary else { continue }
            // The law accepts the case, in its own region: the system acts as that region's window.
            let system = Principal(accountID: Self.lawID, sessionID: Self.lawID, role: .staff(.windowClerk), displayName: "系统", loginName: "system", departmentID: nil, regionCode: c.regionCode)
            do {
                _ = try await accept(Change(caseID: c.id!, expectedVersion: c.version, actor: system, address: address), tolerance: !missing.isEmpty, deemed: true)
                count += 1
            } catch let error as AppError where error.status == .conflict {
                continue
            }
        }
        return count
    }
}
