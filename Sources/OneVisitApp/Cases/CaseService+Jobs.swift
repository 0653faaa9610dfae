import FluentKit
import SQLKit
import Foundation
import OneVisitDomain

extension CaseService {
    /// Who acts when the law changes a case by itself (no account, no session): a fixed id, so
    /// the jobs service draws nothing from the random source whose numbers tests pin.
    static let lawID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// Tolerated materials not supplied by their deadline stop the clock until they come (R6.5:
    /// "what happens when the deadline passes"); supplying them starts it again.
    public func applyToleranceDeadlines(address: String) async throws -> Int {
        let db = persistence.sql
        let day = today
        let system = Principal(accountID: Self.lawID, sessionID: Self.lawID, role: .staff(.departmentHead), displayName: "系统", loginName: "system", departmentID: nil, regionCode: nil)
        var count = 0
        let due = try await CaseRow.select(on: db).where("tolerance_deadline", .isNot, SQLLiteral.null).where("state", .in, CasePolicy.runningStates)
            .rows(CaseRow.self)
        for c in due {
            guard let deadline = c.toleranceDeadline, day > deadline, clock(for: c)?.isSuspended == false else { continue }
            do {
                _ = try await lawfulChange(Change(caseID: c.id, expectedVersion: c.version, actor: system, address: address), audit: "case.tolerance_overdue") { c, tx, _ in
                    var suspensions = Self.suspensions(c)
                    do throws(CaseError) { try SuspensionBook.open(&suspensions, from: deadline.nextDay, reason: SuspensionBook.overdueSupplement) } catch { throw Self.conflict(error) }
                    Self.setSuspensions(&c, suspensions)
                    try await self.event(c, "suspend", "容缺材料逾期未补交，暂停计时", note: "补齐后恢复计时", actor: "system", at: self.clock.now, on: tx)
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
        let waiting = try await CaseRow.select(on: db.sql).where("state", .equal, CasePolicy.awaitingAcceptance).rows(CaseRow.self)
        var count = 0
        for c in waiting where DeemedAcceptance.isDeemedAccepted(receivedOn: c.receivedOn, today: today, calendar: calendar) {
            let missing = try await db.sql.select().column("importance").from(CaseMaterialRow.table)
                .where("case_id", .equal, c.id).where("status", .equal, MaterialStatus.missing)
                .all(decodingColumn: "importance", as: MaterialRequirement.Importance.self)
            let onlySecondary = missing.allSatisfy { $0 == .secondary }
            guard missing.isEmpty || onlySecondary else { continue }
            // The law accepts the case, in its own region: the system acts as that region's window.
            let system = Principal(accountID: Self.lawID, sessionID: Self.lawID, role: .staff(.windowClerk), displayName: "系统", loginName: "system", departmentID: nil, regionCode: c.regionCode)
            do {
                _ = try await accept(Change(caseID: c.id, expectedVersion: c.version, actor: system, address: address), tolerance: !missing.isEmpty, deemed: true)
                count += 1
            } catch let error as AppError where error.status == .conflict {
                continue
            }
        }
        return count
    }
}
