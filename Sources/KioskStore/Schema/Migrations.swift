import GRDB

/// The kiosk database's migrations, in order. Never edit one that has
/// shipped: add a new one. They use SQL only, never application types, so
/// they read the same in every later version.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-queue-print-audit-status") { db in
            // Invariants of the queue's state machine live here, so no code
            // path can leave a row half-moved:
            //   queued → sending (lease_until set) → queued | forwarded | dead
            try db.execute(sql: """
                CREATE TABLE submissions (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
                    receipt_number TEXT NOT NULL,
                    receipt_day TEXT NOT NULL CHECK (length(receipt_day) = 6),
                    receipt_sequence INTEGER NOT NULL CHECK (receipt_sequence > 0),
                    created_at INTEGER NOT NULL,
                    language TEXT NOT NULL CHECK (language IN ('zh-Hans', 'en')),
                    programme_id TEXT NOT NULL,
                    service_id TEXT NOT NULL,
                    hardship TEXT NOT NULL CHECK (hardship IN ('red', 'yellow', 'green')),
                    priority INTEGER NOT NULL,
                    consent_version TEXT NOT NULL,
                    consented_at INTEGER NOT NULL,
                    sealed_personal BLOB,
                    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'forwarded', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    next_attempt_at INTEGER NOT NULL,
                    lease_until INTEGER,
                    centre_reference TEXT,
                    forwarded_at INTEGER,
                    dead_reason TEXT,
                    last_error TEXT,
                    purged_at INTEGER,
                    -- Also the receipt-number lookup: the number holds day and sequence.
                    UNIQUE (receipt_day, receipt_sequence),
                    CHECK (priority = CASE hardship WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END),
                    CHECK ((state = 'sending') = (lease_until IS NOT NULL)),
                    CHECK ((state = 'forwarded') = (centre_reference IS NOT NULL AND forwarded_at IS NOT NULL)),
                    CHECK ((state = 'dead') = (dead_reason IS NOT NULL)),
                    CHECK (purged_at IS NULL OR state = 'forwarded'),
                    CHECK ((sealed_personal IS NULL) = (purged_at IS NOT NULL))
                );
                CREATE INDEX submissions_ready ON submissions (priority, created_at) WHERE state = 'queued';
                CREATE INDEX submissions_leased ON submissions (lease_until) WHERE state = 'sending';
                CREATE INDEX submissions_unpurged ON submissions (forwarded_at)
                    WHERE state = 'forwarded' AND purged_at IS NULL;

                CREATE TABLE print_jobs (
                    id INTEGER PRIMARY KEY,
                    submission_id TEXT REFERENCES submissions (id),
                    copy TEXT NOT NULL CHECK (copy IN ('resident', 'centre', 'test')),
                    state TEXT NOT NULL
                        CHECK (state IN ('pending', 'submitted', 'completed', 'aborted', 'canceled', 'failed')),
                    printer TEXT,
                    cups_job_id INTEGER,
                    reason TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    CHECK ((copy = 'test') = (submission_id IS NULL))
                );
                CREATE INDEX print_jobs_open ON print_jobs (created_at) WHERE state IN ('pending', 'submitted');
                CREATE INDEX print_jobs_submission ON print_jobs (submission_id);

                -- What happened to each request, without personal data: kept
                -- after the applicant's data is purged.
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    event TEXT NOT NULL,
                    submission_id TEXT,
                    detail TEXT
                );
                CREATE INDEX audit_log_submission ON audit_log (submission_id);

                -- One row a role (front, forwarder, printer, centre): its
                -- heartbeat and a short state for technicians.
                CREATE TABLE role_status (
                    role TEXT PRIMARY KEY NOT NULL CHECK (length(role) BETWEEN 1 AND 32),
                    updated_at INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    detail TEXT,
                    pid INTEGER,
                    version TEXT
                );
                """)
        }
        // Dead requests (refused by the centre) kept their personal data
        // forever: v1's CHECK let only forwarded rows be purged. SQLite cannot
        // change a CHECK, so the table is rebuilt (SQLite's documented
        // procedure; GRDB runs migrations with foreign keys deferred), with
        // `dead_at` so retention counts from when a request was set aside.
        // Existing dead rows take the time of their "dead" audit entry.
        migrator.registerMigration("v2-dead-requests-purgeable") { db in
            try db.execute(sql: """
                CREATE TABLE submissions_v2 (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
                    receipt_number TEXT NOT NULL,
                    receipt_day TEXT NOT NULL CHECK (length(receipt_day) = 6),
                    receipt_sequence INTEGER NOT NULL CHECK (receipt_sequence > 0),
                    created_at INTEGER NOT NULL,
                    language TEXT NOT NULL CHECK (language IN ('zh-Hans', 'en')),
                    programme_id TEXT NOT NULL,
                    service_id TEXT NOT NULL,
                    hardship TEXT NOT NULL CHECK (hardship IN ('red', 'yellow', 'green')),
                    priority INTEGER NOT NULL,
                    consent_version TEXT NOT NULL,
                    consented_at INTEGER NOT NULL,
                    sealed_personal BLOB,
                    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'forwarded', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    next_attempt_at INTEGER NOT NULL,
                    lease_until INTEGER,
                    centre_reference TEXT,
                    forwarded_at INTEGER,
                    dead_reason TEXT,
                    dead_at INTEGER,
                    last_error TEXT,
                    purged_at INTEGER,
                    UNIQUE (receipt_day, receipt_sequence),
                    CHECK (priority = CASE hardship WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END),
                    CHECK ((state = 'sending') = (lease_until IS NOT NULL)),
                    CHECK ((state = 'forwarded') = (centre_reference IS NOT NULL AND forwarded_at IS NOT NULL)),
                    CHECK ((state = 'dead') = (dead_reason IS NOT NULL AND dead_at IS NOT NULL)),
                    CHECK (purged_at IS NULL OR state IN ('forwarded', 'dead')),
                    CHECK ((sealed_personal IS NULL) = (purged_at IS NOT NULL))
                );
                INSERT INTO submissions_v2
                SELECT id, receipt_number, receipt_day, receipt_sequence, created_at, language, programme_id, service_id,
                       hardship, priority, consent_version, consented_at, sealed_personal, state, attempts,
                       next_attempt_at, lease_until, centre_reference, forwarded_at, dead_reason,
                       CASE WHEN state = 'dead' THEN COALESCE(
                           (SELECT MAX(at) FROM audit_log WHERE audit_log.submission_id = submissions.id AND event = 'dead'),
                           next_attempt_at) END,
                       last_error, purged_at
                FROM submissions;
                DROP TABLE submissions;
                ALTER TABLE submissions_v2 RENAME TO submissions;
                CREATE INDEX submissions_ready ON submissions (priority, created_at) WHERE state = 'queued';
                CREATE INDEX submissions_leased ON submissions (lease_until) WHERE state = 'sending';
                CREATE INDEX submissions_unpurged ON submissions (forwarded_at)
                    WHERE state = 'forwarded' AND purged_at IS NULL;
                CREATE INDEX submissions_dead_unpurged ON submissions (dead_at)
                    WHERE state = 'dead' AND purged_at IS NULL;
                """)
        }
        migrator.registerMigration("v3-progress-from-the-centre") { db in
            // What became of this kiosk's requests at the centre, as the
            // forwarder fetched it: receipt number, state, time, partner,
            // outcome. Nothing personal; kept after requests are purged, so
            // a resident can still check months later.
            try db.execute(sql: """
                CREATE TABLE progress (
                    centre_id INTEGER PRIMARY KEY,
                    receipt_number TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('received', 'accepted', 'assigned', 'contacted', 'referred',
                                                         'in_service', 'closed')),
                    at INTEGER NOT NULL,
                    partner_zh TEXT,
                    partner_en TEXT,
                    outcome TEXT,
                    CHECK ((partner_zh IS NULL) = (partner_en IS NULL))
                );
                CREATE INDEX progress_by_receipt ON progress (receipt_number, centre_id);
                """)
        }
        migrator.registerMigration("v4-queue-counts") { db in
            // Counts per state kept by triggers, so status, metrics and the
            // heartbeats read four rows instead of scanning every request
            // ever taken (forwarded rows stay, purged or not). A migration
            // that rebuilds `submissions` must create these triggers again.
            try db.execute(sql: """
                CREATE TABLE queue_counts (
                    state TEXT PRIMARY KEY NOT NULL,
                    n INTEGER NOT NULL CHECK (n >= 0)
                ) WITHOUT ROWID;
                INSERT INTO queue_counts (state, n)
                    SELECT column1, (SELECT COUNT(*) FROM submissions WHERE state = column1)
                    FROM (VALUES ('queued'), ('sending'), ('forwarded'), ('dead'));
                CREATE TRIGGER queue_counts_insert AFTER INSERT ON submissions BEGIN
                    UPDATE queue_counts SET n = n + 1 WHERE state = NEW.state;
                END;
                CREATE TRIGGER queue_counts_update AFTER UPDATE OF state ON submissions
                WHEN OLD.state != NEW.state BEGIN
                    UPDATE queue_counts SET n = n - 1 WHERE state = OLD.state;
                    UPDATE queue_counts SET n = n + 1 WHERE state = NEW.state;
                END;
                CREATE TRIGGER queue_counts_delete AFTER DELETE ON submissions BEGIN
                    UPDATE queue_counts SET n = n - 1 WHERE state = OLD.state;
                END;
                -- The oldest pending request by index, not by scan.
                CREATE INDEX submissions_pending_age ON submissions (created_at) WHERE state IN ('queued', 'sending');
                """)
        }
        migrator.registerMigration("v5-queue-due-times") { db in
            // The idle forwarder sleeps until the earliest retry falls due:
            // found by index, however many requests wait for a later try.
            try db.execute(sql: """
                CREATE INDEX submissions_due ON submissions (next_attempt_at) WHERE state = 'queued';
                """)
        }
        migrator.registerMigration("v6-progress-referral-answers") { db in
            // A partner's answer to a referral (received, accepted, declined,
            // completed on a day), as the centre's progress feed carries it.
            try db.execute(sql: """
                ALTER TABLE progress ADD COLUMN referral TEXT
                    CHECK (referral IN ('received', 'accepted', 'declined', 'completed'));
                ALTER TABLE progress ADD COLUMN delivered_on INTEGER;
                """)
        }
        return migrator
    }
}
