import Foundation
import IntakeProtocol
#if canImport(Glibc)
import Glibc
#endif

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
    /// Refused when others may read it or anyone but its owner may change it:
    /// a key that leaked once cannot be trusted again.
    public func key(named name: String) throws(StoreError) -> [UInt8] {
        let url = url(for: name)
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .credential("credential \(url.path) is missing or unreadable; create it with `kioskctl credentials init`")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .credential("cannot inspect credential \(url.path)") }
        let mode = status.st_mode & 0o777
        if mode & 0o026 != 0 {
            throw .credential("""
                credential \(url.path) is open to others (mode \(String(mode, radix: 8))); \
                `chmod 600 \(url.path)`, and replace the key if others may have read it
                """)
        }
        let data: Data
        do {
            // nil for an empty file: then the length check below says what is wrong.
            data = try FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).readToEnd() ?? Data()
        } catch {
            throw .credential("credential \(url.path) is unreadable: \(error.localizedDescription)")
        }
        let text = String(decoding: data, as: UTF8.self).filter { !$0.isWhitespace }
        if text.count == 64, let bytes = Self.hexBytes(text) { return bytes }
        if let decoded = Data(base64Encoded: text), decoded.count == 32 { return Array(decoded) }
        throw .credential("credential \(url.path) must hold 32 bytes as 64 hex digits or base64")
    }

    /// The centre's public key (`x25519:…`). Public, so not held to a
    /// key's modes, but refused when anyone but its owner may change it:
    /// whoever replaces it would receive every resident's data.
    public func centrePublicKey(named name: String) throws(StoreError) -> CentrePublicKey {
        let url = url(for: name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .credential("""
                the centre's public key \(url.path) is missing; run `kiosk-center credentials public-key` at the \
                centre and store what it prints with `kioskctl credentials centre-key`
                """)
        }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
           let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value, mode & 0o022 != 0 {
            throw .credential("the centre's public key \(url.path) may be changed by others (mode \(String(mode, radix: 8))); `chmod 644 \(url.path)`")
        }
        do {
            return try CentrePublicKey(text: String(decoding: data, as: UTF8.self))
        } catch {
            throw .credential("\(url.path): \(error.description)")
        }
    }

    /// Stores the centre's public key (replacing the file), readable by all.
    public func writeCentrePublicKey(_ key: CentrePublicKey, named name: String) throws(StoreError) {
        try writeFile(Array((key.description + "\n").utf8), to: url(for: name), mode: 0o644)
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
        let hex = Array((key.map { String($0, radix: 16).leftPadded(to: 2) }.joined() + "\n").utf8)
        try writeFile(hex, to: url(for: name), mode: 0o600)
    }

    /// Destroys a key file: its bytes overwritten and synced, then unlinked.
    /// Returns whether there was one.
    @discardableResult
    public func destroy(named name: String) throws(StoreError) -> Bool {
        let url = url(for: name)
        let descriptor = open(url.path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return false }
            throw .credential("cannot remove credential \(url.path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_size > 0 {
            let zeros = [UInt8](repeating: 0, count: Int(status.st_size))
            _ = zeros.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            fsync(descriptor)
        }
        close(descriptor)
        guard unlink(url.path) == 0 else {
            throw .credential("cannot remove credential \(url.path): \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// Replaces a file in the credentials folder atomically, created with
    /// its final mode (never widened first and narrowed after).
    private func writeFile(_ bytes: [UInt8], to url: URL, mode: mode_t) throws(StoreError) {
        let folder = url.deletingLastPathComponent()
        // Created with their final modes (not widened first and narrowed after):
        // the folder 0700, the file 0600, whatever the umask lets through.
        do {
            try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .credential("cannot create the folder above \(folder.path): \(error.localizedDescription)")
        }
        if mkdir(folder.path, 0o700) != 0, errno != EEXIST {
            throw .credential("cannot create credential folder \(folder.path): \(String(cString: strerror(errno)))")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).new")
        unlink(temporary.path)
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw .credential("cannot write credential \(url.path): \(String(cString: strerror(errno)))")
        }
        // The umask may have narrowed a public file's mode.
        fchmod(descriptor, mode)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary.path, url.path) == 0 else {
            unlink(temporary.path)
            throw .credential("cannot write credential \(url.path)")
        }
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
