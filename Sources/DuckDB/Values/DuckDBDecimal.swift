// DuckDB's fixed-point DECIMAL, kept exactly as an unscaled 128-bit integer with width and scale.
import Foundation

/// An exact decimal number (DuckDB `DECIMAL(width, scale)`): `value / 10^scale`.
public struct DuckDBDecimal: Hashable, Sendable, CustomStringConvertible {
    /// The unscaled integer: 12.34 with scale 2 is 1234.
    public var value: Int128
    /// Total number of digits (1–38).
    public var width: UInt8
    /// Digits after the decimal point (0–width).
    public var scale: UInt8

    public init(value: Int128, width: UInt8, scale: UInt8) {
        self.value = value
        self.width = width
        self.scale = scale
    }

    /// Parses a plain decimal literal (`-12.345`) exactly; width is the digit count unless given.
    public init?(_ text: String, width: UInt8? = nil) {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if body.first == "-" || body.first == "+" { negative = body.first == "-"; body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let integral = parts.first, !(integral.isEmpty && parts.count == 1) else { return nil }
        let fractional = parts.count == 2 ? parts[1] : ""
        let digits = integral + fractional
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 38 else { return nil }
        guard let unscaled = Int128(String(digits)) else { return nil }
        let digitCount = UInt8(max(1, digits.drop(while: { $0 == "0" }).count, fractional.count))
        self.init(value: negative ? -unscaled : unscaled, width: width ?? max(digitCount, UInt8(fractional.count)),
                  scale: UInt8(fractional.count))
    }

    /// The exact decimal text (`-12.34`), with exactly `scale` fractional digits.
    public var description: String {
        let magnitude = value.magnitude
        var digits = String(magnitude)
        let scale = Int(self.scale)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return value < 0 ? "-" + digits : digits
    }

    /// The value as a Foundation `Decimal` (exact for up to 38 significant digits).
    public var decimal: Decimal { Decimal(string: description, locale: Locale(identifier: "en_US_POSIX")) ?? .nan }

    /// The value as a Double (may round).
    public var doubleValue: Double { Double(description) ?? .nan }
}
