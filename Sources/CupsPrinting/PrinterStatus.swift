/// A printer's state as the kiosk shows it: a short summary for the screen
/// and the technician, and the raw IPP reasons behind it.
public struct PrinterStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Condition: String, Sendable, Codable, CaseIterable {
        case ready
        case printing
        case paperOut = "paper-out"
        case jammed
        case offline
        case stopped
        case unknownQueue = "unknown-queue"
        case cupsUnreachable = "cups-unreachable"
    }

    public var condition: Condition
    /// `printer-state-reasons` as CUPS reported them, e.g. `media-empty-warning`.
    public var reasons: [String]

    public init(condition: Condition, reasons: [String]) {
        self.condition = condition
        self.reasons = reasons
    }

    /// Whether a receipt sent now would come out of the printer soon.
    public var canPrint: Bool { condition == .ready || condition == .printing }

    public var description: String {
        reasons.isEmpty ? condition.rawValue : "\(condition.rawValue) (\(reasons.joined(separator: ", ")))"
    }

    /// Reads IPP `printer-state` (3 idle, 4 processing, 5 stopped) and
    /// `printer-state-reasons`; the worst reason decides.
    public init(ippState: Int, reasons raw: [String]) {
        let reasons = raw.filter { $0 != "none" && !$0.isEmpty }
        func has(_ prefix: String) -> Bool { reasons.contains { $0.hasPrefix(prefix) } }
        let condition: Condition
        if has("media-empty") || has("media-needed") {
            condition = .paperOut
        } else if has("media-jam") {
            condition = .jammed
        } else if has("offline") || has("connecting-to-device") || has("cups-missing-filter") {
            condition = .offline
        } else if ippState == 5 || has("paused") || has("stopped") {
            condition = .stopped
        } else if ippState == 4 {
            condition = .printing
        } else {
            condition = .ready
        }
        self.init(condition: condition, reasons: reasons)
    }
}

/// Where a print job stands in CUPS.
public enum CupsJobState: String, Sendable, Codable {
    case pending, held, processing, stopped, canceled, aborted, completed

    init?(ipp: Int) {
        switch ipp {
        case 3: self = .pending
        case 4: self = .held
        case 5: self = .processing
        case 6: self = .stopped
        case 7: self = .canceled
        case 8: self = .aborted
        case 9: self = .completed
        default: return nil
        }
    }

    public var isFinished: Bool { self == .canceled || self == .aborted || self == .completed }
}
