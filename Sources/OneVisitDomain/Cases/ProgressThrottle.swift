import Crypto
import Foundation

/// How often the public progress query (R7.5) may be answered wrongly before it stops
/// answering: four digits are 10,000 guesses, so unthrottled they reveal the last four of
/// both the ID number and the mobile in under a minute (issue 10 item 6).
///
/// Tries are counted under two keys — the case number asked about and the caller's
/// address — each in a window that opens with the key's first counted try and lasts
/// `window`. A wrong last four and an unknown case number count alike (and are answered
/// alike), so guessing numbers is throttled as well as guessing digits. A right answer is
/// not counted and resets nothing. Once a key has used up its tries, every try under it,
/// right or wrong, is refused until its window has passed.
public struct ProgressThrottle: Sendable, Equatable {
    /// Wrong tries per case number and window; the next try is refused.
    public var triesPerNumber: Int
    /// Wrong tries per address (an IPv6 address: its /64) and window, whatever the numbers.
    public var triesPerAddress: Int
    /// How long a key's count lasts from its first counted try, in seconds.
    public var window: TimeInterval

    public init(triesPerNumber: Int = 5, triesPerAddress: Int = 30, window: TimeInterval = 3600) {
        self.triesPerNumber = triesPerNumber
        self.triesPerAddress = triesPerAddress
        self.window = window
    }

    /// 5 wrong tries per case number and 30 per address, each per hour.
    public static let standard = ProgressThrottle()

    /// What a key is: the case number asked about, or the address asking.
    public enum Scope: Sendable, Equatable { case number, address }

    /// The tries counted under one key since `windowStart`.
    public struct Tally: Sendable, Equatable {
        public var count: Int
        public var windowStart: Date
        public init(count: Int, windowStart: Date) {
            self.count = count
            self.windowStart = windowStart
        }
    }

    /// The answer instead of the progress: try again after `retryAfter` seconds.
    public struct Refusal: Error, Sendable, Equatable {
        public var retryAfter: Int
        public var code: String { "progress.throttled" }
        /// Whole minutes, rounded up, as the message says them.
        public var minutes: Int { max(1, (retryAfter + 59) / 60) }
        public var message: String { "查询过于频繁，请 \(minutes) 分钟后再试；如忘记证件号码，请携带身份证到政务服务大厅查询" }
        public init(retryAfter: Int) { self.retryAfter = retryAfter }
    }

    public func limit(_ scope: Scope) -> Int {
        switch scope {
        case .number: triesPerNumber
        case .address: triesPerAddress
        }
    }

    /// A tally whose window opened at or before this instant no longer counts: the next
    /// counted try opens a new window at 1.
    public func windowCutoff(now: Date) -> Date { now.addingTimeInterval(-window) }

    public func isCurrent(_ tally: Tally, now: Date) -> Bool { tally.windowStart > windowCutoff(now: now) }

    /// The tally after one more counted try at `now` (the store's upsert does the same in one statement).
    public func counting(_ tally: Tally?, now: Date) -> Tally {
        guard let tally, isCurrent(tally, now: now) else { return Tally(count: 1, windowStart: now) }
        return Tally(count: tally.count + 1, windowStart: tally.windowStart)
    }

    /// Whether a try may be answered, given the tries counted under its key before it.
    public func refusal(_ scope: Scope, earlier: Tally?, now: Date) -> Refusal? {
        guard let earlier, isCurrent(earlier, now: now), earlier.count >= limit(scope) else { return nil }
        let seconds = earlier.windowStart.addingTimeInterval(window).timeIntervalSince(now)
        return Refusal(retryAfter: max(1, Int(seconds.rounded(.up))))
    }

    /// The stored key of a scope's value: a SHA-256, so the table holds neither case numbers nor addresses.
    public static func key(_ scope: Scope, _ value: String) -> String {
        let plain = switch scope {
        case .number: "number|" + value.trimmingCharacters(in: .whitespaces).uppercased()
        case .address: "addr|" + addressGroup(value)
        }
        return SHA256.hash(data: Data(plain.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The unit an address is counted in: an IPv4 address itself (also when IPv4-mapped),
    /// an IPv6 address by its /64, since one subscriber usually holds a whole /64.
    public static func addressGroup(_ address: String) -> String {
        let lower = address.lowercased().split(separator: "%", maxSplits: 1).first.map(String.init) ?? ""
        guard lower.contains(":") else { return lower }
        if lower.hasPrefix("::ffff:"), lower.dropFirst(7).contains(".") { return String(lower.dropFirst(7)) }
        let halves = lower.components(separatedBy: "::")
        guard halves.count <= 2 else { return lower }
        let head = halves[0].split(separator: ":").map(String.init)
        let tail = halves.count == 2 ? halves[1].split(separator: ":").map(String.init) : []
        let gap = halves.count == 2 ? Array(repeating: "0", count: max(0, 8 - head.count - tail.count)) : []
        let groups = head + gap + tail
        guard groups.count == 8, groups.allSatisfy({ UInt16($0, radix: 16) != nil }) else { return lower }
        return groups.prefix(4).map { String(UInt16($0, radix: 16)!, radix: 16) }.joined(separator: ":") + "::/64"
    }
}
