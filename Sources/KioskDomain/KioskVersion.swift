/// The kiosk software's version, reported in heartbeats and status.
public enum KioskVersion {
    public static let current = "0.1.0"
}
