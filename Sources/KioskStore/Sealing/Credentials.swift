import Foundation

/// Finds and reads the small secret files the kiosk runs with (seal key,
/// receipt key, centre secret).
///
/// Under systemd they come through `LoadCredential=` in
/// `$CREDENTIALS_DIRECTORY`; elsewhere from `<state>/credentials/`. An
/// absolute name is used as it is.
public struct CredentialStore: Sendable {
    public let directory: URL

    public init(stateDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let systemd = environment["CREDENTIALS_DIRECTORY"], !systemd.isEmpty {
            directory = URL(fileURLWithPath: systemd, isDirectory: true)
        } else {
            directory = stateDirectory.appendingPathComponent("credentials", isDirectory: true)
        }
    }

    /// Keys in exactly this folder.
    public init(directory: URL) {
        self.directory = directory
    }

    public func url(for name: String) -> URL {
        name.hasPrefix("/") ? URL(fileURLWithPath: name) : directory.appendingPathComponent(name)
    }

    /// A 32-byte key written as 64 hex digits or as base64 (white space ignored).
    public func key(named name: String) throws(StoreError) -> [UInt8] {
        let url = url(for: name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .credential("credential \(url.path) is missing or unreadable; create it with `kioskctl credentials init`")
        }
        let text = String(decoding: data, as: UTF8.self).filter { !$0.isWhitespace }
        if text.count == 64, let bytes = Self.hexBytes(text) { return bytes }
        if let decoded = Data(base64Encoded: text), decoded.count == 32 { return Array(decoded) }
        throw .credential("credential \(url.path) must hold 32 bytes as 64 hex digits or base64")
    }

    /// Writes a new random key unless the file exists; never overwrites one,
    /// since sealed data would become unreadable. Returns whether it wrote.
    @discardableResult
    public func createKeyIfMissing(named name: String) throws(StoreError) -> Bool {
        if FileManager.default.fileExists(atPath: url(for: name).path) { return false }
        var generator = SystemRandomNumberGenerator()
        try write((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }, named: name)
        return true
    }

    /// Writes a key given from outside (the centre secret `kiosk-center kiosk
    /// add` printed), replacing the file: owner-only, in an owner-only folder.
    public func write(_ key: [UInt8], named name: String) throws(StoreError) {
        precondition(key.count == 32)
        let url = url(for: name)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .credential("cannot create credential folder for \(url.path): \(error.localizedDescription)")
        }
        let hex = key.map { String($0, radix: 16).leftPadded(to: 2) }.joined() + "\n"
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).new")
        try? FileManager.default.removeItem(at: temporary)
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(hex.utf8),
                                             attributes: [.posixPermissions: 0o600]),
              rename(temporary.path, url.path) == 0
        else { throw .credential("cannot write credential \(url.path)") }
    }

    public static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = hexValue(high), let l = hexValue(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
