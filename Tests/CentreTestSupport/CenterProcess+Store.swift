import CentreConfig
import CentreStore
import Foundation
import KioskStore
import StorageSupport
import TestSupport

extension CenterProcess {
    /// The running centre's SQLite database, opened beside it (WAL: both may read).
    /// With `messaging`, its case changes queue text messages as the centre's own do.
    public func openCentreStore(messaging: MessagingSettings? = nil) async throws -> CenterStore {
        let credentials = self.credentials.map { CredentialStore(directory: $0, createdBy: "test") }
            ?? CredentialStore(stateDirectory: state, environment: [:])
        return try await CenterStore(path: state.appendingPathComponent("center.sqlite").path,
                                     sealKey: try credentials.key(named: "center-seal.key"), messaging: messaging)
    }
}
