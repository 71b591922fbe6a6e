import CentreConfig
import CentreStore
import Foundation

extension CenterStore {
    /// A street centre's store: one SQLite file at `path`.
    public convenience init(path: String, sealKey: [UInt8],
                            deadlines: FirstContactDeadlines = .standard,
                            timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!,
                            messaging: MessagingSettings? = nil) async throws {
        try await self.init(database: try SQLiteCenterDatabase(path: path), sealKey: sealKey,
                      deadlines: deadlines, timeZone: timeZone, messaging: messaging)
    }
}
