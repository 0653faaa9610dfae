import Foundation
import Testing
@testable import OneVisitDomain

@Suite("Login policy")
struct LoginPolicyTests {
    let policy = LoginPolicy()
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func fifthFailure_locksForFifteenMinutes() {
        var state = LoginPolicy.State(failures: 0, lockedUntil: nil)
        for attempt in 1...4 {
            let (outcome, next) = policy.evaluate(state: state, credentialsValid: false, now: now)
            #expect(outcome == .failure(nowLocked: false), "attempt \(attempt)")
            state = next
        }
        let (outcome, locked) = policy.evaluate(state: state, credentialsValid: false, now: now)
        #expect(outcome == .failure(nowLocked: true))
        #expect(locked.lockedUntil == now.addingTimeInterval(900))
    }

    @Test func lockedAccount_answersLocked_evenWithTheRightPassword() {
        let state = LoginPolicy.State(failures: 5, lockedUntil: now.addingTimeInterval(60))
        let (right, stateAfterRight) = policy.evaluate(state: state, credentialsValid: true, now: now)
        let (wrong, _) = policy.evaluate(state: state, credentialsValid: false, now: now)
        #expect(right == .locked(until: now.addingTimeInterval(60)))
        #expect(right == wrong)
        #expect(stateAfterRight == state)
    }

    @Test func expiredLock_startsAFreshCount() {
        let state = LoginPolicy.State(failures: 5, lockedUntil: now.addingTimeInterval(-1))
        let (outcome, next) = policy.evaluate(state: state, credentialsValid: false, now: now)
        #expect(outcome == .failure(nowLocked: false))
        #expect(next.failures == 1)
        #expect(next.lockedUntil == nil)
    }

    @Test func success_clearsFailures() {
        let (outcome, next) = policy.evaluate(state: .init(failures: 3, lockedUntil: nil), credentialsValid: true, now: now)
        #expect(outcome == .success)
        #expect(next == .init(failures: 0, lockedUntil: nil))
    }

    @Test(arguments: [("short1", false), ("abcdefgh", false), ("12345678", false), ("abcd1234", true), ("密码密码密码12", true)])
    func passwordPolicy(password: String, acceptable: Bool) {
        #expect((PasswordPolicy.problem(with: password) == nil) == acceptable)
    }
}

@Suite("Applicant registration")
struct ApplicantRegistrationTests {
    let today = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func validPerson_isAccepted() throws {
        let person = try ApplicantRegistration.person(name: " 张三 ", idNumber: "410102199001011234", phone: "+86 138-0000-0001", password: "abc12345", passwordConfirm: "abc12345", today: today)
        #expect(person.name == "张三")
        #expect(person.phone.value == "13800000001")
    }

    @Test func eachProblem_namesItsField() {
        func problem(_ make: () throws -> Void) -> ApplicantRegistration.Problem? {
            do { try make(); return nil } catch { return error as? ApplicantRegistration.Problem }
        }
        #expect(problem { _ = try ApplicantRegistration.person(name: "", idNumber: "410102199001011234", phone: "13800000001", password: "abc12345", passwordConfirm: nil, today: today) }?.field == "name")
        #expect(problem { _ = try ApplicantRegistration.person(name: "张三", idNumber: "410102199001011235", phone: "13800000001", password: "abc12345", passwordConfirm: nil, today: today) }?.code == "resident_id.check_character")
        #expect(problem { _ = try ApplicantRegistration.person(name: "张三", idNumber: "410102199001011234", phone: "1380000000", password: "abc12345", passwordConfirm: nil, today: today) }?.field == "phone")
        #expect(problem { _ = try ApplicantRegistration.person(name: "张三", idNumber: "410102199001011234", phone: "13800000001", password: "abc12345", passwordConfirm: "abc12346", today: today) }?.code == "password.mismatch")
        #expect(problem { _ = try ApplicantRegistration.person(name: "<script>", idNumber: "410102199001011234", phone: "13800000001", password: "abc12345", passwordConfirm: nil, today: today) }?.code == "name.characters")
        #expect(problem { _ = try ApplicantRegistration.organisation(name: "某公司", creditCode: "91410100MA44XY1K2A", legalRepresentative: "李明", contactName: "王芳", phone: "13900000002", password: "abc12345", passwordConfirm: nil) }?.code == "credit_code.check_character")
        #expect(problem { _ = try ApplicantRegistration.organisation(name: "某公司", creditCode: "91410100MA44XY1K2N", legalRepresentative: "", contactName: "王芳", phone: "13900000002", password: "abc12345", passwordConfirm: nil) }?.field == "legalRepresentative")
    }

