import CentreStore
import Foundation
import KioskStore
import StorageSupport
import TestSupport

extension CenterProcess {
    /// The running centre's SQLite database, opened beside it (WAL: both may read).
    public func openCentreStore() async throws -> CenterStore {
        let credentials = CredentialStore(stateDirectory: state, environment: [:])
        return try await CenterStore(path: state.appendingPathComponent("center.sqlite").path,
                                     sealKey: try credentials.key(named: "center-seal.key"))
    }
}
