import Foundation
import Testing
@testable import OneVisitDomain

@Suite("Sign-in refusals")
struct SignInRefusalTests {
    @Test(arguments: [
        (true, LoginPolicy.SecondFactor.notRequired, LoginPolicy.Refusal?.none),
        (false, .notRequired, .invalidCredentials),
        (true, .missing, .secondFactorRequired),
        (false, .missing, .secondFactorRequired),
        (true, .given(valid: true), nil),
        (true, .given(valid: false), .secondFactorInvalid),
        (false, .given(valid: true), .secondFactorInvalid),
        (false, .given(valid: false), .secondFactorInvalid),
    ])
    func refusal(passwordValid: Bool, secondFactor: LoginPolicy.SecondFactor, expected: LoginPolicy.Refusal?) {
        #expect(LoginPolicy.refusal(passwordValid: passwordValid, secondFactor: secondFactor) == expected)
    }

    @Test func withASecondFactor_theAnswerNeverDependsOnThePasswordAlone() {
        for factor in [LoginPolicy.SecondFactor.missing, .given(valid: false)] {
            #expect(LoginPolicy.refusal(passwordValid: true, secondFactor: factor) == LoginPolicy.refusal(passwordValid: false, secondFactor: factor))
        }
        #expect(LoginPolicy.refusal(passwordValid: false, secondFactor: .given(valid: true)) == LoginPolicy.refusal(passwordValid: true, secondFactor: .given(valid: false)))
    }
}

@Suite("Password control characters")
struct PasswordControlCharacterTests {
    @Test(arguments: ["abcd1234\u{0}", "abcd\t1234", "abcd1234\n", "abcd\u{7F}1234"])
    func controlCharacters_areRefused(password: String) {
        #expect(PasswordPolicy.problem(with: password) == "密码不能包含换行、制表符等控制字符")
    }

    @Test func longUnicodePassphrase_isAllowed() {
        #expect(PasswordPolicy.problem(with: String(repeating: "密", count: 40) + "1") == nil)
    }
}

@Suite("Claim codes")
struct ClaimCodeTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func generated_areEightCharactersOfTheUnambiguousAlphabet() {
        for _ in 0..<200 {
            let code = ClaimCode.generate()
            #expect(code.count == 8)
            #expect(ClaimCode.normalised(code) == code)
            #expect(!code.contains { "01OIL".contains($0) })
        }
    }

    @Test func normalised_acceptsWhatPeopleType_refusesTheRest() {
        #expect(ClaimCode.normalised(" abcd-efgh ") == "ABCDEFGH")
        #expect(ClaimCode.normalised("ABCD EFG2") == "ABCDEFG2")
        #expect(ClaimCode.normalised("ABCDEFG") == nil)
        #expect(ClaimCode.normalised("ABCDEFGO") == nil)
        #expect(ClaimCode.normalised("ABCDEFG1") == nil)
        #expect(ClaimCode.normalised("") == nil)
    }

    @Test func judge_acceptsOnce_burnsOnTheFifthWrongTry_andExpires() {
        let expires = now.addingTimeInterval(ClaimCode.lifetime)
        #expect(ClaimCode.judge(matches: true, failures: 0, expiresAt: expires, now: now) == .accept)
        #expect(ClaimCode.judge(matches: false, failures: 0, expiresAt: expires, now: now) == .refuse(failures: 1, burnt: false))
        #expect(ClaimCode.judge(matches: false, failures: 4, expiresAt: expires, now: now) == .refuse(failures: 5, burnt: true))
        #expect(ClaimCode.judge(matches: true, failures: 5, expiresAt: expires, now: now) == .unusable)
        #expect(ClaimCode.judge(matches: true, failures: 0, expiresAt: expires, now: expires) == .unusable)
    }
}
