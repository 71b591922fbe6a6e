import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Before cage starts: can this user have the seat from seatd? cage itself
/// only says "Unable to create the wlroots backend" when it cannot, so the
/// journal would not tell a technician why the screen stays black.
struct SeatCheck {
    var socket: String
    /// seatd starts beside the display at boot; its socket may come a moment later.
    var patience: Duration = .seconds(30)

    /// Only where the seat comes from seatd (kiosk-display.service sets
    /// LIBSEAT_BACKEND=seatd); a headless test display has no seat.
    init?(environment: [String: String]) {
        guard environment["LIBSEAT_BACKEND"] == "seatd", environment["WLR_BACKENDS"] != "headless" else { return nil }
        socket = environment["SEATD_SOCK"] ?? "/run/seatd.sock"
    }

    func waitForSeat() throws(CommandFailure) {
        let deadline = ContinuousClock.now + patience
        while access(socket, F_OK) != 0 {
            guard ContinuousClock.now < deadline else {
                throw CommandFailure(description: """
                    refusing to start: no seat: \(socket) did not appear within \(patience) \
                    (seatd is not running: systemctl status seatd; it comes with the Debian package seatd)
                    """)
            }
            usleep(100_000)  // a poll for the socket, not a wait for a time
        }
        guard access(socket, R_OK | W_OK) == 0 else {
            throw CommandFailure(description: """
                refusing to start: \(socket) is not open to this user (\(String(cString: strerror(errno)))): \
                seatd hands the seat to its group, video (kiosk-display.service: SupplementaryGroups=video)
                """)
        }
    }
}
