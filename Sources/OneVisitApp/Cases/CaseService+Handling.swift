import FluentKit
import SQLKit
import Foundation
import OneVisitDomain

extension CaseService {
    static func task(_ taskID: UUID, on tx: any Database) async throws -> CaseTaskRow {
        guard let task = try await CaseTaskRow.find(taskID, on: tx.sql) else { throw AppError(.notFound, code: "task.not_found", title: "任务不存在") }
        return task
    }

    /// Only the task's department handles it (the policy, on a scope holding that task's
    /// department alone); an assigned task is its assignee's.
    static func requireDepartment(_ operation: CaseOperation, _ actor: Principal, _ task: CaseTaskRow, of c: CaseRow, on tx: any Database) async throws {
        let scope = CaseScope(regionCode: c.regionCode, applicantID: c.applicantID, leadDepartmentID: c.departmentID, taskDepartmentIDs: [task.departmentID])
        try await authorize(operation, actor, c, scope: scope, on: tx)
    }

    /// A reviewer records the department's opinion (R8.4.1); the last department to finish
    /// moves the case to decision. Departments work at the same time (R6.7).
    func completeTask(_ change: Change, taskID: UUID, approve: Bool, note: String) async throws -> CaseRow {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard approve || note.count >= 4 else { throw AppError.invalid("note", code: "task.reason_required", "不同意的，请写明审查意见和理由") }
        let now = clock.now
        return try await self.changeCase(change, .review, audit: "case.review") { c, tx, step in
            var task = try await Self.task(taskID, on: tx)
            guard task.caseID == c.id else { throw AppError(.notFound, code: "task.not_found", title: "任务不存在") }
            try await Self.requireDepartment(.review, change.actor, task, of: c, on: tx)
            guard task.state != .done else { throw AppError(.conflict, code: "task.done", title: "该任务已审查完毕") }
            if let assignee = task.assigneeID, assignee != change.actor.accountID, change.actor.role != .staff(.departmentHead) {
                throw AppError(.forbidden, code: "task.assigned_to_other", title: "该任务已分配给本部门其他岗位人员")
            }
            task.state = .done
            task.handlerID = change.actor.accountID
            task.opinion = approve ? "同意" : "不同意"
            task.note = note
            task.completedAt = now
            task.version += 1
            try await tx.sql.update(CaseTaskRow.table)
                .set("state", to: task.state).set("handler_id", to: task.handlerID).set("opinion", to: task.opinion).set("note", to: task.note)
                .set("completed_at", to: task.completedAt).set("version", to: task.version)
                .where("id", .equal, task.id).run()
            var events = [self.eventRow(c, "review", "\(task.departmentName)审查完毕：\(task.opinion!)", note: note, actor: change.actor.auditName, at: now)]
            // The tasks were read with the facts, in this transaction; this one was among the open ones.
            if step.openTasks - 1 == 0 {
                var facts = step.facts
                facts.allReviewsDone = true
                try Self.follow(&c, .completeReview, facts: facts)
                events.append(self.eventRow(c, CasePolicy.reviewsCompleteEvent, "各部门审查完毕，待作出决定", actor: "system", at: now))
            }
            try await CaseEventRow.insert(events, on: tx.sql)
        }
    }

