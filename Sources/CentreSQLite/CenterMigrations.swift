import CentreStore
import GRDB

/// The centre database's migrations, in order. Never edit one that has
/// shipped: add a new one. SQL only, never application types. The case
/// workflow's invariants live here as CHECKs and triggers, so no code path
/// can leave a case half-moved or rewrite the access log.
package enum CenterMigrations {
    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-kiosks-submissions-heartbeats") { db in
            try db.execute(sql: """
                CREATE TABLE kiosks (
                    code TEXT PRIMARY KEY NOT NULL,
                    secret TEXT NOT NULL CHECK (length(secret) = 64),
                    created_at INTEGER NOT NULL,
                    last_heartbeat_at INTEGER,
                    last_heartbeat TEXT
                );
                CREATE TABLE submissions (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    reference TEXT NOT NULL UNIQUE,
                    kiosk_code TEXT NOT NULL REFERENCES kiosks (code),
                    receipt_number TEXT NOT NULL,
                    hardship TEXT NOT NULL CHECK (hardship IN ('red', 'yellow', 'green')),
                    priority INTEGER NOT NULL,
                    programme TEXT NOT NULL,
                    service TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    body_digest TEXT NOT NULL,
                    sealed_body BLOB NOT NULL,
                    source TEXT NOT NULL CHECK (source IN ('http', 'import')),
                    CHECK (priority = CASE hardship WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END)
                );
                CREATE INDEX submissions_by_level ON submissions (priority, received_at);
                CREATE UNIQUE INDEX submissions_by_receipt ON submissions (kiosk_code, receipt_number);
                CREATE TABLE heartbeats (
                    id INTEGER PRIMARY KEY,
                    kiosk_code TEXT NOT NULL REFERENCES kiosks (code),
                    received_at INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-cases-staff-sessions-audit") { db in
            try db.execute(sql: """
                CREATE TABLE staff (
                    username TEXT PRIMARY KEY NOT NULL CHECK (length(username) BETWEEN 2 AND 32),
                    role TEXT NOT NULL CHECK (role IN ('adviser', 'supervisor', 'auditor')),
                    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$2%'),
                    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                    failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
                    locked_until INTEGER,
                    created_at INTEGER NOT NULL,
                    password_changed_at INTEGER NOT NULL
                );

                -- Sessions live in the database, so any centre process can
                -- serve any signed-in adviser. Only a digest of the cookie.
                CREATE TABLE sessions (
                    token_digest TEXT PRIMARY KEY NOT NULL CHECK (length(token_digest) = 64),
                    username TEXT NOT NULL REFERENCES staff (username),
                    csrf TEXT NOT NULL CHECK (length(csrf) >= 32),
                    created_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL
                );
                CREATE INDEX sessions_by_user ON sessions (username);

                -- One case per received request. Level, programme, service and
                -- street are plain for the inbox and reports; the resident's
                -- data stays in submissions.sealed_body, the triage reasons in
                -- sealed_reasons, both erased after retention.
                CREATE TABLE cases (
                    seq INTEGER PRIMARY KEY REFERENCES submissions (seq),
                    priority INTEGER NOT NULL CHECK (priority IN (0, 1, 2)),
                    street TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    due_at INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN (\(SharedSchema.states))),
                    assignee TEXT REFERENCES staff (username),
                    first_contact_at INTEGER,
                    unanswered_attempts INTEGER NOT NULL DEFAULT 0 CHECK (unanswered_attempts >= 0),
                    partner TEXT,
                    outcome TEXT CHECK (outcome IN ('helped', 'referred_confirmed', 'not_eligible', 'withdrawn',
                                                    'unreachable', 'duplicate')),
                    duplicate_of TEXT,
                    closed_at INTEGER,
                    updated_at INTEGER NOT NULL,
                    sealed_reasons BLOB,
                    erased_at INTEGER,
                    CHECK ((state = 'closed') = (outcome IS NOT NULL AND closed_at IS NOT NULL)),
                    CHECK ((outcome IS 'duplicate') = (duplicate_of IS NOT NULL)),
                    CHECK (state != 'assigned' OR assignee IS NOT NULL),
                    CHECK (state != 'referred' OR partner IS NOT NULL),
                    CHECK (erased_at IS NULL OR (state = 'closed' AND sealed_reasons IS NULL))
                );
                CREATE INDEX cases_open ON cases (priority, created_at) WHERE state != 'closed';
                -- The inbox's overdue count reads only the cases still waiting for a first contact.
                CREATE INDEX cases_awaiting_contact ON cases (due_at) WHERE state != 'closed' AND first_contact_at IS NULL;
                CREATE INDEX cases_by_state ON cases (state, priority, created_at);
                -- The inbox filtered by street or by adviser, in its order.
                CREATE INDEX cases_open_by_street ON cases (street, priority, created_at) WHERE state != 'closed';
                CREATE INDEX cases_open_by_assignee ON cases (assignee, priority, created_at) WHERE state != 'closed';
                CREATE INDEX cases_by_month ON cases (created_at);
                CREATE INDEX cases_erasable ON cases (closed_at) WHERE state = 'closed' AND erased_at IS NULL;

                CREATE TRIGGER cases_state_machine BEFORE UPDATE OF state ON cases
                WHEN OLD.state != NEW.state AND (OLD.state || '>' || NEW.state) NOT IN (\(SharedSchema.moves))
                BEGIN SELECT RAISE(ABORT, 'illegal case transition'); END;

                -- A case's timeline: one row per action (who, when, from, to),
                -- written in the same transaction as the change it records.
                CREATE TABLE case_events (
                    id INTEGER PRIMARY KEY,
                    seq INTEGER NOT NULL REFERENCES cases (seq),
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('received', 'accept', 'assign', 'contact', 'refer',
                                                           'start_service', 'close', 'duplicate')),
                    from_state TEXT CHECK (from_state IN (\(SharedSchema.states))),
                    to_state TEXT NOT NULL CHECK (to_state IN (\(SharedSchema.states))),
                    detail TEXT,
                    sealed_note BLOB,
                    CHECK ((action = 'received') = (from_state IS NULL)),
                    CHECK (from_state IS NULL OR from_state = to_state OR (from_state || '>' || to_state) IN (\(SharedSchema.moves)))
                );
                CREATE INDEX case_events_by_case ON case_events (seq, id);

                -- Who looked at or changed what, never the data itself.
                -- Append-only: the triggers refuse any change or deletion.
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    case_reference TEXT,
                    detail TEXT
                );
                CREATE INDEX audit_log_by_time ON audit_log (at);
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        // A heartbeat is stored with its signature, unique: one replayed
        // within the ±300 s window is refused, not stored again.
        migrator.registerMigration("v3-heartbeat-replay-guard") { db in
            try db.execute(sql: """
                ALTER TABLE heartbeats ADD COLUMN signature TEXT;
                CREATE UNIQUE INDEX heartbeats_signature ON heartbeats (signature) WHERE signature IS NOT NULL;
                CREATE INDEX heartbeats_by_time ON heartbeats (received_at);
                """)
        }
        // Kiosk secrets leave the clear: they move to `kiosk_secrets`, sealed
        // with the centre's seal key, by a start-up step (a migration has no
        // key: `CenterStore.sealKioskSecrets`), with generations so a kiosk's
        // secret can be rotated while its earlier receipts still verify, and
        // `revoked_at` to shut a lost kiosk out. SQLite cannot relax a
        // column's NOT NULL, so `kiosks` is rebuilt (foreign keys are
        // deferred during migrations; the tables pointing at it keep the name).
        migrator.registerMigration("v4-sealed-kiosk-secrets") { db in
            try db.execute(sql: """
                CREATE TABLE kiosks_v4 (
                    code TEXT PRIMARY KEY NOT NULL,
                    -- Only between this migration and the next start: then sealed and NULL.
                    unsealed_secret TEXT CHECK (unsealed_secret IS NULL OR length(unsealed_secret) = 64),
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER,
                    last_heartbeat_at INTEGER,
                    last_heartbeat TEXT
                );
                INSERT INTO kiosks_v4 (code, unsealed_secret, created_at, last_heartbeat_at, last_heartbeat)
                    SELECT code, secret, created_at, last_heartbeat_at, last_heartbeat FROM kiosks;
                DROP TABLE kiosks;
                ALTER TABLE kiosks_v4 RENAME TO kiosks;
                CREATE TABLE kiosk_secrets (
                    kiosk_code TEXT NOT NULL REFERENCES kiosks (code),
                    generation INTEGER NOT NULL CHECK (generation > 0),
                    sealed_secret BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    retired_at INTEGER,
                    PRIMARY KEY (kiosk_code, generation)
                );
                -- At most one secret a kiosk signs with.
                CREATE UNIQUE INDEX kiosk_secrets_current ON kiosk_secrets (kiosk_code) WHERE retired_at IS NULL;
                """)
        }
        migrator.registerMigration(SharedSchema.v5Name) { db in try db.execute(sql: SharedSchema.v5Streets(integer: "INTEGER")) }
        // SQLite cannot change a CHECK: `staff` is rebuilt to admit technicians
        // (foreign keys are deferred during migrations, as for v4's `kiosks`).
        migrator.registerMigration(SharedSchema.v6Name) { db in
            try db.execute(sql: SharedSchema.v6Fleet(integer: "INTEGER") + """
                CREATE TABLE staff_v6 (
                    username TEXT PRIMARY KEY NOT NULL CHECK (length(username) BETWEEN 2 AND 32),
                    role TEXT NOT NULL CHECK (role IN (\(SharedSchema.v6Roles))),
                    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$2%'),
                    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                    failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
                    locked_until INTEGER,
                    created_at INTEGER NOT NULL,
                    password_changed_at INTEGER NOT NULL,
                    street TEXT
                );
                INSERT INTO staff_v6 SELECT username, role, password_hash, disabled, failed_logins, locked_until,
                    created_at, password_changed_at, street FROM staff;
                DROP TABLE staff;
                ALTER TABLE staff_v6 RENAME TO staff;
                """)
        }
        // v7: referrals; `staff` rebuilt again to admit partner staff, each of one partner, and
        // `case_events` to admit a partner's answer as a line of the case's timeline.
        migrator.registerMigration(SharedSchema.v7Name) { db in
            try db.execute(sql: SharedSchema.v7Referrals(integer: "INTEGER", blob: "BLOB", key: "INTEGER PRIMARY KEY") + """
                CREATE TRIGGER referrals_state_machine BEFORE UPDATE OF state ON referrals
                WHEN OLD.state != NEW.state AND (OLD.state || '>' || NEW.state) NOT IN (\(SharedSchema.referralMoves))
                BEGIN SELECT RAISE(ABORT, 'illegal referral transition'); END;
                CREATE TABLE staff_v7 (
                    username TEXT PRIMARY KEY NOT NULL CHECK (length(username) BETWEEN 2 AND 32),
                    role TEXT NOT NULL CHECK (role IN (\(SharedSchema.v7Roles))),
                    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$2%'),
                    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                    failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
                    locked_until INTEGER,
                    created_at INTEGER NOT NULL,
                    password_changed_at INTEGER NOT NULL,
                    street TEXT,
                    partner TEXT,
                    CHECK ((role = 'partner') = (partner IS NOT NULL))
                );
                INSERT INTO staff_v7 SELECT username, role, password_hash, disabled, failed_logins, locked_until,
                    created_at, password_changed_at, street, partner FROM staff;
                DROP TABLE staff;
                ALTER TABLE staff_v7 RENAME TO staff;
                """ + Self.rebuildCaseEvents(actions: SharedSchema.v7CaseActions))
        }
        migrator.registerMigration(SharedSchema.v8Name) { db in
            try db.execute(sql: SharedSchema.v8Visits(integer: "INTEGER", blob: "BLOB", key: "INTEGER PRIMARY KEY"))
        }
        // v9: case plans; v10: text messages. Each rebuilds `case_events`
        // (SQLite changes no CHECK in place) to admit its timeline lines.
        migrator.registerMigration(SharedSchema.v9Name) { db in
            try db.execute(sql: SharedSchema.v9Plans(integer: "INTEGER", blob: "BLOB", key: "INTEGER PRIMARY KEY")
                           + Self.rebuildCaseEvents(actions: SharedSchema.v9CaseActions))
        }
        migrator.registerMigration(SharedSchema.v10Name) { db in
            try db.execute(sql: SharedSchema.v10Messages(integer: "INTEGER", blob: "BLOB", key: "INTEGER PRIMARY KEY")
                           + Self.rebuildCaseEvents(actions: SharedSchema.v10CaseActions))
        }
        return migrator
    }
}
