import Foundation
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// R8.3, R6.7: acceptance gives a task to every reviewing department of the case's region,
/// found by the guide's department key (`departments.short_name`), not by the end of the
/// organ's name — real organs are named 河南省住房和城乡建设厅 and 中牟县自然资源局 (R8.5.5),
/// which do not end in the keys 住房和城乡建设局 and 自然资源和规划局.
@Suite("Task routing by department key")
struct TaskRoutingTests {
    /// Submits `code` in `region` as 张三 and accepts it at that region's window; the tasks' departments.
    static func acceptedTasks(_ app: TestApp, code: String, region: String) async throws -> [String: Bool] {
        let implementation = try await CaseFlowTests.implementation(app, code: code, region: region)
        let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
        let response = try await CaseFlowTests.submit(app, token: try await app.token("13800000001"), implementation: implementation, files: required)
        #expect(response.status == .created, "\(response.text.prefix(300))")
        let id = try CaseFlowTests.detail(response).summary.id
        let clerk = Principal(accountID: UUID(), sessionID: UUID(), role: .staff(.windowClerk), displayName: "受理员", loginName: "clerk.test",
                              departmentID: nil, regionCode: region)
        _ = try await app.services.cases.accept(.init(caseID: id, expectedVersion: nil, actor: clerk, address: "test"), tolerance: false)
        let tasks = try await app.rows(CaseTaskRow.self, where: ["case_id": id])
        return Dictionary(uniqueKeysWithValues: tasks.map { ($0.departmentName, $0.isLead) })
    }

    @Test func provincialItem_goesToTheProvincialDepartment_namedWith厅() async throws {
        try await TestApp.run(seed: .full) { app in
            let tasks = try await Self.acceptedTasks(app, code: "XK00221000", region: "410000")
            #expect(tasks["河南省住房和城乡建设厅"] == true, "\(tasks)")
        }
    }

    @Test func countyItem_givesTheLeadDepartmentItsTask_beside_theTaxBureau() async throws {
        try await TestApp.run(seed: .full) { app in
            let tasks = try await Self.acceptedTasks(app, code: "QR00811001", region: "410122")
            #expect(tasks["中牟县自然资源局"] == true, "\(tasks)")
            #expect(tasks["国家税务总局中牟县税务局"] == false, "\(tasks)")
            #expect(tasks.count == 2)
        }
    }
}
