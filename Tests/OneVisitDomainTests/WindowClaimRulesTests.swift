import Foundation
import OneVisitDomain
import Testing

/// R8.2.5: what a clerk records at the window, and what a claim must match.
@Suite("Window claim rules")
struct WindowClaimRulesTests {
    static let today = Date(timeIntervalSince1970: 1_780_000_000)

    @Test func claim_needsTheCode_theName_andTheSamePhone() {
        #expect(ClaimCode.claimantMatches(codeMatches: true, name: "王五", recordedName: "王五", phone: "13712345678", recordedPhone: "13712345678"))
        #expect(!ClaimCode.claimantMatches(codeMatches: false, name: "王五", recordedName: "王五", phone: "13712345678", recordedPhone: "13712345678"))
        #expect(!ClaimCode.claimantMatches(codeMatches: true, name: "赵六", recordedName: "王五", phone: "13712345678", recordedPhone: "13712345678"))
        #expect(!ClaimCode.claimantMatches(codeMatches: true, name: "王五", recordedName: "王五", phone: "13911112222", recordedPhone: "13712345678"))
        #expect(!ClaimCode.claimantMatches(codeMatches: true, name: "王五", recordedName: "王五", phone: "13712345678", recordedPhone: nil))
    }

    @Test func judge_acceptsOnce_countsFiveWrongTries_andRefusesAfterExpiry() {
        let now = Self.today
        let valid = now.addingTimeInterval(60)
        #expect(ClaimCode.judge(matches: true, failures: 4, expiresAt: valid, now: now) == .accept)
        #expect(ClaimCode.judge(matches: false, failures: 0, expiresAt: valid, now: now) == .refuse(failures: 1, burnt: false))
        #expect(ClaimCode.judge(matches: false, failures: 4, expiresAt: valid, now: now) == .refuse(failures: 5, burnt: true))
        #expect(ClaimCode.judge(matches: true, failures: 5, expiresAt: valid, now: now) == .unusable)
        #expect(ClaimCode.judge(matches: true, failures: 0, expiresAt: now, now: now) == .unusable)
    }

    @Test func walkInPerson_isCheckedWithoutAPassword() throws {
        let person = try ApplicantRegistration.walkIn(name: " 王五 ", idNumber: "410203198512154568", phone: "+86 137 1234 5678", today: Self.today)
        #expect(person.name == "王五")
        #expect(person.phone.value == "13712345678")
        #expect(throws: ApplicantRegistration.Problem.self) {
            try ApplicantRegistration.walkIn(name: "王五", idNumber: "410203198512154569", phone: "13712345678", today: Self.today)
        }
    }

    @Test func walkInOrganisation_isCheckedByUSCC_withItsRepresentativeAndContact() throws {
        let company = try ApplicantRegistration.walkIn(name: "郑州新禾商贸有限公司", creditCode: "91410100MA45ABC341", legalRepresentative: "赵强",
                                                       contactName: "钱芳", phone: "13655556666")
        #expect(company.creditCode.value == "91410100MA45ABC341")
        do {
            _ = try ApplicantRegistration.walkIn(name: "郑州新禾商贸有限公司", creditCode: "91410100MA45ABC342", legalRepresentative: "赵强",
                                                 contactName: "钱芳", phone: "13655556666")
            Issue.record("a wrong check character was accepted")
        } catch let error as ApplicantRegistration.Problem {
            #expect(error.field == "creditCode")
        }
        do {
            _ = try ApplicantRegistration.walkIn(name: "郑州新禾商贸有限公司", creditCode: "91410100MA45ABC341", legalRepresentative: " ",
                                                 contactName: "钱芳", phone: "13655556666")
            Issue.record("a missing legal representative was accepted")
        } catch let error as ApplicantRegistration.Problem {
            #expect(error.code == "legalRepresentative.required")
        }
    }
}
