import Foundation

/// Login lockout (quality bar: "staff logins lock after repeated failures").
///
/// Pure: given an account's failure count and lock, the time, and whether the
/// credentials were right, it says what happens and what to store.
public struct LoginPolicy: Sendable {
    public var maxFailures: Int
    public var lockDuration: TimeInterval

    public init(maxFailures: Int = 5, lockDuration: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.lockDuration = lockDuration
    }

    public struct State: Sendable, Equatable {
        public var failures: Int
        public var lockedUntil: Date?
        public init(failures: Int, lockedUntil: Date?) {
            self.failures = failures
            self.lockedUntil = lockedUntil
        }
    }

    public enum Outcome: Sendable, Equatable {
        case success
        /// Wrong credentials; `nowLocked` when this failure locked the account.
        case failure(nowLocked: Bool)
        /// The account is locked: the answer is the same whether or not the password was right.
        case locked(until: Date)
    }

    /// Decide an attempt. `credentialsValid` covers password and, where required, the TOTP code.
    public func evaluate(state: State, credentialsValid: Bool, now: Date) -> (Outcome, State) {
        if let until = state.lockedUntil, until > now {
            return (.locked(until: until), state)
        }
        // A lock that has run out starts a fresh count.
        let failures = state.lockedUntil == nil ? state.failures : 0
        if credentialsValid {
            return (.success, State(failures: 0, lockedUntil: nil))
        }
        let next = failures + 1
        if next >= maxFailures {
            let until = now.addingTimeInterval(lockDuration)
            return (.failure(nowLocked: true), State(failures: next, lockedUntil: until))
        }
        return (.failure(nowLocked: false), State(failures: next, lockedUntil: nil))
    }

    /// Where the account stands on its second factor (TOTP) in one attempt.
    public enum SecondFactor: Sendable, Equatable {
        case notRequired
        case missing
        case given(valid: Bool)
    }

    /// Why an attempt is refused, as the caller is told.
    public enum Refusal: Sendable, Equatable {
        case invalidCredentials
        case secondFactorRequired
        case secondFactorInvalid
    }

    /// The refusal for an attempt, nil when it succeeds. For an account with a second factor
    /// the answer never depends on the password alone: a right password without a code, or
    /// with a wrong one, answers exactly as a wrong password does, so the login form cannot
    /// be used to test passwords of admin accounts. Every refusal counts as a failure.
    public static func refusal(passwordValid: Bool, secondFactor: SecondFactor) -> Refusal? {
        switch secondFactor {
        case .notRequired: passwordValid ? nil : .invalidCredentials
        case .missing: .secondFactorRequired
        case .given(let valid): passwordValid && valid ? nil : .secondFactorInvalid
        }
    }
}

/// Password rules for new accounts.
///
/// bcrypt reads a password only up to its first NUL and its first 72 bytes, so
/// "Demo@2026\0anything" would open an account whose password is "Demo@2026", and two
/// long passwords sharing 72 bytes would be the same password. Control characters are
/// therefore refused here, and passwords longer than 72 UTF-8 bytes are pre-hashed before
/// bcrypt (AccountService.hashPassword) rather than capped: a passphrase of 30 Chinese
/// characters (90 bytes) stays allowed and every character of it counts.
public enum PasswordPolicy {
    public static let minimumLength = 8
    public static let maximumLength = 128
    /// What bcrypt reads of its input; longer passwords are pre-hashed.
    public static let bcryptInputLimit = 72

    /// A Chinese reason when the password is too weak, nil when it is acceptable.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength { return "密码至少 \(minimumLength) 位" }
        if password.count > maximumLength { return "密码不能超过 \(maximumLength) 位" }
        if containsControlCharacters(password) { return "密码不能包含换行、制表符等控制字符" }
        let hasLetter = password.contains { $0.isLetter }
        let hasDigit = password.contains { $0.isNumber }
        if !(hasLetter && hasDigit) { return "密码须同时包含字母和数字" }
        return nil
    }

    /// True when the password holds a control character (NUL, tab, newline, DEL…).
    public static func containsControlCharacters(_ password: String) -> Bool {
        password.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
