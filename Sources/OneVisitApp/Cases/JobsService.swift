import Foundation
import Logging
import ServiceLifecycle

/// Runs the due-case scans (deemed acceptance, overdue tolerated materials) every
/// `interval` while the server runs. Each change carries its version check, so several
/// instances scanning at once change every case at most once.
struct JobsService: Service {
    let cases: CaseService
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let deemed = try await cases.applyDeemedAcceptance(address: "jobs")
                let overdue = try await cases.applyToleranceDeadlines(address: "jobs")
                if deemed + overdue > 0 { logger.info("jobs: \(deemed) deemed accepted, \(overdue) tolerance overdue") }
            } catch {
                logger.error("jobs failed: \(String(reflecting: error))")
            }
        }
    }
}
