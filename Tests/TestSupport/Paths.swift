import Foundation

/// The repository this test run was built from.
public let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Where the built executables are: beside the test bundle, or the debug build.
public func productsDirectory() -> URL {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    if FileManager.default.fileExists(atPath: beside.appendingPathComponent("kioskd").path) { return beside }
    return repositoryRoot.appendingPathComponent(".build/debug")
}

/// One of our executables by name.
public func product(_ name: String) -> String {
    productsDirectory().appendingPathComponent(name).path
}

/// A new empty folder under the system's temporary folder.
public func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes a key or secret file as a technician's tools do: owner-only
/// (the programs refuse a key others may read).
public func writeSecret(_ text: String, to url: URL) throws {
    try text.write(to: url, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
}
