import Foundation
import Logging
import OneVisitDomain
import ServiceLifecycle

/// Runs the due-case scans (deemed acceptance, overdue tolerated materials) and the
/// housekeeping (orphaned uploads, expired throttle and idempotency rows) every `interval` while the server
/// runs. Each case change carries its version check, so several instances scanning at once
/// change every case at most once; the housekeeping deletes only what nothing refers to.
struct JobsService: Service {
    let services: AppServices
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            await runOnce()
        }
    }

    /// One round; each part on its own, so one failing does not stop the others.
    func runOnce() async {
        do {
            // One plan for both scans (CaseService.dueScanPlan), as `onevisit jobs --dry-run` shows it.
            let report = try await services.cases.runDueScans(address: "jobs")
            let deemed = report.applied.count(where: { $0.scan == .deemedAcceptance })
            let overdue = report.applied.count(where: { $0.scan == .toleranceDeadlines })
            if deemed + overdue > 0 { logger.info("jobs: \(deemed) deemed accepted, \(overdue) tolerance overdue") }
            if !report.refused.isEmpty { logger.error("jobs: \(report.refused.count) changes refused by the case rules") }
        } catch {
            logger.error("jobs failed: \(String(reflecting: error))")
        }
        do {
            try await services.housekeeping()
        } catch {
            logger.error("housekeeping failed: \(String(reflecting: error))")
        }
    }
}

extension AppServices {
    /// Uploads that no row refers to (a step refused after its upload was written, a crash
    /// between the file and its transaction) are deleted an hour after they were written,
    /// so a step still running is never robbed of its file; throttle rows past their window
    /// and idempotency records past their 24 hours are dropped.
    public func housekeeping() async throws {
        let orphans = try await collectGarbage(olderThan: 3600)
        if orphans > 0 { Logger(label: "onevisit.jobs").info("housekeeping: \(orphans) orphaned uploads deleted") }
        try await accounts.pruneLoginThrottle(olderThan: clock.now.addingTimeInterval(-24 * 3600))
        _ = try await persistence.pruneIdempotencyRecords(olderThan: clock.now.addingTimeInterval(-Persistence.idempotencyRetention))
        try await cases.pruneProgressAttempts(olderThan: clock.now.addingTimeInterval(-ProgressThrottle.standard.window))
    }
}
