import Foundation
import Hummingbird
import OneVisitDomain

/// The views of the case pages; every link in them is built from `SitePath`.
extension CasePages {
    struct ApplyPage {
        struct Field { var name: String; var value: String; var prefilled: Bool; var index: Int }
        struct Material { var position: Int; var name: String; var importanceName: String; var upload: Bool; var source: String; var primary: Bool }
        struct Option { var value: String; var label: String; var selected: Bool }
        var layout: LayoutView
        var action: String
        var itemName: String
        var regionName: String
        var department: String
        var fields: [Field]
        var materials: [Material]
        var deliveries: [Option]
        var applicantName: String
        var applicantIDMasked: String
        var submissionKey: String
        var error: String?
        /// The fee condition and per-piece quantities to give (R8.6).
        var fee = FeeChoiceView([])
    }

    /// The form action of every step the page may show, and the links beside them.
    struct CaseLinks {
        var withdraw, resubmit, supply, pay, accept, notice, refuse, visit, deliver, suspend, resume, decide, extend, payWindow: String
        var result: String
        var claimCode: String?

        init(_ id: UUID, claimCodeApplicant: UUID?) {
            func step(_ step: SitePath.Cases.Step) -> String { SitePath.Cases.step(id, step).link }
            (withdraw, resubmit, supply, pay, accept, notice, refuse) = (step(.withdraw), step(.resubmit), step(.supply), step(.pay), step(.accept), step(.notice), step(.refuse))
            (visit, deliver, suspend, resume, decide, extend, payWindow) = (step(.visit), step(.deliver), step(.suspend), step(.resume), step(.decide), step(.extend), step(.payWindow))
            result = SitePath.Cases.result(id).link
            claimCode = claimCodeApplicant.map { SitePath.Accounts.claimCode($0).link }
        }
    }

    struct CasePage {
        var layout: LayoutView
        var detail: CaseDetail
        var links: CaseLinks
        var taskRows: [LinkedRow<CaseDetail.Task>]
        var isNew: Bool
        var error: String?
        var isApplicant: Bool
        var canWithdraw: Bool
        var canPay: Bool
        var canResubmit: Bool
        var canSupply: Bool
        var clerkActions: Bool
        var canAccept: Bool
        var canNotice: Bool
        var canClerkResubmit: Bool
        var canDeliver: Bool
        /// The chosen mode's form only: a result is delivered the way the applicant chose (R8.7).
        var deliverByPost: Bool
        var canPayWindow: Bool
        var reviewerActions: Bool
        var canDecide: Bool
        var canExtend: Bool
        /// The applicant's "下载结果": delivers a result chosen for download (POST).
        var canDownload: Bool
        var today: String
        /// A walk-in's account not yet claimed online: the clerk prints a claim code for it.
        var claimCodeApplicantID: String?
    }

    struct ListPage {
        var layout: LayoutView
        var cases: [LinkedRow<CaseSummary>]
        var title: String
        var deskNewLink = SitePath.Cases.deskNew.link

        init(layout: LayoutView, cases: [CaseSummary], title: String) {
            self.layout = layout
            self.cases = cases.map { LinkedRow($0, link: SitePath.Cases.detail($0.id)) }
            self.title = title
        }
    }

    struct WorkPage {
        struct Row { var link: String; var number: String; var itemName: String; var stepName: String; var isLead: Bool; var stateName: String; var clock: ClockView; var assignedToMe: Bool; var awaitingDecision: Bool }
        var layout: LayoutView
        var rows: [Row]
    }

    struct DocumentPage {
        var layout: LayoutView
        var document: CaseDocumentContent
        var caseLink: String
    }

    struct ProgressPage {
        struct Result { var itemName: String; var number: String; var stateName: String; var applicant: String; var events: [CaseDetail.Event] }
        var layout: LayoutView
        var action = SitePath.Cases.progress.link
        var number: String
        var result: Result?
        /// Not found or throttled, with its stable code; tied to both fields.
        var error: String?
        var errorCode: String?
        /// The fields are wrong (not found), not merely refused for now (throttled).
        var invalid: Bool
    }

    struct GatewayPage {
        var layout: LayoutView
        var orderNumber: String
        var amountText: String
        var itemName: String
        var confirmLink: String
        var caseLink: String
        /// The order's lines, its reduction and total (R8.6).
        var lines: [String] = []
    }

    struct WindowPage {
        var layout: LayoutView
        var action = SitePath.Cases.deskNew.link
        var guides: [GuideSummary]
        var selected: GuideView?
        var checklist: [ApplyPage.Material]
        var error: String?
    }

    /// The case page for whoever asks, with the steps `CasePolicy` allows them now (the step asks again).
    static func casePage(_ app: AppServices, _ context: some AppContext & PrincipalContext, id: UUID, isNew: Bool = false, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        let db = app.persistence.db
        let file = try await app.cases.visibleFile(id, to: principal, on: db)
        let c = file.c
        let detail = app.cases.detail(file, for: principal, calendar: try await app.cases.calendar(on: db))
        let may = try await app.cases.available(file, to: principal, on: db)
        let isApplicant = principal.role == .applicant
        // The clerk's section: a clerk who may see the case has the window's reach on it (both are the region's).
        let isClerk = CasePolicy.roles(for: .accept).contains(principal.role)
        let unclaimed = isClerk ? try await AccountRow.find(c.applicantID, on: db.sql).flatMap { AccountService.isClaimed($0) ? nil : $0.id } : nil
        let chosen = c.deliveryMode
        let page = CasePage(
            layout: context.layout("办件 \(c.number)"), detail: detail, links: CaseLinks(id, claimCodeApplicant: unclaimed),
            taskRows: detail.tasks.map { LinkedRow($0, links: ["completeLink": SitePath.Cases.taskStep(id, $0.id, .complete).link, "inspectionLink": SitePath.Cases.taskStep(id, $0.id, .inspection).link]) },
            isNew: isNew, error: error, isApplicant: isApplicant,
            canWithdraw: may.contains(.withdraw), canPay: may.contains(.payOnline),
            canResubmit: isApplicant && may.contains(.resubmit), canSupply: isApplicant && may.contains(.supply),
            clerkActions: isClerk, canAccept: may.contains(.accept), canNotice: may.contains(.issueNotice), canClerkResubmit: isClerk && may.contains(.resubmit),
            canDeliver: chosen != .download && may.contains(.deliver(chosen)), deliverByPost: chosen == .post, canPayWindow: may.contains(.payAtWindow),
            reviewerActions: may.contains(.review), canDecide: may.contains(.decide), canExtend: may.contains(.extend),
            canDownload: may.contains(.download) && c.resultSHA != nil,
            today: app.cases.today.description, claimCodeApplicantID: unclaimed?.uuidString)
        return try app.renderer.page("case", page, status: status)
    }
}
