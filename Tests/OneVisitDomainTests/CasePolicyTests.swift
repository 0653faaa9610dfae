import Foundation
import OneVisitDomain
import Testing

@Suite("Case policy")
struct CasePolicyTests {
    let owner = UUID(), lead = UUID(), other = UUID(), taskDept = UUID()
    var scope: CaseScope { CaseScope(regionCode: "410102", applicantID: owner, leadDepartmentID: lead, taskDepartmentIDs: [lead, taskDept]) }

    func actor(_ role: Role, region: String? = nil, department: UUID? = nil, id: UUID = UUID()) -> CaseActor {
        CaseActor(role: role, accountID: id, regionCode: region, departmentID: department)
    }

    @Test func regionReach_coversTheRegionAndBelow_only() {
        let clerk = Role.staff(.windowClerk)
        #expect(CasePolicy.allows(.payAtWindow, by: actor(clerk, region: "410102"), on: scope))
        #expect(CasePolicy.allows(.payAtWindow, by: actor(clerk, region: "410100"), on: scope))
        #expect(CasePolicy.allows(.payAtWindow, by: actor(clerk, region: "410000"), on: scope))
        // another city, another county of the same city, another province, no region at all
        for region in ["410200", "410103", "420000", nil] as [String?] {
            #expect(throws: CaseAccessDenial.otherRegion) { try CasePolicy.check(.deliverPost, by: actor(clerk, region: region), on: scope) }
        }
    }

    @Test func everyStaffStep_refusesRolesOutsideItsRule() {
        for operation in CaseOperation.allCases {
            let allowed = CasePolicy.roles(for: operation)
            #expect(!allowed.isEmpty)
            for role in StaffRole.allCases.map(Role.staff) where !allowed.contains(role) {
                // even with the right region and department
                #expect(throws: CaseAccessDenial.role) { try CasePolicy.check(operation, by: actor(role, region: "410000", department: lead), on: scope) }
            }
        }
        // no admin, auditor or catalog admin may touch a case at all
        for role in [StaffRole.systemAdmin, .auditor, .catalogAdmin] {
            #expect(CaseOperation.allCases.allSatisfy { !CasePolicy.roles(for: $0).contains(.staff(role)) })
        }
    }

    @Test func applicants_reachOnlyTheirOwnCases_andOthersLearnNothing() {
        #expect(CasePolicy.allows(.withdraw, by: actor(.applicant, id: owner), on: scope))
        #expect(throws: CaseAccessDenial.notOwner) { try CasePolicy.check(.view, by: actor(.applicant), on: scope) }
        // a staff-only step asked by an applicant is also "no such case"
        #expect(throws: CaseAccessDenial.notOwner) { try CasePolicy.check(.payAtWindow, by: actor(.applicant, id: owner), on: scope) }
        #expect(CaseAccessDenial.notOwner.hidesCase)
    }

    @Test func departments_reachTheirTasks_andOnlyTheLeadHeadDecides() {
        let reviewer = Role.staff(.departmentReviewer), head = Role.staff(.departmentHead)
        #expect(CasePolicy.allows(.review, by: actor(reviewer, department: taskDept), on: scope))
        #expect(throws: CaseAccessDenial.otherDepartment) { try CasePolicy.check(.review, by: actor(reviewer, department: other), on: scope) }
        #expect(CasePolicy.allows(.decide, by: actor(head, department: lead), on: scope))
        #expect(throws: CaseAccessDenial.notLeadDepartment) { try CasePolicy.check(.decide, by: actor(head, department: taskDept), on: scope) }
        #expect(throws: CaseAccessDenial.notLeadDepartment) { try CasePolicy.check(.extend, by: actor(head, department: nil), on: scope) }
    }

    @Test func deliverySteps_followTheMode() {
        #expect(CaseOperation.deliver(.pickup) == .deliverPickup)
        #expect(CaseOperation.deliver(.post) == .deliverPost)
        #expect(CaseOperation.deliver(.download) == .download)
        #expect(CasePolicy.roles(for: .download) == [.applicant])
    }

    @Test func paymentOrderNumbers_areRandomAndUnrelated() {
        var generator = SystemRandomNumberGenerator()
        let numbers = Set((0..<1000).map { _ in PaymentOrder.newNumber(using: &generator) })
        #expect(numbers.count == 1000)
        #expect(numbers.allSatisfy { $0.count == 23 && $0.hasPrefix("PAY") && $0.dropFirst(3).allSatisfy(CaseNumber.alphabet.contains) })
    }

    /// The case page shows the window's section to a clerk who may see the case: that holds
    /// only while the clerk's reach to view is the reach to accept.
    @Test func clerkWhoMaySeeACase_hasTheWindowsReachOnIt() {
        let clerk = Role.staff(.windowClerk)
        #expect(CasePolicy.rule(for: .view)[clerk] == CasePolicy.rule(for: .accept)[clerk])
        #expect(CasePolicy.rule(for: .view)[clerk] == .region)
    }
}
