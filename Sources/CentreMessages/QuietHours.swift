import Foundation

/// Hours in which nothing is sent (a resident is not woken by the centre):
/// from `start` to `end` minutes after midnight where the centre is, across
/// midnight when `start` is after `end`.
public struct QuietHours: Sendable, Hashable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// `date` itself when sending is allowed then; else the end of the quiet hours it falls in.
    public func nextAllowed(from date: Date, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let quiet = start <= end ? (minute >= start && minute < end) : (minute >= start || minute < end)
        guard quiet, start != end else { return date }
        let dayStart = calendar.startOfDay(for: date)
        // The end on this day, or on the next one when the quiet hours crossed midnight from this evening.
        let endsToday = calendar.date(byAdding: .minute, value: end, to: dayStart) ?? date
        return endsToday > date ? endsToday : calendar.date(byAdding: .day, value: 1, to: endsToday) ?? date
    }
}
