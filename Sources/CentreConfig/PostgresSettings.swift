import Foundation

/// Where a centre's PostgreSQL database is, as center.yaml's `database:`
/// line names it: `postgres://USER@HOST:PORT/NAME?sslmode=…&sslrootcert=…&pool_size=…`.
/// Never a password in the line (it would sit in a world-readable file and
/// in messages): the password comes from the credential file.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    public enum TLS: String, Sendable, Equatable {
        /// Plain TCP: a database on the same host or a private network.
        case disable
        /// Encrypted; the server's certificate is not checked (libpq's `require`).
        case require
        /// Encrypted, and the certificate must be the server's name, signed by `sslrootcert` or the system's CAs.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLS
    /// A CA bundle for `verify-full`.
    public var rootCertificate: String?
    /// Connections this process keeps at most.
    public var poolSize: Int

    /// Without the password: safe to print.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    public static let defaultPoolSize = 8

    /// Parses the URL; nil when it is not a PostgreSQL URL at all, a
    /// problem for one that is but says something wrong.
    public static func parse(_ text: String) -> Result<PostgresSettings, ParseProblem>? {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else { return nil }
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            return .failure(ParseProblem("database: '\(text)' is not a URL such as postgres://kiosk_center@db.example:5432/kiosk_center"))
        }
        if components.password != nil {
            return .failure(ParseProblem("""
                database: the URL carries a password; put it in the credential file center-database.password instead
                """))
        }
        guard let user = components.user, !user.isEmpty else {
            return .failure(ParseProblem("database: the URL names no user (postgres://USER@HOST/NAME)"))
        }
        let name = String(components.path.drop(while: { $0 == "/" }))
        guard !name.isEmpty, !name.contains("/") else {
            return .failure(ParseProblem("database: the URL names no database (postgres://USER@HOST/NAME)"))
        }
        var settings = PostgresSettings(user: user, host: host, port: components.port ?? 5432, database: name,
                                        tls: .disable, rootCertificate: nil, poolSize: defaultPoolSize)
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLS.init(rawValue:)) else {
                    return .failure(ParseProblem("database: sslmode is disable, require or verify-full"))
                }
                settings.tls = mode
            case "sslrootcert":
                settings.rootCertificate = item.value
            case "pool_size":
                guard let size = item.value.flatMap(Int.init), (1...64).contains(size) else {
                    return .failure(ParseProblem("database: pool_size is a number from 1 to 64"))
                }
                settings.poolSize = size
            default:
                return .failure(ParseProblem("database: unknown URL parameter '\(item.name)' (sslmode, sslrootcert, pool_size)"))
            }
        }
        return .success(settings)
    }

    public struct ParseProblem: Error, CustomStringConvertible, Equatable {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
