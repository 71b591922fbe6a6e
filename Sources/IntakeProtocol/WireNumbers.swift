import Foundation

/// Numbers that came from outside (a request's header or body, a config
/// file) are converted here, never with trapping arithmetic: Swift's
/// `Int(_:)` of a Double out of range and `*` past `Int64.max` end the whole
/// process, and one signed request must not be able to end a centre.
public enum WireNumbers {
    /// The earliest and latest time the wire carries (milliseconds since
    /// 1970): 1970-01-01 to 9999-12-31. A time outside is malformed, so every
    /// time the protocol decodes converts to and from milliseconds safely.
    public static let millisecondRange: ClosedRange<Int64> = 0...253_402_300_799_999

    /// `value` rounded toward zero and clamped into Int64 (NaN is 0).
    public static func int64(saturating value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        // Int64.max is not a Double; 2^63 is the first Double above it.
        if value >= 9_223_372_036_854_775_808.0 { return .max }
        if value <= -9_223_372_036_854_775_808.0 { return .min }
        return Int64(value)
    }

    /// `value` rounded toward zero and clamped into Int (NaN is 0).
    public static func int(saturating value: Double) -> Int {
        Int(int64(saturating: value))
    }

    /// `a × b`, clamped into Int64 instead of trapping.
    public static func product(_ a: Int64, _ b: Int64) -> Int64 {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        guard overflow else { return result }
        return (a < 0) == (b < 0) ? .max : .min
    }

    /// `a − b`, clamped into Int64 instead of trapping.
    public static func difference(_ a: Int64, _ b: Int64) -> Int64 {
        let (result, overflow) = a.subtractingReportingOverflow(b)
        guard overflow else { return result }
        return b < 0 ? .max : .min
    }

    /// `a + b`, clamped into Int64 instead of trapping.
    public static func sum(_ a: Int64, _ b: Int64) -> Int64 {
        let (result, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return result }
        return b > 0 ? .max : .min
    }
}

extension Date {
    /// Milliseconds since 1970, clamped into Int64: a date made from a wire
    /// number or far in the future (`distantFuture`, an interval added to it)
    /// converts without trapping.
    public var wireMilliseconds: Int64 {
        WireNumbers.int64(saturating: (timeIntervalSince1970 * 1000).rounded())
    }
}
