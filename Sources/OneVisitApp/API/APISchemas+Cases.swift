import Foundation
import OneVisitAPI
import OneVisitDomain

// The case API's types (generated from `openapi.json`) made from the views the case pages
// show, field by field, so page and API say the same. Codes (states, statuses) go through
// `apiValue`: one the document does not list is a server error, never a silent default.

extension Components.Schemas.Clock {
    init(_ c: ClockView) throws {
        self.init(started: c.started, startText: c.startText, deadlineText: c.deadlineText, used: c.used, limit: c.limit,
                  status: try .apiValue(c.status), statusName: c.statusName, suspended: c.suspended, warning: c.warning, overdue: c.overdue,
                  dueDate: c.dueDate, calendarStatus: try c.calendarStatus.map { try .apiValue($0) })
    }
}

extension Components.Schemas.DueDate {
    /// One of the two clocks (issue 13 point 6) with its calendar status (R6.6).
    init(_ d: DueView) throws {
        self.init(limit: d.limit, date: d.date, dateText: d.dateText, calendarStatus: try d.calendarStatus.map { try .apiValue($0) },
                  calendarStatusName: d.calendarStatusName, provisional: d.provisional, note: d.note)
    }
}

extension Components.Schemas.CaseSummary {
    init(_ s: CaseSummary) throws {
        self.init(id: s.id.uuidString, number: s.number, itemName: s.itemName, state: try .apiValue(s.state), stateName: s.stateName,
                  channelName: s.channelName, receivedText: s.receivedText, applicantMasked: s.applicantMasked, version: s.version,
                  clock: try .init(s.clock))
    }
}

extension Components.Schemas.CaseMaterial {
    init(_ m: CaseDetail.Material) throws {
        self.init(id: m.id.uuidString, position: m.position, name: m.name, importanceName: m.importanceName, secondary: m.secondary,
                  status: try .apiValue(m.status), statusName: m.statusName, missing: m.missing, fileURL: m.fileURL, fileName: m.fileName,
                  source: m.source)
    }
}

extension Components.Schemas.CaseEvent {
    init(_ e: CaseDetail.Event) { self.init(timeText: e.timeText, title: e.title, note: e.note) }
}

extension Components.Schemas.CaseDocument {
    init(_ d: CaseDetail.Document) { self.init(id: d.id.uuidString, title: d.title, number: d.number, url: d.url) }
}

extension Components.Schemas.CaseTask {
    init(_ t: CaseDetail.Task) throws {
        self.init(id: t.id.uuidString, departmentName: t.departmentName, stepName: t.stepName, isLead: t.isLead, state: try .apiValue(t.state),
                  stateName: t.stateName, opinion: t.opinion, note: t.note, done: t.done, mine: t.mine, version: t.version)
    }
}

extension Components.Schemas.CasePayment {
    init(_ p: CaseDetail.Payment) { self.init(orderNumber: p.orderNumber, amountText: p.amountText, paid: p.paid, lines: p.lines) }
}

extension Components.Schemas.CaseDetail {
    init(_ d: CaseDetail) throws {
        self.init(
            summary: try .init(d.summary), applicantName: d.applicantName, applicantIDMasked: d.applicantIDMasked,
            applicantPhoneMasked: d.applicantPhoneMasked, acceptanceNumber: d.acceptanceNumber,
            materials: try d.materials.map(Components.Schemas.CaseMaterial.init), events: d.events.map(Components.Schemas.CaseEvent.init),
            documents: d.documents.map(Components.Schemas.CaseDocument.init), tasks: try d.tasks.map(Components.Schemas.CaseTask.init),
            visits: d.visits, trips: d.trips, tripsPromised: d.tripsPromised, tripsOver: d.tripsOver,
            payment: d.payment.map(Components.Schemas.CasePayment.init), resultURL: d.resultURL, deliveryName: d.deliveryName,
            deliveryDetail: d.deliveryDetail, toleranceDeadlineText: d.toleranceDeadlineText,
            formData: .init(additionalProperties: d.formData), nextStep: d.nextStep,
            promisedDue: try d.promisedDue.map(Components.Schemas.DueDate.init), legalDue: try d.legalDue.map(Components.Schemas.DueDate.init))
    }
}

extension Components.Schemas.Progress {
    /// The public progress query's answer: the applicant's name masked, no other personal data (R7.5).
    init(_ p: CaseService.PublicProgress) throws {
        self.init(number: p.number, itemName: p.itemName, state: try .apiValue(p.state.rawValue), stateName: p.state.chineseName,
                  applicant: Masking.name(p.applicantName),
                  steps: p.steps.map { .init(timeText: CaseService.dateText($0.at), title: $0.title, note: "") })
    }
}

extension CaseService.NoticeItem {
    /// A line of a one-time notice as the API sends it; a missing part is empty, which the notice refuses.
    init(_ item: Components.Schemas.CaseStep.itemsPayloadPayload) {
        self.init(material: item.material ?? "", instruction: item.instruction ?? "")
    }
}
