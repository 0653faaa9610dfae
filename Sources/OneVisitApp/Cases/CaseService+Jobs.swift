import FluentKit
import Logging
import SQLKit
import Foundation
import OneVisitDomain

extension CaseService {
    /// Who acts when the law changes a case by itself (no account, no session): a fixed id, so
    /// the jobs service draws nothing from the random source whose numbers tests pin.
    static let lawID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// What the scans changed in a real run: the changes made, and those the case's rules
    /// refused (each with the refusal's code); a case someone else changed meanwhile is in neither.
    public struct DueScanReport: Sendable {
        public struct Refusal: Sendable {
            public var change: DueScans.Change
            public var code: String
        }
        public var applied: [DueScans.Change] = []
        public var refused: [Refusal] = []
    }

    /// Today in China, the day the real run works on (`onevisit jobs` compares `--as-of` with it).
    public var currentDay: CalendarDate { today }

    /// What the law's scans would change on `day`, read only: the dry run prints it, the real
    /// run applies it (`runDueScans`), so the two cannot disagree. Candidates are read in a few
    /// statements (no statement per case); the decision is `DueScans.plan`'s.
    public func dueScanPlan(asOf day: CalendarDate) async throws -> DueScans.Plan {
        let db = persistence.db
        let calendar = try await self.calendar(on: db)
        // Received cases past their fifth working day (DueScans decides again on the full facts).
        let waitingRows = try await CaseRow.select(on: db.sql).where("state", .equal, CasePolicy.awaitingAcceptance).rows(CaseRow.self)
            .filter { DeemedAcceptance.isDeemedAccepted(receivedOn: $0.receivedOn, today: day, calendar: calendar) }
        var missing: [UUID: [DueScans.MissingMaterial]] = [:]
        var noticed: Set<UUID> = []
        for chunk in stride(from: 0, to: waitingRows.count, by: 500).map({ Array(waitingRows[$0..<min($0 + 500, waitingRows.count)]) }) {
            let ids = chunk.map(\.id)
            struct Missing: Decodable {
                var caseID: UUID, name: String, importance: MaterialRequirement.Importance
                enum CodingKeys: String, CodingKey { case caseID = "case_id", name, importance }
            }
            let rows = try await db.sql.select().columns("case_id", "name", "importance").from(CaseMaterialRow.table)
                .where("case_id", .in, ids).where("status", .equal, MaterialStatus.missing).orderBy("position")
                .all(decoding: Missing.self)
            for row in rows { missing[row.caseID, default: []].append(.init(name: row.name, importance: row.importance)) }
            let notices = try await db.sql.select().column("case_id").from(CaseDocumentRow.table)
                .where("case_id", .in, ids).where("kind", .equal, CaseDocumentKind.oneTimeNotice)
                .all(decodingColumn: "case_id", as: UUID.self)
            noticed.formUnion(notices)
        }
        let waiting = waitingRows.map {
            DueScans.Waiting(id: $0.id, number: $0.number, regionCode: $0.regionCode, version: $0.version, receivedOn: $0.receivedOn,
                             noticeGiven: noticed.contains($0.id), missing: missing[$0.id] ?? [])
        }
        let tolerated = try await CaseRow.select(on: db.sql).where("tolerance_deadline", .isNot, SQLLiteral.null)
            .where("state", .in, CasePolicy.runningStates).rows(CaseRow.self)
            .compactMap { c in
                c.toleranceDeadline.map {
                    DueScans.Tolerated(id: c.id, number: c.number, regionCode: c.regionCode, version: c.version, deadline: $0,
                                       clockSuspended: self.clock(for: c)?.isSuspended ?? true)
                }
            }
        return DueScans.plan(asOf: day, waiting: waiting, tolerated: tolerated, calendar: calendar)
    }

