extension SharedSchema {
    package static let v9Name = "v9-case-plans"

    /// v8's timeline actions and a plan's: an item planned, done, not done.
    package static let v9CaseActions = v7CaseActions + ", 'plan_item', 'plan_done', 'plan_not_done'"

    /// A case's plan (帮扶计划): items of help of one kind each (material,
    /// service, psychological), what (sealed like the resident's data: it
    /// names their needs), whose it is (an adviser, or a partner through one
    /// of the case's referrals), a due day, and how it ended (done or not
    /// done, with a note). Retention erases the words and keeps the codes.
    package static func v9Plans(integer: String, blob: String, key: String) -> String {
        """
        CREATE TABLE plan_items (
            id \(key),
            seq \(integer) NOT NULL REFERENCES cases (seq),
            kind TEXT NOT NULL CHECK (kind IN ('material', 'service', 'psychological')),
            sealed_what \(blob),
            assignee TEXT,
            referral_id \(integer) REFERENCES referrals (id),
            due_on \(integer) NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('open', 'done', 'not_done')),
            sealed_outcome_note \(blob),
            created_by TEXT NOT NULL,
            created_at \(integer) NOT NULL,
            closed_by TEXT,
            closed_at \(integer),
            CHECK ((assignee IS NULL) != (referral_id IS NULL)),
            CHECK ((state = 'open') = (closed_at IS NULL AND closed_by IS NULL))
        );
        CREATE INDEX plan_items_by_case ON plan_items (seq, id);
        -- The inbox's follow-ups: open items by due day.
        CREATE INDEX plan_items_due ON plan_items (due_on) WHERE state = 'open';
        """
    }
}
