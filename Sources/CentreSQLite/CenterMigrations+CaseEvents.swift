import CentreStore

extension CenterMigrations {
    /// `case_events` again with `actions` as its CHECK's list (v7, v9, v10):
    /// SQLite changes no CHECK in place, so the table is copied into a new one.
    static func rebuildCaseEvents(actions: String) -> String {
        """
        CREATE TABLE case_events_next (
            id INTEGER PRIMARY KEY,
            seq INTEGER NOT NULL REFERENCES cases (seq),
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN (\(actions))),
            from_state TEXT CHECK (from_state IN (\(SharedSchema.states))),
            to_state TEXT NOT NULL CHECK (to_state IN (\(SharedSchema.states))),
            detail TEXT,
            sealed_note BLOB,
            CHECK ((action = 'received') = (from_state IS NULL)),
            CHECK (from_state IS NULL OR from_state = to_state OR (from_state || '>' || to_state) IN (\(SharedSchema.moves)))
        );
        INSERT INTO case_events_next SELECT id, seq, at, actor, action, from_state, to_state, detail, sealed_note
            FROM case_events;
        DROP TABLE case_events;
        ALTER TABLE case_events_next RENAME TO case_events;
        CREATE INDEX case_events_by_case ON case_events (seq, id);
        """
    }
}