    /// Every scan (or only `scan`), for real, today: the plan of `dueScanPlan(asOf: today)`, each
    /// change in its own transaction, made only if the case still has the version the plan read.
    public func runDueScans(address: String, only scan: DueScans.Scan? = nil) async throws -> DueScanReport {
        let plan = try await dueScanPlan(asOf: today)
        var report = DueScanReport()
        for change in plan.all where scan == nil || change.scan == scan {
            do {
                switch change.scan {
                case .deemedAcceptance: try await applyDeemedAcceptance(change, address: address)
                case .toleranceDeadlines: try await applyToleranceDeadline(change, address: address)
                }
                report.applied.append(change)
            } catch let error as AppError where error.code == "case.stale" {
                continue  // someone acted on the case since the plan was read: the next round sees it anew
            } catch let error as AppError {
                // The case's rules refused the law's change: said, never silently skipped, and the
                // other cases still go ahead.
                Logger(label: "onevisit.jobs").error("jobs: \(change.scan.rawValue) of \(change.caseNumber) refused: \(error.code)")
                report.refused.append(.init(change: change, code: error.code))
            }
        }
        return report
    }

    /// Deemed acceptance for every case left without a notice past the fifth working day
    /// (行政许可法第三十二条第一款第（四）项), main materials missing or not. Run only by the jobs
    /// service (`JobsService`) and `onevisit jobs`: no page or GET changes data.
    public func applyDeemedAcceptance(address: String) async throws -> Int {
        try await runDueScans(address: address, only: .deemedAcceptance).applied.count
    }

    /// Tolerated materials not supplied by their deadline stop the clock until they come (R6.5:
    /// "what happens when the deadline passes"); supplying them starts it again.
    public func applyToleranceDeadlines(address: String) async throws -> Int {
        try await runDueScans(address: address, only: .toleranceDeadlines).applied.count
    }

    /// The law accepts the case from receipt, in its own region: the system acts as that
    /// region's window. Whatever is missing (main materials included) is named on the slip
    /// with a deadline to supply it — the tolerance mechanism of R6.5, five working days as at
    /// the window — so the case keeps them recorded as missing, approval waits for them, and
    /// the tolerance scan stops the clock if they do not come (see `DueScans.deemedAcceptance`).
    private func applyDeemedAcceptance(_ planned: DueScans.Change, address: String) async throws {
        let system = Principal(accountID: Self.lawID, sessionID: Self.lawID, role: .staff(.windowClerk), displayName: "系统", loginName: "system",
                               departmentID: nil, regionCode: planned.region)
        let change = Change(caseID: planned.caseID, expectedVersion: planned.version, actor: system, address: address)
        _ = try await accept(change, tolerance: !(planned.materialsToSupply ?? []).isEmpty, deemed: true)
    }

    /// Stops the clock from the day after the passed deadline, with an event.
    private func applyToleranceDeadline(_ planned: DueScans.Change, address: String) async throws {
        guard let from = planned.suspendFrom else { return }
        let system = Principal(accountID: Self.lawID, sessionID: Self.lawID, role: .staff(.departmentHead), displayName: "系统", loginName: "system",
                               departmentID: nil, regionCode: nil)
        let change = Change(caseID: planned.caseID, expectedVersion: planned.version, actor: system, address: address)
        _ = try await lawfulChange(change, audit: "case.tolerance_overdue") { c, tx, _ in
            var suspensions = Self.suspensions(c)
            do throws(CaseError) { try SuspensionBook.open(&suspensions, from: from, reason: SuspensionBook.overdueSupplement) } catch { throw Self.conflict(error) }
            Self.setSuspensions(&c, suspensions)
            try await self.event(c, "suspend", "容缺材料逾期未补交，暂停计时", note: "补齐后恢复计时", actor: "system", at: self.clock.now, on: tx)
        }
    }
}

extension DueScans.Plan {
    /// The plan as `onevisit jobs --dry-run` prints it: one JSON object, keys sorted, Chinese as is.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
