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
}

/// Password rules for new accounts.
public enum PasswordPolicy {
    public static let minimumLength = 8

    /// A Chinese reason when the password is too weak, nil when it is acceptable.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength { return "密码至少 \(minimumLength) 位" }
        if password.count > 128 { return "密码不能超过 128 位" }
        let hasLetter = password.contains { $0.isLetter }
        let hasDigit = password.contains { $0.isNumber }
        if !(hasLetter && hasDigit) { return "密码须同时包含字母和数字" }
        return nil
    }
}
