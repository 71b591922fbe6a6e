import CentreStore
import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema, kept in step with `CenterMigrations` (SQLite):
/// the same tables, columns, CHECKs, unique indexes, foreign keys and
/// triggers, in PostgreSQL's words. A PostgreSQL database starts at the
/// SQLite schema's latest version in one step; each later migration is
/// added to both lists under the same name (a test compares them).
package enum PostgresMigrations {
    package static let tables = ["kiosks", "kiosk_secrets", "submissions", "heartbeats", "staff", "sessions", "cases",
                         "case_events", "audit_log", "district_imports"]

    static let migrations: [(name: String, sql: String)] = [
        ("v4-sealed-kiosk-secrets", schemaAtV4),
        (SharedSchema.v5Name, SharedSchema.v5Streets(integer: "BIGINT")),
        (SharedSchema.v6Name, SharedSchema.v6Fleet(integer: "BIGINT") + """
            ALTER TABLE staff DROP CONSTRAINT staff_role_check;
            ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN (\(SharedSchema.v6Roles)));
            """),
    ]

    package static var names: [String] { migrations.map(\.name) }

    /// Applies what is missing, in one transaction, under an advisory lock:
    /// two centre processes starting together do not both migrate.
    /// A serving role apart from the schema's owner (README: "A schema owner
    /// apart from the service") may create nothing: on a database already at
    /// this version nothing here asks to.
    static func migrate(_ connection: PostgresConnection, logger: Logger, location: String) async throws {
        let exists = try await connection.simpleQuery("SELECT to_regclass('centre_migrations') IS NOT NULL").get()
            .first.map { try $0.decode(Bool.self) } ?? false
        if !exists {
            _ = try await connection.simpleQuery("""
                CREATE TABLE IF NOT EXISTS centre_migrations (
                    name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """).get()
        }
        _ = try await connection.simpleQuery("BEGIN").get()
        do {
            _ = try await connection.simpleQuery("SELECT pg_advisory_xact_lock(7461626)").get()
            let applied = try await connection.simpleQuery("SELECT name FROM centre_migrations").get()
                .map { try $0.decode(String.self) }
            let known = Set(names)
            if let unknown = applied.first(where: { !known.contains($0) }) {
                throw CenterError(description: """
                    the database at \(location) was migrated by a newer kiosk-center (\(unknown)); \
                    upgrade this one before starting it
                    """)
            }
            for migration in migrations where !applied.contains(migration.name) {
                logger.info("migrating the database", metadata: ["migration": "\(migration.name)"])
                // postgres-nio sends each query as a prepared statement: one statement at a time.
                for statement in statements(migration.sql) {
                    do { _ = try await connection.simpleQuery(statement).get() } catch
                        where "\(String(reflecting: error))".contains("aclcheck_error") {
                        // The server's privilege check failed: a serving role apart from the schema's owner.
                        throw CenterError(description: """
                            the database at \(location) needs migration \(migration.name), which this role may not \
                            apply: start kiosk-center once as the schema's owner, then grant the serving role again
                            """)
                    }
                }
                _ = try await connection.query("INSERT INTO centre_migrations (name) VALUES (\(migration.name))",
                                               logger: logger).collect()
            }
            _ = try await connection.simpleQuery("COMMIT").get()
        } catch {
            _ = try? await connection.simpleQuery("ROLLBACK").get()
            throw error
        }
    }

    /// A script's statements: split at semicolons outside quoted text,
    /// `$$` bodies and comments.
    static func statements(_ script: String) -> [String] {
        var statements: [String] = [], current = ""
        var quoted = false, dollarQuoted = false, comment = false
        var previous: Character = " "
        for character in script {
            if comment {
                if character == "\n" { comment = false }
                previous = character
                continue
            }
            if !quoted && !dollarQuoted && previous == "-" && character == "-" {
                current.removeLast()
                comment = true
                continue
            }
            if character == "'" && !dollarQuoted { quoted.toggle() }
            if character == "$" && previous == "$" && !quoted { dollarQuoted.toggle() }
            if character == ";" && !quoted && !dollarQuoted {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { statements.append(statement) }
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        let last = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty { statements.append(last) }
        return statements
    }

    static var moves: String { SharedSchema.moves }
    static var states: String { SharedSchema.states }

    /// CenterMigrations v1 to v4 as they leave a SQLite database. Times are
    /// milliseconds since 1970 (BIGINT) as there; flags 0/1 as there.
    static let schemaAtV4 = """
        CREATE TABLE kiosks (
            code TEXT PRIMARY KEY,
            unsealed_secret TEXT CHECK (unsealed_secret IS NULL OR length(unsealed_secret) = 64),
            created_at BIGINT NOT NULL,
            revoked_at BIGINT,
            last_heartbeat_at BIGINT,
            last_heartbeat TEXT
        );
        CREATE TABLE kiosk_secrets (
            kiosk_code TEXT NOT NULL REFERENCES kiosks (code),
            generation BIGINT NOT NULL CHECK (generation > 0),
            sealed_secret BYTEA NOT NULL,
            created_at BIGINT NOT NULL,
            retired_at BIGINT,
            PRIMARY KEY (kiosk_code, generation)
        );
        CREATE UNIQUE INDEX kiosk_secrets_current ON kiosk_secrets (kiosk_code) WHERE retired_at IS NULL;

        -- References are made from this number; several processes draw from it at once.
        CREATE SEQUENCE submissions_seq;
        CREATE TABLE submissions (
            seq BIGINT PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            reference TEXT NOT NULL UNIQUE,
            kiosk_code TEXT NOT NULL REFERENCES kiosks (code),
            receipt_number TEXT NOT NULL,
            hardship TEXT NOT NULL CHECK (hardship IN ('red', 'yellow', 'green')),
            priority BIGINT NOT NULL,
            programme TEXT NOT NULL,
            service TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            body_digest TEXT NOT NULL,
            sealed_body BYTEA NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('http', 'import')),
            CHECK (priority = CASE hardship WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END)
        );
        CREATE INDEX submissions_by_level ON submissions (priority, received_at);
        CREATE UNIQUE INDEX submissions_by_receipt ON submissions (kiosk_code, receipt_number);

        CREATE TABLE heartbeats (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            kiosk_code TEXT NOT NULL REFERENCES kiosks (code),
            received_at BIGINT NOT NULL,
            body TEXT NOT NULL,
            signature TEXT
        );
        CREATE UNIQUE INDEX heartbeats_signature ON heartbeats (signature) WHERE signature IS NOT NULL;
        CREATE INDEX heartbeats_by_time ON heartbeats (received_at);

        CREATE TABLE staff (
            username TEXT PRIMARY KEY CHECK (length(username) BETWEEN 2 AND 32),
            role TEXT NOT NULL CHECK (role IN ('adviser', 'supervisor', 'auditor')),
            password_hash TEXT NOT NULL CHECK (password_hash LIKE '$2%'),
            disabled BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
            failed_logins BIGINT NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
            locked_until BIGINT,
            created_at BIGINT NOT NULL,
            password_changed_at BIGINT NOT NULL
        );
        CREATE TABLE sessions (
            token_digest TEXT PRIMARY KEY CHECK (length(token_digest) = 64),
            username TEXT NOT NULL REFERENCES staff (username),
            csrf TEXT NOT NULL CHECK (length(csrf) >= 32),
            created_at BIGINT NOT NULL,
            last_seen_at BIGINT NOT NULL
        );
        CREATE INDEX sessions_by_user ON sessions (username);

        CREATE TABLE cases (
            seq BIGINT PRIMARY KEY REFERENCES submissions (seq),
            priority BIGINT NOT NULL CHECK (priority IN (0, 1, 2)),
            street TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            due_at BIGINT NOT NULL,
            state TEXT NOT NULL CHECK (state IN (\(states))),
            assignee TEXT REFERENCES staff (username),
            first_contact_at BIGINT,
            unanswered_attempts BIGINT NOT NULL DEFAULT 0 CHECK (unanswered_attempts >= 0),
            partner TEXT,
            outcome TEXT CHECK (outcome IN ('helped', 'referred_confirmed', 'not_eligible', 'withdrawn',
                                            'unreachable', 'duplicate')),
            duplicate_of TEXT,
            closed_at BIGINT,
            updated_at BIGINT NOT NULL,
            sealed_reasons BYTEA,
            erased_at BIGINT,
            CHECK ((state = 'closed') = (outcome IS NOT NULL AND closed_at IS NOT NULL)),
            CHECK ((outcome IS NOT DISTINCT FROM 'duplicate') = (duplicate_of IS NOT NULL)),
            CHECK (state != 'assigned' OR assignee IS NOT NULL),
            CHECK (state != 'referred' OR partner IS NOT NULL),
            CHECK (erased_at IS NULL OR (state = 'closed' AND sealed_reasons IS NULL))
        );
        CREATE INDEX cases_open ON cases (priority, created_at) WHERE state != 'closed';
        CREATE INDEX cases_awaiting_contact ON cases (due_at) WHERE state != 'closed' AND first_contact_at IS NULL;
        CREATE INDEX cases_by_state ON cases (state, priority, created_at);
        CREATE INDEX cases_open_by_street ON cases (street, priority, created_at) WHERE state != 'closed';
        CREATE INDEX cases_open_by_assignee ON cases (assignee, priority, created_at) WHERE state != 'closed';
        CREATE INDEX cases_by_month ON cases (created_at);
        CREATE INDEX cases_erasable ON cases (closed_at) WHERE state = 'closed' AND erased_at IS NULL;

        CREATE FUNCTION cases_state_machine() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.state != NEW.state AND (OLD.state || '>' || NEW.state) NOT IN (\(moves)) THEN
                RAISE EXCEPTION 'illegal case transition';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER cases_state_machine BEFORE UPDATE OF state ON cases
            FOR EACH ROW EXECUTE FUNCTION cases_state_machine();

        -- written_by: the transaction that wrote the line, so kiosks read
        -- progress only once every earlier line is committed.
        CREATE TABLE case_events (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            seq BIGINT NOT NULL REFERENCES cases (seq),
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('received', 'accept', 'assign', 'contact', 'refer',
                                                   'start_service', 'close', 'duplicate')),
            from_state TEXT CHECK (from_state IN (\(states))),
            to_state TEXT NOT NULL CHECK (to_state IN (\(states))),
            detail TEXT,
            sealed_note BYTEA,
            written_by xid8 NOT NULL DEFAULT pg_current_xact_id(),
            CHECK ((action = 'received') = (from_state IS NULL)),
            CHECK (from_state IS NULL OR from_state = to_state OR (from_state || '>' || to_state) IN (\(moves)))
        );
        CREATE INDEX case_events_by_case ON case_events (seq, id);

        CREATE TABLE audit_log (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            case_reference TEXT,
            detail TEXT
        );
        CREATE INDEX audit_log_by_time ON audit_log (at);
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only';
        END $$;
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
        """
}
