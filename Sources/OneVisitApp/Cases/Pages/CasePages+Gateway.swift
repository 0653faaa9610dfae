import Foundation
import Hummingbird
import OneVisitDomain
import SQLKit

/// The simulated payment gateway, routed only in demo mode (ONEVISIT_DEMO=true): it stands
/// in for the province's unified payment platform and only signs callbacks (R8.6).
extension CasePages {
    static func addSimulatedGateway(to router: Router<AppRequestContext>, app: AppServices) {
        let payer = router.group(context: RoleContext<CaseSteps.PayOnline>.self)
        payer.get(SitePath.route(SitePath.Cases.gateway)) { try await gatewayPage(app, $0, $1) }
        payer.post(SitePath.route(SitePath.Cases.gatewayConfirm)) { try await gatewayConfirm(app, $0, $1) }
    }

    /// The applicant's own order, or 404 for anyone else's.
    static func ownOrder(_ app: AppServices, _ context: RoleContext<CaseSteps.PayOnline>) async throws -> (PaymentRow, CaseRow) {
        let sql = app.persistence.sql
        guard let order = context.parameters.get("order"),
              let payment = try await PaymentRow.select(on: sql).where("order_number", .equal, order).limit(1).row(PaymentRow.self),
              let c = try await CaseRow.find(payment.caseID, on: sql), c.applicantID == context.principal.accountID
        else { throw AppError(.notFound, code: "payment.not_found", title: "支付单不存在") }
        return (payment, c)
    }

    static func gatewayPage(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.PayOnline>) async throws -> Response {
        let (payment, c) = try await ownOrder(app, context)
        let page = GatewayPage(
            layout: context.layout("统一支付平台（模拟）"), orderNumber: payment.orderNumber, amountText: FeeAmount.text(fen: payment.amountFen), itemName: c.itemName,
            confirmLink: SitePath.Cases.gatewayConfirm(payment.orderNumber).link, caseLink: SitePath.Cases.detail(c.id).link,
            lines: FeeCharge.orderItems(c.feeCharge, totalFen: payment.amountFen))
        return try app.renderer.page("gateway", page)
    }

    static func gatewayConfirm(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.PayOnline>) async throws -> Response {
        _ = try await WebForm.read(request, context: context)
        let (payment, c) = try await ownOrder(app, context)
        guard let gateway = app.cases.gateway else { throw AppError(.forbidden, code: "payment.gateway_not_configured", title: "未配置支付平台，支付回调不予受理") }
        let transaction = "SIM" + app.cases.random.uuid().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)
        let signature = gateway.sign(orderNumber: payment.orderNumber, amountFen: payment.amountFen, transactionID: transaction)
        _ = try await app.cases.paymentCallback(orderNumber: payment.orderNumber, amountFen: payment.amountFen, transactionID: transaction, signature: signature, address: context.remoteAddress)
        return Response.redirect(to: SitePath.Cases.detail(c.id))
    }

    /// The case's order still to be paid, if any.
    static func openOrder(_ app: AppServices, caseID: UUID) async throws -> String? {
        try await app.persistence.sql.select().column("order_number").from(PaymentRow.table)
            .where("case_id", .equal, caseID).where("state", .equal, PaymentState.pending).limit(1)
            .first(decodingColumn: "order_number", as: String.self)
    }
}
