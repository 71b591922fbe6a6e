/// The schema's parts both engines write the same way (SQLite's
/// `CenterMigrations`, PostgreSQL's `PostgresMigrations`): the workflow's
/// lists and the migrations that differ only in the integer type.
package enum SharedSchema {
    /// The case workflow's legal moves and its states, as SQL lists (v2's
    /// trigger and CHECKs; PostgreSQL's schema uses the same lists). Never
    /// changed: a new state or move is a new migration, for both engines.
    package static let moves = "'new>accepted', 'new>assigned', 'accepted>assigned', 'accepted>contacted', 'accepted>referred', "
        + "'accepted>in_service', 'assigned>contacted', 'assigned>referred', 'assigned>in_service', "
        + "'contacted>referred', 'contacted>in_service', 'referred>in_service', 'in_service>referred', "
        + "'new>closed', 'accepted>closed', 'assigned>closed', 'contacted>closed', 'referred>closed', "
        + "'in_service>closed'"
    package static let states = "'new', 'accepted', 'assigned', 'contacted', 'referred', 'in_service', 'closed'"

    package static let v5Name = "v5-streets-and-district-imports"

    /// Streets, for a district: a kiosk stands in one (`kiosk add --street`),
    /// each case keeps its kiosk's street (the street centre that handles
    /// it, whatever street the resident gave), and a member of staff may
    /// serve one street (unset: every street, as a district supervisor does).
    /// `district_imports` records how far `migrate-to-postgres` copied a
    /// street centre's access log, so a second run copies no line twice.
    /// The same SQL for both engines but the integer type.
    package static func v5Streets(integer: String) -> String {
        """
        ALTER TABLE kiosks ADD COLUMN street TEXT;
        ALTER TABLE staff ADD COLUMN street TEXT;
        ALTER TABLE cases ADD COLUMN kiosk_street TEXT;
        CREATE INDEX cases_open_by_kiosk_street ON cases (kiosk_street, priority, created_at) WHERE state != 'closed';
        CREATE TABLE district_imports (
            source TEXT PRIMARY KEY NOT NULL,
            audit_through \(integer) NOT NULL DEFAULT 0,
            audit_lines \(integer) NOT NULL DEFAULT 0,
            finished_at \(integer)
        );
        """
    }

    package static let v6Name = "v6-fleet-view"
    package static let v6Roles = "'adviser', 'supervisor', 'auditor', 'technician'"

    /// The fleet view: where a kiosk stands (`place`), its health as judged
    /// at its last heartbeat, what was wrong and since when, its clock
    /// against the centre's (and the last request refused for it), and per
    /// heartbeat the few numbers the history chart draws, so drawing it
    /// parses no JSON (a heartbeat's body is kept only when something changed).
    /// Both engines; each then admits the `technician` role its own way.
    package static func v6Fleet(integer: String) -> String {
        """
        ALTER TABLE kiosks ADD COLUMN place TEXT;
        ALTER TABLE kiosks ADD COLUMN health TEXT CHECK (health IN ('ok', 'degraded', 'down'));
        ALTER TABLE kiosks ADD COLUMN problems TEXT;
        ALTER TABLE kiosks ADD COLUMN health_since \(integer);
        ALTER TABLE kiosks ADD COLUMN clock_offset_ms \(integer);
        ALTER TABLE kiosks ADD COLUMN clock_refused_at \(integer);
        ALTER TABLE kiosks ADD COLUMN clock_refused_offset_ms \(integer);
        ALTER TABLE heartbeats ADD COLUMN health TEXT;
        ALTER TABLE heartbeats ADD COLUMN queue_depth \(integer);
        ALTER TABLE heartbeats ADD COLUMN printer_ready \(integer);
        -- The chart's numbers straight from the index, and the kiosk's changes without a scan.
        CREATE INDEX heartbeats_by_kiosk ON heartbeats (kiosk_code, received_at, queue_depth, printer_ready);
        CREATE INDEX heartbeats_changes ON heartbeats (kiosk_code, received_at) WHERE body != '';

        """
    }
}
