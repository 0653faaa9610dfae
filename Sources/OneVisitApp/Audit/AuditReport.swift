import Foundation

/// What `onevisit audit-verify` prints: how many records were checked and the first break.
public struct AuditReport: Sendable {
    public var checked: Int
    public var firstBreak: String?

    public static func run(on services: AppServices) async throws -> AuditReport {
        let (checked, problem) = try await AuditLog.verify(on: services.persistence.db)
        return AuditReport(checked: checked, firstBreak: problem?.description)
    }
}
