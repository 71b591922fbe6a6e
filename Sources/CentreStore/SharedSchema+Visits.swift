extension SharedSchema {
    package static let v8Name = "v8-home-visits"

    /// Home visits (家庭访视): each with the form version it was made with,
    /// what was recorded (who was met, the answers, the note: sealed like the
    /// resident's data), the weighted score per dimension and the level it
    /// gives (plain, for the inbox and reports), and, when that level differs
    /// from the case's, a supervisor's decision. `cases.version` rises with
    /// every visit and decision: a visit recorded against an older version is
    /// refused, so two advisers never silently overwrite each other.
    /// `cases.next_review_at`: when the family is visited again.
    package static func v8Visits(integer: String, blob: String, key: String) -> String {
        """
        ALTER TABLE cases ADD COLUMN version \(integer) NOT NULL DEFAULT 0;
        ALTER TABLE cases ADD COLUMN next_review_at \(integer);
        CREATE TABLE visits (
            id \(key),
            seq \(integer) NOT NULL REFERENCES cases (seq),
            form_version TEXT NOT NULL,
            visited_on \(integer) NOT NULL,
            sealed_record \(blob),
            economic \(integer) NOT NULL CHECK (economic >= 0),
            social \(integer) NOT NULL CHECK (social >= 0),
            development \(integer) NOT NULL CHECK (development >= 0),
            emergency \(integer) NOT NULL CHECK (emergency IN (0, 1)),
            level TEXT NOT NULL CHECK (level IN ('red', 'yellow', 'green')),
            from_level TEXT NOT NULL CHECK (from_level IN ('red', 'yellow', 'green')),
            state TEXT NOT NULL CHECK (state IN ('recorded', 'pending', 'approved', 'sent_back')),
            recorded_by TEXT NOT NULL,
            recorded_at \(integer) NOT NULL,
            decided_by TEXT,
            decided_at \(integer),
            sealed_decision_note \(blob),
            CHECK ((state IN ('approved', 'sent_back')) = (decided_at IS NOT NULL AND decided_by IS NOT NULL)),
            CHECK ((state = 'recorded') = (level = from_level))
        );
        CREATE INDEX visits_by_case ON visits (seq, id);
        -- A supervisor's approvals, oldest first.
        CREATE INDEX visits_pending ON visits (recorded_at) WHERE state = 'pending';
        CREATE INDEX cases_reviews_due ON cases (next_review_at) WHERE state != 'closed' AND next_review_at IS NOT NULL;
        """
    }
}
