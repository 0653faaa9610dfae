import Crypto
import Foundation

/// 办件编号: `RRRRRR-YYYYMMDD-XXXXXXX` — region, day of receipt, and seven random
/// characters of Crockford base 32 (32⁷ ≈ 3.4 × 10¹⁰ per region and day), so numbers
/// cannot be guessed by counting. Ambiguous letters (I, L, O, U) are never used.
public enum CaseNumber {
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    public static func make(region: String, on day: CalendarDate, using generator: inout some RandomNumberGenerator) -> String {
        make(region: region, on: day, suffix: String((0..<7).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }))
    }

    /// The number with the given seven characters (of `alphabet`) as its last part.
    public static func make(region: String, on day: CalendarDate, suffix: String) -> String {
        "\(region)-\(String(format: "%04d%02d%02d", day.year, day.month, day.day))-\(suffix)"
    }

    /// R7.5: whoever has a case's number may see its progress with the last four characters of the
    /// applicant's ID number or mobile, as typed (spaces around them and the case of "x" do not matter).
    public static func holderMatches(last4 raw: String, phone: String, idNumber: String?) -> Bool {
        HolderCheck.matches(raw, phone: phone, idNumber: idNumber)
    }

    /// True when `raw` has the shape of a case number (the lookup still needs the holder's digits).
    public static func isWellFormed(_ raw: String) -> Bool {
        let parts = raw.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0].count == 6 && parts[0].allSatisfy(\.isNumber)
            && parts[1].count == 8 && parts[1].allSatisfy(\.isNumber)
            && parts[2].count == 7 && parts[2].allSatisfy { alphabet.contains($0) }
    }
}

/// 一次性告知 (R6.3, R8.2.3): a later notice may only repeat what the first asked for.
public enum OneTimeNoticeRule {
    /// The items of `requested` that no earlier notice asked for; empty means the notice is allowed.
    public static func newItems(requested: [String], earlier: [[String]]) -> [String] {
        let asked = Set(earlier.flatMap { $0 })
        guard !earlier.isEmpty else { return [] }
        return requested.filter { !asked.contains($0) }
    }
}

/// Fee amounts as text, and read from a fee standard's text (R8.6). Amounts are data on each
/// fee line (`Fee.amountFen`, `FeeSchedule`); reading the text is kept only for catalog
/// definitions stored before that, which had no amount of their own.
public enum FeeAmount {
    /// The amount in fen (1/100 yuan) of the first "N元" in the text, nil when there is none.
    /// Only for old definitions: a standard such as "住宅类每件80元；非住宅类每件550元" names
    /// several amounts, and the first is not the charge.
    public static func fen(from standard: String) -> Int? {
        let pattern = /([0-9]+(?:\.[0-9]{1,2})?)\s*元/
        guard let match = standard.firstMatch(of: pattern), let yuan = Decimal(string: String(match.1)) else { return nil }
        return NSDecimalNumber(decimal: yuan * 100).intValue
    }

    public static func text(fen: Int) -> String {
        String(format: "%d.%02d 元", fen / 100, fen % 100)
    }
}

/// A payment order's number (R8.6): `PAY` + 20 random Crockford base-32 characters (100
/// bits), unrelated to the case number, so nobody can name another case's order.
public enum PaymentOrder {
    public static func newNumber(using generator: inout some RandomNumberGenerator) -> String {
        "PAY" + String((0..<20).map { _ in CaseNumber.alphabet[Int.random(in: 0..<CaseNumber.alphabet.count, using: &generator)] })
    }
}

/// The payment gateway's signed callback (R8.6): HMAC-SHA256 over the fields in a fixed order.
public enum PaymentSignature {
    public static func sign(orderNumber: String, amountFen: Int, transactionID: String, secret: String) -> String {
        let message = "\(orderNumber)|\(amountFen)|\(transactionID)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    public static func verify(orderNumber: String, amountFen: Int, transactionID: String, signature: String, secret: String) -> Bool {
        let expected = sign(orderNumber: orderNumber, amountFen: amountFen, transactionID: transactionID, secret: secret)
        return ConstantTime.equal(expected, signature)
    }
}

/// Comparing secrets (signatures, tokens) in a time that depends on their length only, so
/// that timing does not reveal how much of a forged one was right.
public enum ConstantTime {
    public static func equal(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return zip(a.utf8, b.utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// 跑动次数 (R3.8): in-person visits against the item's promise.
public enum TripCount {
    public static func isOverPromise(visits: Int, promised: Int) -> Bool { visits > promised }

    /// The note of a visit's event: the trips so far, and whether they exceed the promise.
    public static func note(visits: Int, promised: Int) -> String {
        isOverPromise(visits: visits, promised: promised) ? "跑动 \(visits) 次，超过承诺的 \(promised) 次" : "跑动 \(visits) 次"
    }
}
