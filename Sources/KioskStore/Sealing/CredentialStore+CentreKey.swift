import Foundation
import IntakeProtocol
import StorageSupport

extension CredentialStore {
    /// The kiosk's credentials: `$CREDENTIALS_DIRECTORY` under systemd, else `<state>/credentials/`.
    public init(stateDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(stateDirectory: stateDirectory, createdBy: "kioskctl credentials init", environment: environment)
    }

    /// The kiosk's credentials in exactly this folder.
    public init(directory: URL) {
        self.init(directory: directory, createdBy: "kioskctl credentials init")
    }

    // MARK: The centre's public key, kept beside the kiosk's own credentials

    /// The centre's public key (`x25519:…`). Public, so not held to a
    /// key's modes, but refused when anyone but its owner may change it:
    /// whoever replaces it would receive every resident's data.
    public func centrePublicKey(named name: String) throws(CredentialError) -> CentrePublicKey {
        let url = url(for: name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CredentialError("""
                the centre's public key \(url.path) is missing; run `kiosk-center credentials public-key` at the \
                centre and store what it prints with `kioskctl credentials centre-key`
                """)
        }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
           let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value, mode & 0o022 != 0 {
            throw CredentialError("the centre's public key \(url.path) may be changed by others (mode \(String(mode, radix: 8))); `chmod 644 \(url.path)`")
        }
        do {
            return try CentrePublicKey(text: String(decoding: data, as: UTF8.self))
        } catch {
            throw CredentialError("\(url.path): \(error.description)")
        }
    }

    /// Stores the centre's public key (replacing the file), readable by all.
    public func writeCentrePublicKey(_ key: CentrePublicKey, named name: String) throws(CredentialError) {
        try writeFile(Array((key.description + "\n").utf8), to: url(for: name), mode: 0o644)
    }
}
