import CentreConfig
import CentreStore
import Foundation
import IntakeProtocol

extension CenterStore {
    /// A street centre's store: one SQLite file at `path`.
    public convenience init(path: String, sealKey: [UInt8], intakeKey: CentrePrivateKey? = nil,
                            deadlines: FirstContactDeadlines = .standard,
                            timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) async throws {
        try await self.init(database: try SQLiteCenterDatabase(path: path), sealKey: sealKey, intakeKey: intakeKey,
                      deadlines: deadlines, timeZone: timeZone)
    }
}
