import CentreWorkflow

extension SharedSchema {
    package static let v7Name = "v7-referrals"
    package static let v7Roles = "'adviser', 'supervisor', 'auditor', 'technician', 'partner'"

    /// The referral workflow's legal moves and states, as SQL lists (v7's
    /// trigger and CHECKs; a test compares them with `ReferralState`).
    package static let referralMoves = "'requested>received', 'requested>accepted', 'requested>declined', "
        + "'received>accepted', 'received>declined', 'accepted>in_progress', 'accepted>completed', "
        + "'in_progress>completed', 'requested>cancelled', 'received>cancelled', 'accepted>cancelled', "
        + "'in_progress>cancelled'"
    package static let referralStates = "'requested', 'received', 'accepted', 'declined', 'in_progress', 'completed', 'cancelled'"
    package static let openReferralStates = "'requested', 'received', 'accepted', 'in_progress'"
    /// What a case's timeline (`case_events.action`) records from v7 on: a
    /// partner's answer is a line there too (`referral`), so the kiosk's
    /// progress feed, which follows that timeline, carries it to the resident.
    package static let v7CaseActions = "'received', 'accept', 'assign', 'contact', 'refer', 'start_service', 'close', "
        + "'duplicate', 'referral', 'visit', 'visit_approved', 'visit_sent_back'"

    /// Referrals (转介) as records of their own, several per case: one
    /// partner, one kind of help, a state of its own, the partner's answer
    /// (a decline's reason; what was delivered), the adviser's note for the
    /// partner and any free text sealed like the resident's data. Each move
    /// is a line in `referral_events`, written with it. `number` is what the
    /// slip prints and a partner types (`<case reference>-<n>`).
    /// `answer_due_at`: the partner's answer deadline, after which the
    /// referral comes back to the adviser. The same SQL for both engines but
    /// the types; each adds its trigger and admits the `partner` role its own way.
    package static func v7Referrals(integer: String, blob: String, key: String) -> String {
        """
        CREATE TABLE referrals (
            id \(key),
            number TEXT NOT NULL UNIQUE,
            seq \(integer) NOT NULL REFERENCES cases (seq),
            partner TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('material', 'service', 'psychological')),
            state TEXT NOT NULL CHECK (state IN (\(referralStates))),
            share_id \(integer) NOT NULL DEFAULT 0 CHECK (share_id IN (0, 1)),
            sealed_note \(blob),
            created_by TEXT NOT NULL,
            created_at \(integer) NOT NULL,
            answer_due_at \(integer) NOT NULL,
            received_at \(integer),
            answered_at \(integer),
            decline_reason TEXT CHECK (decline_reason IN ('no_capacity', 'not_eligible', 'cannot_reach', 'other')),
            sealed_decline_note \(blob),
            delivered_kind TEXT CHECK (delivered_kind IN ('material', 'service', 'psychological')),
            sealed_delivered_what \(blob),
            delivered_on \(integer),
            delivered_amount_cents \(integer) CHECK (delivered_amount_cents >= 0),
            cancel_reason TEXT CHECK (cancel_reason IN ('resident_withdrew', 'helped_elsewhere', 'wrong_partner', 'other')),
            closed_at \(integer),
            updated_at \(integer) NOT NULL,
            CHECK ((state = 'declined') = (decline_reason IS NOT NULL)),
            CHECK ((state = 'completed') = (delivered_kind IS NOT NULL AND delivered_on IS NOT NULL)),
            CHECK ((state = 'cancelled') = (cancel_reason IS NOT NULL)),
            CHECK ((state IN ('declined', 'completed', 'cancelled')) = (closed_at IS NOT NULL)),
            CHECK (state != 'received' OR received_at IS NOT NULL)
        );
        CREATE INDEX referrals_by_case ON referrals (seq, id);
        -- A partner's inbox: its open referrals; the adviser's returned ones.
        CREATE INDEX referrals_open_by_partner ON referrals (partner, answer_due_at) WHERE state IN (\(openReferralStates));
        CREATE INDEX referrals_by_partner_month ON referrals (partner, created_at);
        -- What may be back with the adviser (declined, or unanswered and perhaps past its deadline), read by every inbox page.
        CREATE INDEX referrals_awaiting_adviser ON referrals (answer_due_at) WHERE state IN ('requested', 'received', 'declined');
        CREATE TABLE referral_events (
            id \(key),
            referral_id \(integer) NOT NULL REFERENCES referrals (id),
            at \(integer) NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('referral_create', 'referral_open', 'referral_accept',
                'referral_decline', 'referral_start', 'referral_complete', 'referral_cancel')),
            from_state TEXT CHECK (from_state IN (\(referralStates))),
            to_state TEXT NOT NULL CHECK (to_state IN (\(referralStates))),
            detail TEXT,
            sealed_note \(blob),
            CHECK ((action = 'referral_create') = (from_state IS NULL)),
            CHECK (from_state IS NULL OR from_state = to_state OR (from_state || '>' || to_state) IN (\(referralMoves)))
        );
        CREATE INDEX referral_events_by_referral ON referral_events (referral_id, id);
        ALTER TABLE staff ADD COLUMN partner TEXT;
        -- A partner with its own system signs its API calls with a secret of its
        -- own (`kiosk-center partner add`), sealed as kiosks' are; one current.
        CREATE TABLE partner_secrets (
            partner TEXT NOT NULL,
            generation \(integer) NOT NULL CHECK (generation >= 1),
            sealed_secret \(blob) NOT NULL,
            created_at \(integer) NOT NULL,
            retired_at \(integer),
            PRIMARY KEY (partner, generation)
        );
        CREATE UNIQUE INDEX partner_secrets_current ON partner_secrets (partner) WHERE retired_at IS NULL;
        -- Each answer a partner's system sent, by the id it chose: a resend
        -- (after a lost reply, a restart) is told the result, never applied twice.
        CREATE TABLE referral_answers (
            answer_id TEXT PRIMARY KEY NOT NULL CHECK (length(answer_id) BETWEEN 8 AND 64),
            partner TEXT NOT NULL,
            number TEXT NOT NULL,
            body_digest TEXT NOT NULL CHECK (length(body_digest) = 64),
            state TEXT NOT NULL CHECK (state IN (\(referralStates))),
            received_at \(integer) NOT NULL
        );
        """
    }
}
