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

/// Random numbers and ids: the system's in service, a seeded one in tests so numbers,
/// links and documents can be compared byte for byte.
public protocol RandomSource: Sendable {
    func uuid() -> UUID
    func next() -> UInt64
}

extension RandomSource {
    /// A `RandomNumberGenerator` drawing from this source, for the domain's number makers.
    var generator: RandomSourceGenerator { RandomSourceGenerator(source: self) }

    /// `bytes` random bytes as URL-safe text, for session, CSRF and secret tokens.
    func token(bytes: Int = 32) -> String {
        var generator = self.generator
        return Tokens.encode((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

struct RandomSourceGenerator: RandomNumberGenerator {
    let source: any RandomSource
    mutating func next() -> UInt64 { source.next() }
}

public struct SystemRandom: RandomSource {
    public init() {}
    public func uuid() -> UUID { UUID() }
    public func next() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }
}

/// A repeatable source (SplitMix64) for tests: the same seed gives the same ids and numbers.
public final class SeededRandom: RandomSource, @unchecked Sendable {
    private let lock = NSLock()
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public func next() -> UInt64 {
        lock.withLock {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    public func uuid() -> UUID {
        let a = next(), b = next()
        var bytes = withUnsafeBytes(of: a.bigEndian, Array.init) + withUnsafeBytes(of: b.bigEndian, Array.init)
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// Everything from outside that the app uses, set once in the composition root
/// (`AppServices.make`); tests pin them.
public struct AppDependencies: Sendable {
    public var clock: any AppClock
    public var random: any RandomSource
    /// The file store; nil: a `BlobStore` in the configured data folder.
    public var files: (any FileStore)?
    public var documents: any DocumentRenderer
    public init(clock: any AppClock = SystemClock(), random: any RandomSource = SystemRandom(),
                files: (any FileStore)? = nil, documents: any DocumentRenderer = PDFDocumentRenderer()) {
        self.clock = clock
        self.random = random
        self.files = files
        self.documents = documents
    }
}

enum Tokens {
    /// 32 random bytes as URL-safe text, for session and CSRF tokens.
    static func random(bytes: Int = 32) -> String { SystemRandom().token(bytes: bytes) }

    static func encode(_ raw: [UInt8]) -> String {
        Data(raw).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
