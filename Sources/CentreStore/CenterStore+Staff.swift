// SHA256 for session digests; SymmetricKey is not marked Sendable in swift-crypto 3.
@preconcurrency import Crypto
import CentreConfig
import CentreWorkflow
import Foundation
import HummingbirdBcrypt

/// A staff account as lists show it (never its password hash).
public struct StaffMember: Sendable, Equatable {
    public var username: String
    public var role: StaffRole
    public var disabled: Bool
    public var lockedUntil: Date?
    public var createdAt: Date
    /// The street this member serves; nil: every street (a district supervisor, or a centre without streets).
    public var street: String?
    /// The partner organisation a `partner` account works for.
    public var partner: String? = nil
}

/// A signed-in member of staff, as each console request sees them.
public struct StaffSession: Sendable, Equatable {
    public var username: String
    public var role: StaffRole
    /// Every form of this session carries it; a post without it is refused.
    public var csrf: String
    /// The street whose cases this member sees; nil: every street.
    public var street: String? = nil
    /// The partner organisation whose referrals a `partner` account sees.
    public var partner: String? = nil
}

/// Why a staff command was refused.
extension CenterError {
    public static let minimumPasswordLength = 12

    static func nameTaken(_ name: String) -> CenterError { CenterError(description: "staff account '\(name)' already exists") }
    static func unknown(_ name: String) -> CenterError { CenterError(description: "no staff account '\(name)'") }
    static let partnerAccount = CenterError(
        description: "a partner account needs --partner ID (its organisation in partners.yaml); no other role takes one")
    static let badName = CenterError(
        description: "a staff name is 2 to 32 lower-case letters, digits, '.', '-' or '_', starting with a letter")
    static let shortPassword = CenterError(
        description: "the password must have at least \(minimumPasswordLength) characters")
}

/// The result of a sign-in attempt.
public enum SignIn: Sendable, Equatable {
    /// The cookie value to set (shown only here) and the session it opens.
    case success(token: String, session: StaffSession)
    case wrongPassword
    case locked(until: Date)
    case disabled
}

extension CenterStore {
    /// bcrypt cost: about a quarter second per check on a kiosk-class CPU.
    static let bcryptCost: UInt8 = 12
    /// Checked when a name is unknown, so that a wrong name takes as long as
    /// a wrong password and does not tell which names exist.
    static let decoyHash = Bcrypt.hash("decoy password for unknown names", cost: bcryptCost)

