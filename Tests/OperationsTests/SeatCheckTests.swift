import Foundation
import Testing
@testable import KioskCommands

/// `kioskd display`'s look at seatd's socket before cage starts, on real files.
@Suite struct SeatCheckTests {
    @Test func onlyASeatdDisplayIsChecked() {
        #expect(SeatCheck(environment: [:]) == nil)
        #expect(SeatCheck(environment: ["LIBSEAT_BACKEND": "seatd", "WLR_BACKENDS": "headless"]) == nil)
        #expect(SeatCheck(environment: ["LIBSEAT_BACKEND": "seatd"])?.socket == "/run/seatd.sock")
    }

    @Test func aMissingSocketIsRefusedNamingSeatdAndAPresentOnePasses() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("seatd.sock").path
        var check = try #require(SeatCheck(environment: ["LIBSEAT_BACKEND": "seatd", "SEATD_SOCK": path]))
        check.patience = .milliseconds(300)
        #expect(throws: CommandFailure.self) { try check.waitForSeat() }
        do { try check.waitForSeat() } catch { #expect(error.description.contains("seatd is not running")) }
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        try check.waitForSeat()
    }
}
