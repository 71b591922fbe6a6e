import CentreStore
import Foundation
import IntakeProtocol
import KioskStore
import StorageSupport
import TestSupport

extension CenterProcess {
    /// The running centre's SQLite database, opened beside it (WAL: both may read).
    public func openCentreStore() async throws -> CenterStore {
        let credentials = CredentialStore(stateDirectory: state, environment: [:])
        return try await CenterStore(path: state.appendingPathComponent("center.sqlite").path,
                               sealKey: try credentials.key(named: "center-seal.key"),
                               intakeKey: try CentrePrivateKey(rawBytes: try credentials.key(named: "center-intake.key")))
    }
}