    /// A `partner` account needs `partner` (its organisation's id) and no other role takes one.
    public func addStaff(_ username: String, role: StaffRole, password: String, street: String? = nil,
                         partner: String? = nil, actor: String, now: Date = Date()) async throws {
        guard Self.isStaffName(username) else { throw CenterError.badName }
        guard (role == .partner) == (partner != nil) else { throw CenterError.partnerAccount }
        let hash = try await Self.hashPassword(password)
        try await database.write { db in
            guard try await db.fetchOne("SELECT 1 FROM staff WHERE username = ?", [username]) == nil
            else { throw CenterError.nameTaken(username) }
            try await db.execute("""
                INSERT INTO staff (username, role, password_hash, created_at, password_changed_at, street, partner)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [username, role.rawValue, hash, now.millisecondsSince1970, now.millisecondsSince1970, street, partner])
            let scope = (street.map { " in \($0)" } ?? "") + (partner.map { " for \($0)" } ?? "")
            try await Self.audit(db, actor: actor, action: "staff_add", detail: "\(username) as \(role.rawValue)\(scope)", at: now)
        }
    }

    public func staff() async throws -> [StaffMember] {
        try await database.read { db in
            try await db.fetchAll("SELECT * FROM staff ORDER BY username").map { row in
                StaffMember(username: row["username"], role: StaffRole(rawValue: row["role"]) ?? .adviser,
                            disabled: row["disabled"], lockedUntil: (row["locked_until"] as Int64?).map(Date.init(milliseconds:)),
                            createdAt: Date(milliseconds: row["created_at"]), street: row["street"], partner: row["partner"])
            }
        }
    }

    /// Staff who can take cases (advisers and supervisors, not disabled).
    public func caseworkers() async throws -> [String] {
        try await database.read { db in
            try await db.fetchColumn("""
                SELECT username FROM staff WHERE disabled = 0 AND role IN ('adviser', 'supervisor') ORDER BY username
                """)
        }
    }

    /// Disables an account and ends its sessions at once.
    public func disableStaff(_ username: String, actor: String, now: Date = Date()) async throws {
        try await database.write { db in
            guard try await db.execute("UPDATE staff SET disabled = 1 WHERE username = ?", [username]) == 1
            else { throw CenterError.unknown(username) }
            try await db.execute("DELETE FROM sessions WHERE username = ?", [username])
            try await Self.audit(db, actor: actor, action: "staff_disable", detail: username, at: now)
        }
    }

    /// Sets a new password; also lifts a lockout and ends the account's sessions.
    public func setPassword(_ username: String, password: String, actor: String, now: Date = Date()) async throws {
        let hash = try await Self.hashPassword(password)
        try await database.write { db in
            let changed = try await db.execute("""
                UPDATE staff SET password_hash = ?, failed_logins = 0, locked_until = NULL, password_changed_at = ?
                WHERE username = ?
                """, [hash, now.millisecondsSince1970, username])
            guard changed == 1 else { throw CenterError.unknown(username) }
            try await db.execute("DELETE FROM sessions WHERE username = ?", [username])
            try await Self.audit(db, actor: actor, action: "staff_password", detail: username, at: now)
        }
    }

    /// Checks a password and opens a session. `lockoutAfter` wrong passwords
    /// in a row lock the account for `lockout`; the count resets on success.
    ///
    /// The password is checked first, every time (on `checker`'s threads,
    /// never the caller's), and every refusal of a wrong password is the same
    /// `.wrongPassword`: only someone who knows the password learns that the
    /// account is locked or disabled. A lock holds against the addresses the
    /// wrong passwords came from (`fromAddressWithFailures`); the right
    /// password from anywhere else still signs in, so a stranger who types
    /// wrong passwords cannot lock staff out of their own console.
    public func signIn(_ username: String, password: String, settings: ConsoleSettings,
                       checker: PasswordChecker = .shared, fromAddressWithFailures: Bool = true,
                       now: Date = Date()) async throws -> SignIn {
        let row = try await database.read { db in
            try await db.fetchOne("SELECT * FROM staff WHERE username = ?", [username])
        }
        // An unknown name costs the same check, so the time does not tell which names exist.
        let good = try await checker.verify(password, hash: row.map { $0["password_hash"] as String } ?? Self.decoyHash)
        guard let row else {
            try await database.write { db in
                try await Self.audit(db, actor: "unknown", action: "sign_in_failed", detail: "unknown name", at: now)
            }
            return .wrongPassword
        }
        return try await database.write { db -> SignIn in
            guard good else {
                // Counted in the row, not read then written: wrong passwords
                // sent to two centre processes at once all count.
                let failures: Int = try await db.fetchValue("""
                    UPDATE staff SET failed_logins = failed_logins + 1 WHERE username = ? RETURNING failed_logins
                    """, [username]) ?? 1
                if failures >= settings.lockoutAfterFailures {
                    let until = now.addingTimeInterval(settings.lockout.seconds)
                    try await db.execute("UPDATE staff SET failed_logins = 0, locked_until = ? WHERE username = ?",
                                   [until.millisecondsSince1970, username])
                    try await Self.audit(db, actor: username, action: "locked_out", detail: "\(failures) wrong passwords", at: now)
                } else {
                    try await Self.audit(db, actor: username, action: "sign_in_failed", detail: "wrong password", at: now)
                }
                return .wrongPassword
            }
            if (row["disabled"] as Bool) {
                try await Self.audit(db, actor: username, action: "sign_in_refused", detail: "account disabled", at: now)
                return .disabled
            }
            if fromAddressWithFailures, let until = (row["locked_until"] as Int64?).map(Date.init(milliseconds:)), until > now {
                try await Self.audit(db, actor: username, action: "sign_in_refused", detail: "account locked", at: now)
                return .locked(until: until)
            }
            try await db.execute("UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE username = ?", [username])
            let token = Self.randomToken(), csrf = Self.randomToken()
            try await db.execute("""
                INSERT INTO sessions (token_digest, username, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
                """, [Self.digest(token), username, csrf, now.millisecondsSince1970, now.millisecondsSince1970])
            try await Self.audit(db, actor: username, action: "sign_in", at: now)
            let role = StaffRole(rawValue: row["role"]) ?? .adviser
            return .success(token: token, session: StaffSession(username: username, role: role, csrf: csrf,
                                                                street: row["street"], partner: row["partner"]))
        }
    }

    /// The session a cookie names, if it is still live; refreshes its idle
    /// clock (at most once a minute, so reading pages rarely writes).
    /// The longest a session lasts from sign-in, used or not.
    public static let sessionLifetime: Duration = .seconds(12 * 3600)

    public func session(token: String, idle: Duration, now: Date = Date()) async throws -> StaffSession? {
        let digest = Self.digest(token)
        let row = try await database.read { db in
            try await db.fetchOne("""
                SELECT s.username, s.csrf, s.last_seen_at, s.created_at, st.role, st.street, st.partner FROM sessions s
                JOIN staff st ON st.username = s.username AND st.disabled = 0
                WHERE s.token_digest = ?
                """, [digest])
        }
        guard let row else { return nil }
        let lastSeen = Date(milliseconds: row["last_seen_at"])
        // Idle too long, or open longer than a working day however busy: a
        // stolen cookie does not last for ever.
        if now.timeIntervalSince(lastSeen) > idle.seconds
            || now.timeIntervalSince(Date(milliseconds: row["created_at"])) > Self.sessionLifetime.seconds {
            try await database.write { db in
                try await db.execute("DELETE FROM sessions WHERE token_digest = ?", [digest])
                try await Self.audit(db, actor: row["username"], action: "session_expired", at: now)
            }
            return nil
        }
        if now.timeIntervalSince(lastSeen) > 60 {
            _ = try await database.write { db in
                try await db.execute("UPDATE sessions SET last_seen_at = ? WHERE token_digest = ?",
                               [now.millisecondsSince1970, digest])
            }
        }
        return StaffSession(username: row["username"], role: StaffRole(rawValue: row["role"]) ?? .adviser,
                            csrf: row["csrf"], street: row["street"], partner: row["partner"])
    }

    public func signOut(token: String, now: Date = Date()) async throws {
        try await database.write { db in
            let username: String? = try await db.fetchValue("SELECT username FROM sessions WHERE token_digest = ?",
                                                      [Self.digest(token)])
            try await db.execute("DELETE FROM sessions WHERE token_digest = ?", [Self.digest(token)])
            if let username { try await Self.audit(db, actor: username, action: "sign_out", at: now) }
        }
    }

    /// bcrypt on the password checker's threads, off the concurrency pool.
    static func hashPassword(_ password: String) async throws -> String {
        guard password.count >= CenterError.minimumPasswordLength else { throw CenterError.shortPassword }
        return try await PasswordChecker.shared.hash(password, cost: bcryptCost)
    }

    static func isStaffName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), (2...32).contains(name.utf8.count)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" || $0 == "_"
        }
    }

    /// 256 random bits, base64url.
    package static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