    /// 现场核查 (R8.4.2, R7.4.3): joint when two or more departments go; the applicant is told to prepare.
    func scheduleInspection(_ change: Change, taskID: UUID, date: CalendarDate, departments: [String], note: String) async throws -> CaseRow {
        let now = clock.now
        let day = today
        guard date >= day else { throw AppError.invalid("date", code: "inspection.date_past", "核查日期不能早于今天") }
        return try await self.changeCase(change, .inspect, audit: "case.inspection") { c, tx, _ in
            let task = try await Self.task(taskID, on: tx)
            guard task.caseID == c.id else { throw AppError(.notFound, code: "task.not_found", title: "任务不存在") }
            try await Self.requireDepartment(.inspect, change.actor, task, of: c, on: tx)
            let inspectors = Array(Set(departments + [task.departmentName]))
            let number = try await Self.documentNumber(.inspection, c, on: day, on: tx)
            let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName, issuer: task.departmentName, dateText: Self.dateText(now))
            let content = CaseNotices.inspection(header, number: number.description, date: date, departments: inspectors, prepare: note)
            try await self.document(c, kind: .inspectionNotice, content: content, at: now, on: tx)
            try await self.event(c, "inspection", inspectors.count > 1 ? "安排联合现场核查" : "安排现场核查", note: "\(Self.dayText(date))", actor: change.actor.auditName, at: now, on: tx)
        }
    }

    /// Special procedures, intermediary services and corrections stop the clock
    /// (行政许可法第四十五条); resuming starts it again.
    func suspend(_ change: Change, reason: String) async throws -> CaseRow {
        let reason = reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else { throw AppError.invalid("reason", code: "clock.reason_required", "请写明暂停计时的原因（如专家评审、检验检测、中介服务）") }
        let now = clock.now
        let day = today
        return try await self.changeCase(change, .suspend, audit: "case.suspend") { c, tx, _ in
            var suspensions = Self.suspensions(c)
            // The day the procedure starts was worked on; the stop counts from the next day.
            do throws(CaseError) { try SuspensionBook.open(&suspensions, from: day.nextDay, reason: reason) } catch { throw Self.conflict(error) }
            Self.setSuspensions(&c, suspensions)
            try await self.event(c, "suspend", "暂停计时：\(reason)", note: "该期间不计入办理时限", actor: change.actor.auditName, at: now, on: tx)
        }
    }

    func resume(_ change: Change) async throws -> CaseRow {
        let now = clock.now
        let day = today
        return try await self.changeCase(change, .resume, audit: "case.resume") { c, tx, _ in
            var suspensions = Self.suspensions(c)
            SuspensionBook.close(&suspensions, on: day)
            Self.setSuspensions(&c, suspensions)
            try await self.event(c, "resume", "恢复计时", actor: change.actor.auditName, at: now, on: tx)
        }
    }

    /// 容缺材料补交 (R6.5): supplying the last one closes the tolerance.
    func supply(_ change: Change, materialID: UUID, file: MultipartForm.File?) async throws -> CaseRow {
        // Who may supply is settled before the upload is even looked at (nothing is written for anyone else).
        try await authorize(.supply, change)
        let upload = try file.map { try store([0: $0])[0]! }
        let now = clock.now
        let day = today
        return try await self.changeCase(change, .supply, audit: "case.supply") { c, tx, step in
            guard var m = try await CaseMaterialRow.find(materialID, on: tx.sql), m.caseID == c.id, m.status == .missing else {
                throw AppError(.notFound, code: "case.material_not_due", title: "该材料无需补交")
            }
            guard upload != nil || change.actor.role == .staff(.windowClerk) else { throw AppError.invalid("file", code: "file.required", "请选择要上传的文件") }
            m.status = .supplied
            if let upload {
                try await upload.attach(to: &m, at: now, on: tx)
                m.source = nil
            } else {
                m.source = Self.paperAtWindow
            }
            try await Self.update(m, on: tx)
            // The materials were read with the facts, in this transaction; this one was among the missing.
            let missing = step.missingMaterials - 1
            try await self.event(c, "supply", "补交容缺材料：\(m.name)", note: missing == 0 ? "容缺材料已全部补齐" : "尚缺 \(missing) 项", actor: change.actor.auditName, at: now, on: tx)
            if missing == 0 {
                c.toleranceDeadline = nil
                // A clock stopped for the overdue supplement starts again.
                var suspensions = Self.suspensions(c)
                if SuspensionBook.close(&suspensions, on: day, reason: SuspensionBook.overdueSupplement) {
                    Self.setSuspensions(&c, suspensions)
                    try await self.event(c, "resume", "容缺材料已补齐，恢复计时", actor: "system", at: now, on: tx)
                }
            }
        }
    }

    /// 撤回 by the applicant before a decision (every state change is an event).
    func withdraw(_ change: Change, reason: String) async throws -> CaseRow {
        let now = clock.now
        return try await self.changeCase(change, .withdraw, audit: "case.withdraw") { c, tx, step in
            if step.openTasks > 0 {
                try await tx.sql.update(CaseTaskRow.table).set("state", to: TaskState.done).set("opinion", to: "申请人撤回")
                    .where("case_id", .equal, c.id).where("state", .notEqual, TaskState.done).run()
            }
            try await self.event(c, "withdraw", "申请人撤回申请", note: reason, actor: change.actor.auditName, at: now, on: tx)
        }
    }

    /// A visit to the hall (R3.8), e.g. to show originals (R7.4.2).
    func recordVisit(_ change: Change, reason: String) async throws -> CaseRow {
        let reason = reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else { throw AppError.invalid("reason", code: "visit.reason_required", "请写明到场事由") }
        let now = clock.now
        return try await self.changeCase(change, .recordVisit, audit: "case.visit") { c, tx, _ in
            try await self.visit(c, reason: reason, clerk: change.actor, at: now, on: tx)
            let visits = try await tx.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(CaseVisitRow.table)
                .where("case_id", .equal, c.id).first(decodingColumn: "n", as: Int.self) ?? 0
            try await self.event(c, "visit", "申请人到场：\(reason)", note: TripCount.note(visits: visits, promised: c.tripsPromised), actor: change.actor.auditName, at: now, on: tx)
        }
    }
}