    @Test func birthDateInTheFuture_isRejected() {
        // born 2030-01-01, checked on 2026-11-18
        let first17 = "41010220300101123"
        let id = first17 + String(ResidentID.checkCharacter(for: first17)!)
        #expect(throws: ApplicantRegistration.Problem.self) {
            try ApplicantRegistration.person(name: "张三", idNumber: id, phone: "13800000001", password: "abc12345", passwordConfirm: nil, today: today)
        }
    }
}

@Suite("Audit chain rules")
struct AuditChainTests {
    func chain(_ count: Int) -> [AuditChain.StoredRecord] {
        var previous = AuditChain.genesis
        return (1...count).map { i in
            let entry = AuditChain.Entry(sequence: Int64(i), occurredAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)), actor: "a\(i)", action: "act", objectType: "t", objectID: "\(i)", address: "127.0.0.1", detail: "")
            let hash = AuditChain.hash(entry, previous: previous)
            defer { previous = hash }
            return .init(entry: entry, previousHash: previous, hash: hash)
        }
    }

    @Test func wholeChain_verifies() {
        let records = chain(5)
        #expect(AuditChain.verify(records, head: (5, records[4].hash)) == nil)
    }

    @Test func editedField_isContentChanged() {
        var records = chain(5)
        records[2].entry.detail = "edited"
        #expect(AuditChain.verify(records, head: (5, records[4].hash)) == .contentChanged(sequence: 3))
    }

    @Test func editedAndRehashedRow_breaksTheNextLink() {
        var records = chain(5)
        records[2].entry.detail = "edited"
        records[2].hash = AuditChain.hash(records[2].entry, previous: records[2].previousHash)
        #expect(AuditChain.verify(records, head: (5, records[4].hash)) == .linkBroken(sequence: 4))
    }

    @Test func removedRow_isASequenceGap() {
        var records = chain(5)
        records.remove(at: 1)
        #expect(AuditChain.verify(records, head: (5, records[3].hash)) == .sequenceGap(expected: 2, found: 3))
    }

    @Test func cutTail_isTruncated() {
        let records = chain(5)
        #expect(AuditChain.verify(records.prefix(3), head: (5, records[4].hash)) == .truncated(expectedLast: 5, foundLast: 3))
    }

    @Test func fieldBoundaries_cannotBeShifted() {
        // "ab" + "c" and "a" + "bc" must not hash alike
        let a = AuditChain.Entry(sequence: 1, occurredAt: Date(timeIntervalSince1970: 0), actor: "ab", action: "c", objectType: "", objectID: "", address: "", detail: "")
        var b = a
        b.actor = "a"
        b.action = "bc"
        #expect(AuditChain.hash(a, previous: AuditChain.genesis) != AuditChain.hash(b, previous: AuditChain.genesis))
    }
}

@Suite("Regions, roles, masking")
struct OrganisationRulesTests {
    @Test func regionCode_levelsAndParents() throws {
        let province = try #require(RegionCode("410000"))
        let city = try #require(RegionCode("410200"))
        let county = try #require(RegionCode("410221"))
        #expect(province.level == .province)
        #expect(city.level == .city)
        #expect(county.level == .county)
        #expect(county.parent == city)
        #expect(city.parent == province)
        #expect(province.parent == nil)
        #expect(RegionCode("41000") == nil)
        #expect(RegionCode("410012") == nil)
        #expect(RegionCode("00ABCD") == nil)
    }

    @Test func everyRole_hasAHomeWithSomethingAvailableOrPlanned() {
        let roles: [Role] = [.applicant] + StaffRole.allCases.map { .staff($0) }
        for role in roles {
            #expect(!role.capabilities.isEmpty, "\(role.code)")
            #expect(Role(code: role.code) == role)
        }
        #expect(StaffRole.allCases.filter(\.requiresSecondFactor) == [.systemAdmin, .auditor])
    }

    @Test func masking() {
        #expect(Masking.mask("13800000001", keepPrefix: 3, keepSuffix: 4) == "138****0001")
        #expect(Masking.mask("abc", keepPrefix: 3, keepSuffix: 4) == "***")
        #expect(Masking.name("欧阳修文") == "欧***")
        #expect(Masking.auditActor("applicant:13800000001") == "applicant:138****0001")
        #expect(Masking.auditActor("applicant:91410100MA44XY1K2N") == "applicant:9141**********1K2N")
        #expect(Masking.auditActor("applicant:id:410105198506150023") == "applicant:id:4101**********0023")
        #expect(Masking.auditActor("windowClerk:clerk.zz") == "windowClerk:clerk.zz")
        #expect(Masking.auditActor("system") == "system")
        #expect(Masking.name("张三") == "张*")
    }
}
