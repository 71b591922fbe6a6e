/// Where a kiosk's health turns, one set of numbers for both judges:
/// `kioskctl status` on the kiosk and the fleet view at the centre.
public enum HealthThresholds {
    /// A request waiting longer than this to reach the centre is worth a technician's look.
    public static let stuckAfter: Double = 3600
    /// A red (urgent) request should reach the centre well before this.
    public static let redStuckAfter: Double = 900
    /// Below this much free space, the disk counts as nearly full whatever its size.
    public static let lowDiskBytes: Int64 = 256 << 20
    /// On a larger disk, below 5 % free counts as nearly full too, but only up
    /// to this much: a kiosk's queue and receipts take megabytes, and 11 GiB
    /// free on a 252 GiB disk is not a technician's problem.
    public static let lowDiskBytesAtMost: Int64 = 2 << 30
    /// Printer states in which a receipt sent now comes out soon.
    public static let printerReadyStates: Set<String> = ["ready", "printing"]

    public static func diskNearlyFull(freeBytes: Int64, totalBytes: Int64) -> Bool {
        // Divided, not multiplied: the centre judges numbers a kiosk sent.
        freeBytes < max(lowDiskBytes, min(totalBytes / 20, lowDiskBytesAtMost))
    }
}
