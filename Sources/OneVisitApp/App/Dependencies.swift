import Foundation

/// The current time, injected so tests move it by hand (STYLE.md 4).
public protocol AppClock: Sendable {
    var now: Date { get }
}

public struct SystemClock: AppClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock a test sets and advances.
public final class ManualClock: AppClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    public init(_ start: Date) { current = start }
    public var now: Date { lock.withLock { current } }
    public func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// Everything from outside that the app uses, wired once in `buildApplication`.
public struct AppDependencies: Sendable {
    public var clock: any AppClock
    public init(clock: any AppClock = SystemClock()) {
        self.clock = clock
    }
}

enum Tokens {
    /// 32 random bytes as URL-safe text, for session and CSRF tokens.
    static func random(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(raw).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
