// XCTest checks of value formatting and calendar arithmetic (kept in XCTest so both test runners report).
import DuckDB
import XCTest

final class ValueFormattingXCTests: XCTestCase {
    func testDecimalDescriptionIsExact() {
        XCTAssertEqual(DuckDBDecimal(value: 1234, width: 4, scale: 2).description, "12.34")
        XCTAssertEqual(DuckDBDecimal(value: -5, width: 4, scale: 3).description, "-0.005")
        XCTAssertEqual(DuckDBDecimal(value: 42, width: 4, scale: 0).description, "42")
        XCTAssertEqual(DuckDBDecimal("-0012.340")?.value, -12340)
        XCTAssertEqual(DuckDBDecimal("-0012.340")?.scale, 3)
        XCTAssertNil(DuckDBDecimal("12.3.4"))
    }

    func testDatesBeforeAndAfterTheEpoch() {
        XCTAssertEqual(DuckDBDate(days: -1).description, "1969-12-31")
        XCTAssertEqual(DuckDBDate(year: 2000, month: 3, day: 1).days, 11_017)
        XCTAssertEqual(DuckDBDate(days: 2_932_896).description, "9999-12-31")
        let (y, m, d) = DuckDBDate(year: 1600, month: 2, day: 29).components
        XCTAssertEqual([y, m, d], [1600, 2, 29])
    }

    func testTimestampsKeepTheirUnit() {
        XCTAssertEqual(DuckDBTimestamp(value: -1, unit: .microseconds).description, "1969-12-31 23:59:59.999999")
        XCTAssertEqual(DuckDBTimestamp(value: 1, unit: .nanoseconds).description, "1970-01-01 00:00:00.000000001")
        XCTAssertEqual(DuckDBTimestamp(value: 90, unit: .seconds).microseconds, 90_000_000)
        XCTAssertTrue(DuckDBTimestamp(value: 1, unit: .seconds) > DuckDBTimestamp(value: 999, unit: .milliseconds))
    }
}
