import Foundation
import IntakeProtocol
#if canImport(Glibc)
import Glibc
#endif

/// Finds and reads the small secret files a service runs with (the kiosk's
/// receipt key and centre secret; the centre's seal and intake keys).
///
/// Under systemd they come through `LoadCredential=` in
/// `$CREDENTIALS_DIRECTORY`; elsewhere from `<state>/credentials/`. An
/// absolute name is used as it is.
public struct CredentialStore: Sendable {
    public let directory: URL
    /// The command that creates a missing key, named in the message that says it is missing.
    public let createdBy: String

    public init(stateDirectory: URL, createdBy: String,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.createdBy = createdBy
        if let systemd = environment["CREDENTIALS_DIRECTORY"], !systemd.isEmpty {
            directory = URL(fileURLWithPath: systemd, isDirectory: true)
        } else {
            directory = stateDirectory.appendingPathComponent("credentials", isDirectory: true)
        }
    }

    /// Keys in exactly this folder.
    public init(directory: URL, createdBy: String) {
        self.directory = directory
        self.createdBy = createdBy
    }

    public func url(for name: String) -> URL {
        name.hasPrefix("/") ? URL(fileURLWithPath: name) : directory.appendingPathComponent(name)
    }

    /// A 32-byte key written as 64 hex digits or as base64 (white space ignored).
    /// Refused when others may read it or anyone but its owner may change it:
    /// a key that leaked once cannot be trusted again.
    public func key(named name: String) throws(CredentialError) -> [UInt8] {
        let url = url(for: name)
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CredentialError("credential \(url.path) is missing or unreadable; create it with `\(createdBy)`")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw CredentialError("cannot inspect credential \(url.path)") }
        let mode = status.st_mode & 0o777
        if mode & 0o026 != 0 {
            throw CredentialError("""
                credential \(url.path) is open to others (mode \(String(mode, radix: 8))); \
                `chmod 600 \(url.path)`, and replace the key if others may have read it
                """)
        }
        let data: Data
        do {
            // nil for an empty file: then the length check below says what is wrong.
            data = try FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).readToEnd() ?? Data()
        } catch {
            throw CredentialError("credential \(url.path) is unreadable: \(error.localizedDescription)")
        }
        let text = String(decoding: data, as: UTF8.self).filter { !$0.isWhitespace }
        if text.count == 64, let bytes = [UInt8](hex: text) { return bytes }
        if let decoded = Data(base64Encoded: text), decoded.count == 32 { return Array(decoded) }
        throw CredentialError("credential \(url.path) must hold 32 bytes as 64 hex digits or base64")
    }

    /// Writes a new random key unless the file exists; never overwrites one,
    /// since sealed data would become unreadable. Returns whether it wrote.
    @discardableResult
    public func createKeyIfMissing(named name: String) throws(CredentialError) -> Bool {
        if FileManager.default.fileExists(atPath: url(for: name).path) { return false }
        var generator = SystemRandomNumberGenerator()
        try write((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }, named: name)
        return true
    }

    /// Writes a key given from outside (the centre secret `kiosk-center kiosk
    /// add` printed), replacing the file: owner-only, in an owner-only folder.
    public func write(_ key: [UInt8], named name: String) throws(CredentialError) {
        precondition(key.count == 32)
        let hex = Array((key.hexString + "\n").utf8)
        try writeFile(hex, to: url(for: name), mode: 0o600)
    }

    /// Destroys a key file: its bytes overwritten and synced, then unlinked.
    /// Returns whether there was one.
    @discardableResult
    public func destroy(named name: String) throws(CredentialError) -> Bool {
        let url = url(for: name)
        let descriptor = open(url.path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return false }
            throw CredentialError("cannot remove credential \(url.path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_size > 0 {
            let zeros = [UInt8](repeating: 0, count: Int(status.st_size))
            _ = zeros.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            fsync(descriptor)
        }
        close(descriptor)
        guard unlink(url.path) == 0 else {
            throw CredentialError("cannot remove credential \(url.path): \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// Replaces a file in the credentials folder atomically, created with
    /// its final mode (never widened first and narrowed after).
    public func writeFile(_ bytes: [UInt8], to url: URL, mode: mode_t) throws(CredentialError) {
        let folder = url.deletingLastPathComponent()
        // Created with their final modes (not widened first and narrowed after):
        // the folder 0700, the file 0600, whatever the umask lets through.
        do {
            try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw CredentialError("cannot create the folder above \(folder.path): \(error.localizedDescription)")
        }
        if mkdir(folder.path, 0o700) != 0, errno != EEXIST {
            throw CredentialError("cannot create credential folder \(folder.path): \(String(cString: strerror(errno)))")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).new")
        unlink(temporary.path)
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw CredentialError("cannot write credential \(url.path): \(String(cString: strerror(errno)))")
        }
        // The umask may have narrowed a public file's mode.
        fchmod(descriptor, mode)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary.path, url.path) == 0 else {
            unlink(temporary.path)
            throw CredentialError("cannot write credential \(url.path)")
        }
    }
}

/// A credential file is missing, open to others, unreadable or malformed;
/// the message names the file and what to do, never the key.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
