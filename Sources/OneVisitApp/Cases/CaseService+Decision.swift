import FluentKit
import SQLKit
import Foundation
import OneVisitDomain

extension CaseService {
    /// The head of the lead department decides (R8.5): approve → decision and result
    /// document (R8.5.3); reject → reasons and rights (R8.5.5); report up (R8.5.4).
    func decide(_ change: Change, decision: CaseDecision, reason: String) async throws -> CaseRow {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if decision != .approve, reason.count < 4 { throw AppError.invalid("reason", code: "decision.reason_required", "作出不予决定或上报的，请写明理由") }
        let now = clock.now
        let day = today
        return try await self.changeCase(change, .decide, decision.action, audit: "case.\(decision.rawValue)") { c, tx, step in
            let definition = step.definition
            switch decision {
            case .approve:
                let issuer = try await Self.departmentName(c, on: tx)
                try await self.issueResult(&c, definition: definition, issuer: issuer, approver: change.actor, at: now, on: tx)
                var events = [self.eventRow(c, "approve", "准予", note: reason, actor: change.actor.auditName, at: now)]
                if definition.attributes.process.publiciseResult {
                    events.append(self.eventRow(c, "publicise", "办理结果已依法公示", actor: "system", at: now))
                    // R8.5.6: entered in the public register in the approval's transaction.
                    if let entry = try await PublicityRow.of(c, at: now, organ: issuer, on: tx) { try await entry.insert(on: tx.sql) }
                }
                try await CaseEventRow.insert(events, on: tx.sql)
            case .reject:
                let number = try await Self.documentNumber(.decision, c, on: day, on: tx)
                let department = try await DepartmentModel.find(c.departmentID, on: tx)
                let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName,
                                                issuer: department?.name ?? "", dateText: Self.dateText(now))
                // Served on the decision's date: handed over at the window or delivered online that day (R8.5.5).
                let itemType = definition.attributes.itemType
                let rights = try await Self.rights(c, department: department, document: DecisionWording.of(itemType).rejectionDocument,
                                                   servedOn: day, calendar: step.calendar, on: tx)
                let content = CaseNotices.rejection(header, itemType: itemType, number: number.description, acceptanceNumber: c.acceptanceNumber ?? "",
                                                    reason: reason, rights: rights)
                try await self.document(c, kind: .decision, content: content, at: now, on: tx)
                try await self.event(c, "reject", DecisionWording.of(itemType).rejection, note: reason, actor: change.actor.auditName, at: now, on: tx)
            case .reportUp:
                try await self.event(c, "reportUp", "已报上级机关决定", note: reason, actor: change.actor.auditName, at: now, on: tx)
            }
        }
    }

    /// The approval decision, the result document as PDF, and the payment order when fees are
    /// due; `issuer`: the name of the case's department, which the caller has read.
    func issueResult(_ c: inout CaseRow, definition: ItemDefinition, issuer department: String, approver: Principal, at now: Date, on tx: any Database) async throws {
        let day = CalendarDate(date: now, timeZone: Self.chinaTime)
        let number = try await Self.documentNumber(.decision, c, on: day, on: tx).description
        let header = CaseDocumentHeader(itemName: c.itemName, caseNumber: c.number, applicantName: c.applicantName, issuer: department, dateText: Self.dateText(now),
                                        itemType: definition.attributes.itemType)
        let content = CaseNotices.approval(header, number: number, acceptanceNumber: c.acceptanceNumber ?? "", decidedOn: day, feeFen: c.feeFen,
                                            deliveryName: c.deliveryMode.chineseName, fees: c.feeCharge)
        try await self.document(c, kind: .decision, content: content, at: now, on: tx)
        let pdf = documents.resultPDF(
            title: c.itemName.count > 14 ? "办理结果" : c.itemName,
            lines: ["编号：\(number)", "事项：\(c.itemName)", "申请人：\(c.applicantName)", "办件编号：\(c.number)", "决定：准予", "发证机关：\(department)",
                    "发证日期：\(Self.dayText(day))", "", "本文件为电子办理结果，与纸质文件具有同等法律效力。"],
            footer: "河南政务服务网 · 办件编号 \(c.number)")
        c.resultSHA = try blobs.write(pdf)
        try await StoredFileModel.record(sha256: c.resultSHA!, mediaType: "application/pdf", size: pdf.count, at: now, on: tx)
        // R8.6: the order is for the charge's total; its lines are the case's (`feeDetail`), which
        // the payment page and the decision list. A full waiver (减免) leaves nothing to pay.
        if c.feeFen > 0 {
            let id = random.uuid()
            // Not derivable from the case number: a callback cannot be aimed at a case by guessing.
            var generator = random.generator
            let payment = PaymentRow(id: id, caseID: c.id, orderNumber: PaymentOrder.newNumber(using: &generator), amountFen: c.feeFen, state: .pending,
                                     channel: nil, transactionID: nil, paidAt: nil)
            try await payment.insert(on: tx.sql)
        }
    }

    /// 延期 with the head's approval and a reason told to the applicant (行政许可法第四十二条: up to 10 days).
    func extend(_ change: Change, days: Int, reason: String) async throws -> CaseRow {
        guard (1...10).contains(days) else { throw AppError.invalid("days", code: "extension.days", "延长期限为 1–10 个工作日") }
        let reason = reason.trimmingCharacters(in: .whitespaces)
        guard reason.count >= 4 else { throw AppError.invalid("reason", code: "extension.reason_required", "请写明延期理由，理由将告知申请人") }
        let now = clock.now
        return try await self.changeCase(change, .extend, audit: "case.extend") { c, tx, _ in
            guard c.extensionDays + days <= CasePolicy.maxExtensionDays else { throw AppError(.conflict, code: "extension.exceeded", title: "延期合计不能超过 10 个工作日") }
            c.extensionDays += days
            try await self.event(c, "extend", "经负责人批准延长 \(days) 个工作日", note: reason, actor: change.actor.auditName, at: now, on: tx)
        }
    }

    // MARK: payment (R8.6)

    /// The gateway's callback, signed with HMAC; a duplicate changes nothing. Without a
    /// configured gateway secret every callback is refused.
    func paymentCallback(orderNumber: String, amountFen: Int, transactionID: String, signature: String, address: String) async throws -> Bool {
        guard let gateway else {
            throw AppError(.forbidden, code: "payment.gateway_not_configured", title: "未配置支付平台，支付回调不予受理")
        }
        guard gateway.verify(orderNumber: orderNumber, amountFen: amountFen, transactionID: transactionID, signature: signature) else {
            throw AppError(.unauthorized, code: "payment.signature", title: "支付回调签名无效")
        }
        let now = clock.now
        return try await persistence.transaction { tx in
            guard let payment = try await PaymentRow.select(on: tx.sql).where("order_number", .equal, orderNumber).limit(1).row(PaymentRow.self) else {
                throw AppError(.notFound, code: "payment.not_found", title: "支付单不存在")
            }
            guard payment.amountFen == amountFen else { throw AppError.invalid("amountFen", code: "payment.amount", "支付金额与支付单不符") }
            if payment.state == .paid { return false }
            try await tx.sql.update(PaymentRow.table)
                .set("state", to: PaymentState.paid).set("channel", to: PaymentChannel.online).set("transaction_id", to: transactionID).set("paid_at", to: now)
                .where("id", .equal, payment.id).run()
            // The event records the case's state as it is: only that column is read.
            if let state = try await tx.sql.select().column("state").from(CaseRow.table).where("id", .equal, payment.caseID)
                .first(decodingColumn: "state", as: CaseState.self) {
                try await CaseEventRow(id: self.random.uuid(), caseID: payment.caseID, at: now, actor: "gateway", action: "pay",
                                       title: "已在线缴费 \(FeeAmount.text(fen: amountFen))", note: "交易号 \(transactionID)", stateAfter: state).insert(on: tx.sql)
            }
            try await AuditLog.append(.init(actor: "gateway", action: "payment.paid", objectType: "payment", objectID: orderNumber, address: address, detail: transactionID), at: now, on: tx)
            return true
        }
    }

    /// Payment at the window.
    func payAtWindow(_ change: Change) async throws -> CaseRow {
        let now = clock.now
        return try await self.changeCase(change, .payAtWindow, audit: "payment.window") { c, tx, _ in
            guard let payment = try await PaymentRow.select(on: tx.sql).where("case_id", .equal, c.id).where("state", .equal, PaymentState.pending)
                .limit(1).row(PaymentRow.self)
            else {
                throw AppError(.conflict, code: "payment.none_due", title: "该办件没有待缴费用")
            }
            try await tx.sql.update(PaymentRow.table)
                .set("state", to: PaymentState.paid).set("channel", to: PaymentChannel.window).set("paid_at", to: now)
                .where("id", .equal, payment.id).run()
            try await self.event(c, "pay", "已在窗口缴费 \(FeeAmount.text(fen: payment.amountFen))", actor: change.actor.auditName, at: now, on: tx)
        }
    }

    // MARK: delivery (R8.7, R7.4.1 a)

    struct Delivery: Sendable {
        var mode: ServiceTerms.Delivery
        var collectorIDLast4: String = ""
        var carrier: String = ""
        var trackingNumber: String = ""
    }

    func deliver(_ change: Change, _ delivery: Delivery) async throws -> CaseRow {
        let now = clock.now
        return try await self.changeCase(change, .deliver(delivery.mode), audit: "case.deliver") { c, tx, _ in
            switch delivery.mode {
            case .pickup:
                guard HolderCheck.matchesIDNumber(delivery.collectorIDLast4, idNumber: c.applicantIDNumber) else {
                    throw AppError.invalid("collectorIDLast4", code: "delivery.identity", "领取人身份核验未通过：证件号码后四位不符")
                }
                try await self.visit(c, reason: "窗口领取办理结果", clerk: change.actor, at: now, on: tx)
                try await self.event(c, "deliver", "已在窗口领取办理结果", note: "领取人身份已核验", actor: change.actor.auditName, at: now, on: tx)
            case .post:
                guard !delivery.carrier.isEmpty, delivery.trackingNumber.count >= 6 else {
                    throw AppError.invalid("trackingNumber", code: "delivery.tracking", "请填写快递公司和运单号")
                }
                c.deliveryDetail = "\(c.deliveryDetail ?? "") \(delivery.carrier) \(delivery.trackingNumber)"
                try await self.event(c, "deliver", "办理结果已邮寄", note: "\(delivery.carrier) 运单号 \(delivery.trackingNumber)", actor: change.actor.auditName, at: now, on: tx)
            case .download:
                try await self.event(c, "deliver", "申请人已下载办理结果", actor: change.actor.auditName, at: now, on: tx)
            }
        }
    }

    /// 网上下载 (R8.7, R7.4.1 a): the applicant's download of the result delivers it, the
    /// first time (a POST); later downloads serve the file without a change. The result's
    /// bytes and the case as delivered.
    func downloadResult(_ change: Change) async throws -> (CaseRow, Data) {
        let db = persistence.db
        guard let c = try await CaseRow.find(change.caseID, on: db.sql) else { throw Self.caseNotFound }
        try await Self.authorize(.download, change.actor, c, on: db)
        let delivered: CaseRow
        if c.state == CasePolicy.deliveredState {
            delivered = c
        } else {
            delivered = try await deliver(change, .init(mode: .download))
        }
        guard let sha = delivered.resultSHA, let data = try blobs.read(sha) else { throw AppError(.notFound, code: "result.not_ready", title: "办理结果尚未生成") }
        return (delivered, data)
    }

    /// The result file of a case whose result has been delivered (GET: no change).
    func deliveredResult(_ c: CaseRow) throws -> Data {
        guard c.state == CasePolicy.deliveredState else {
            throw AppError(.conflict, code: "result.not_delivered", title: "办理结果尚未送达：选择网上下载的，请在办件页点击“下载结果”；选择窗口领取或邮寄的，以送达的结果为准")
        }
        guard let sha = c.resultSHA, let data = try blobs.read(sha) else { throw AppError(.notFound, code: "result.not_ready", title: "办理结果尚未生成") }
        return data
    }
}
