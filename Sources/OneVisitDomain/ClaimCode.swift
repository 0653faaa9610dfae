import Foundation

/// The one-time code a window clerk prints for a walk-in applicant, so that only the person
/// who stood at the window can take over the account opened for them there (R8.2.5): a
/// name and an ID number alone are no proof, they are printed on too many forms.
public enum ClaimCode {
    /// No 0/O, 1/I/L: the code is read off paper and typed by hand.
    public static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    public static let length = 8
    public static let lifetime: TimeInterval = 24 * 60 * 60
    /// Wrong tries after which the code is burnt and the clerk must print a new one.
    public static let maxFailures = 5

    /// A fresh code; 31^8 ≈ 8.5 × 10^11 values against 5 tries.
    public static func generate<R: RandomNumberGenerator>(using generator: inout R) -> String {
        String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// The code as typed, with spaces and hyphens dropped and letters raised; nil unless it
    /// could be a code at all.
    public static func normalised(_ raw: String) -> String? {
        let code = String(raw.uppercased().filter { $0 != " " && $0 != "-" })
        guard code.count == length, code.allSatisfy(alphabet.contains) else { return nil }
        return code
    }

    /// What happens to a claim attempt.
    public enum Judgement: Sendable, Equatable {
        case accept
        /// Wrong code or name: store `failures`; `burnt` when the code may not be tried again.
        case refuse(failures: Int, burnt: Bool)
        /// No usable code: expired, already burnt, or never issued.
        case unusable
    }

    /// Whether a claim names the account the code was printed for (R8.2.5): the right code,
    /// the name recorded at the window and the SAME phone the clerk recorded. Any of them
    /// wrong is one wrong try, answered alike, so a try tells nothing about which was wrong.
    public static func claimantMatches(codeMatches: Bool, name: String, recordedName: String, phone: String, recordedPhone: String?) -> Bool {
        codeMatches && name == recordedName && recordedPhone != nil && phone == recordedPhone
    }

    /// Judges an attempt on a code issued `expiresAt`-lifetime ago that has `failures` wrong
    /// tries so far. `matches`: the code and the name both match the account.
    public static func judge(matches: Bool, failures: Int, expiresAt: Date, now: Date) -> Judgement {
        guard expiresAt > now, failures < maxFailures else { return .unusable }
        if matches { return .accept }
        let next = failures + 1
        return .refuse(failures: next, burnt: next >= maxFailures)
    }
}
