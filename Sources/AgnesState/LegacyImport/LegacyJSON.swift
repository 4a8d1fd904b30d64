// Reading the JSON files of the older, file-based Agnes: parse errors with file, line and column, and lenient
// readers for the timestamps and numbers those files hold.
import DuckDB
import Foundation

/// A parsed legacy JSON file.
struct LegacyJSONFile {
    /// The path relative to the legacy directory (as named in messages).
    let name: String
    let url: URL
    let root: Any
    /// The file's modification time, used where a record has no timestamp of its own, so re-imports are identical.
    let modified: Date

    /// Reads and parses `url`; a syntax error names the file, line and column.
    static func load(name: String, url: URL) throws -> LegacyJSONFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StateError.invalid("\(name): cannot be read: \(error.localizedDescription)")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw StateError.invalid("\(name): not valid JSON \(position(of: error, in: data))")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        let modified = (attributes?[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
        return LegacyJSONFile(name: name, url: url, root: root, modified: DuckDBTimestamp(modified).date)
    }

    /// "at line L, column C" from the character offset Foundation reports.
    static func position(of error: Error, in data: Data) -> String {
        let description = String(describing: error)
        guard let range = description.range(of: #"character (\d+)"#, options: .regularExpression),
              let offset = Int(description[range].split(separator: " ")[1]) else {
            return "(\(description))"
        }
        var line = 1, column = 1
        for (index, byte) in data.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return "at line \(line), column \(column)"
    }
}

/// Field access on one legacy record, remembering which fields were used so the rest can be reported.
struct LegacyRecord {
    let fields: [String: Any]
    /// Where the record is, for messages: `auth/users.json record 3 (ada@example.com)`.
    let label: String
    private(set) var used: Set<String> = []

    init(_ fields: [String: Any], label: String) {
        self.fields = fields
        self.label = label
    }

    /// Names of fields no reader asked for.
    var unusedFields: Set<String> { Set(fields.keys).subtracting(used) }

    mutating func isPresent(_ key: String) -> Bool {
        used.insert(key)
        if let value = fields[key], !(value is NSNull) { return true }
        return false
    }

    mutating func string(_ key: String) throws -> String? {
        guard isPresent(key) else { return nil }
        switch fields[key] {
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        default: throw StateError.invalid("\(label): field \(key) should be text")
        }
    }

    mutating func requiredString(_ key: String) throws -> String {
        guard let value = try string(key), !value.isEmpty else { throw StateError.invalid("\(label): field \(key) is missing") }
        return value
    }

    mutating func int(_ key: String) throws -> Int64? {
        guard isPresent(key) else { return nil }
        if let number = fields[key] as? NSNumber, let exact = Int64(exactly: number.doubleValue) { return exact }
        if let text = fields[key] as? String, let value = Int64(text) { return value }
        throw StateError.invalid("\(label): field \(key) should be a whole number")
    }

    mutating func double(_ key: String) throws -> Double? {
        guard isPresent(key) else { return nil }
        if let number = fields[key] as? NSNumber { return number.doubleValue }
        if let text = fields[key] as? String, let value = Double(text) { return value }
        throw StateError.invalid("\(label): field \(key) should be a number")
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard isPresent(key) else { return nil }
        if let number = fields[key] as? NSNumber { return number.boolValue }
        if let text = fields[key] as? String, let value = Bool(text.lowercased()) { return value }
        throw StateError.invalid("\(label): field \(key) should be true or false")
    }

    /// A list of strings, given as a JSON array or as JSON text of an array (as older versions stored them).
    mutating func strings(_ key: String) throws -> [String]? {
        guard isPresent(key) else { return nil }
        var value = fields[key]!
        if let text = value as? String {
            if text.isEmpty { return [] }
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else {
                return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            value = parsed
        }
        guard let array = value as? [Any] else { throw StateError.invalid("\(label): field \(key) should be a list") }
        return try array.map { element in
            if let text = element as? String { return text }
            if let number = element as? NSNumber { return number.stringValue }
            throw StateError.invalid("\(label): field \(key) should hold text values")
        }
    }

    mutating func date(_ key: String) throws -> Date? {
        guard let text = try string(key) else { return nil }
        guard let date = LegacyDates.parse(text) else { throw StateError.invalid("\(label): field \(key) is not a date: \(text)") }
        return date
    }
}

/// Timestamps as the legacy files wrote them: ISO-8601 with or without fraction and zone, or a plain date (UTC).
enum LegacyDates {
    // Formatters are costly to create; the import parses on one thread, so shared instances are safe.
    nonisolated(unsafe) private static let zoned: [ISO8601DateFormatter] = [
        [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
    ].map { (options: ISO8601DateFormatter.Options) in
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
        return formatter
    }
    private static let naive: [DateFormatter] = [
        "yyyy-MM-dd'T'HH:mm:ss.SSSSSS", "yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd",
    ].map { format in
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }

    /// Years 0001 to 9999, which every reader of the state (and DuckDB's TIMESTAMP) represents exactly.
    static let supported = Date(timeIntervalSince1970: -62_135_596_800)..<Date(timeIntervalSince1970: 253_402_300_800)

    static func parse(_ text: String) -> Date? {
        if let fast = parseISO(text) { return supported.contains(fast) ? fast : nil }
        guard let date = parseWithFormatters(text), supported.contains(date) else { return nil }
        return truncated(date)
    }

    private static func parseWithFormatters(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for formatter in zoned { if let date = formatter.date(from: trimmed) { return date } }
        // Naive timestamps (no zone) are UTC; a space may separate date and time.
        let normalized = trimmed.replacingOccurrences(of: " ", with: "T")
        for formatter in naive { if let date = formatter.date(from: normalized) { return date } }
        return nil
    }

    /// DuckDB keeps microseconds.
    static func truncated(_ date: Date) -> Date { DuckDBTimestamp(date).date }

    /// The common shapes, parsed by hand (Foundation's formatters cost tens of microseconds each):
    /// `YYYY-MM-DD`, and `YYYY-MM-DD[T| ]HH:MM:SS[.f…][Z|±HH[:MM]]` (no zone means UTC).
    static func parseISO(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var micros = Int64(DuckDBDate(year: year, month: month, day: day).days) * 86_400_000_000
        if bytes.count == 10 { return DuckDBTimestamp(microseconds: micros).date }
        guard bytes.count >= 19, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
              hour < 24, minute < 60, second < 61 else { return nil }
        micros += Int64((hour * 60 + minute) * 60 + second) * 1_000_000
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var fraction: Int64 = 0, scale: Int64 = 1_000_000
            while index < bytes.count, bytes[index] >= 48 && bytes[index] <= 57 {
                if scale > 1 { scale /= 10; fraction += Int64(bytes[index] - 48) * scale }
                index += 1
            }
            micros += fraction
        }
        if index == bytes.count { return DuckDBTimestamp(microseconds: micros).date }
        if bytes[index] == UInt8(ascii: "Z"), index + 1 == bytes.count { return DuckDBTimestamp(microseconds: micros).date }
        guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"), let offsetHours = digits(index + 1, 2) else { return nil }
        var offsetMinutes = 0
        let rest = index + 3
        if rest == bytes.count {
        } else if bytes[rest] == UInt8(ascii: ":"), rest + 3 == bytes.count, let minutes = digits(rest + 1, 2) {
            offsetMinutes = minutes
        } else if rest + 2 == bytes.count, let minutes = digits(rest, 2) {
            offsetMinutes = minutes
        } else {
            return nil
        }
        let offset = Int64(offsetHours * 60 + offsetMinutes) * 60_000_000
        micros += bytes[index] == UInt8(ascii: "+") ? -offset : offset
        return DuckDBTimestamp(microseconds: micros).date
    }
}
