import CentreMessages

extension SharedSchema {
    package static let v10Name = "v10-text-messages"

    /// v9's timeline actions, a resident's reply and an adviser's own text message.
    package static let v10CaseActions = v9CaseActions + ", 'reply', 'text_message'"

    static var messageKinds: String { MessageKind.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") }

    /// Text messages to residents. `cases.texts_allowed`: the resident said
    /// yes at the kiosk; `cases.phone_key`: a keyed digest of their number,
    /// so a reply finds its case without opening every request. `messages`
    /// is the outbox, written in the same transaction as the change that
    /// causes it: queued until `send_after` (a burst settles, quiet hours
    /// pass, the follow-up's day comes), then sent through the gateway, then
    /// delivered or failed by its delivery report; superseded when a later
    /// step of the same burst took its place. `call_due_at`: when an adviser
    /// should phone instead (a permanent failure, or no delivery report in time).
    package static func v10Messages(integer: String, blob: String, key: String) -> String {
        """
        ALTER TABLE cases ADD COLUMN texts_allowed \(integer) NOT NULL DEFAULT 0 CHECK (texts_allowed IN (0, 1));
        ALTER TABLE cases ADD COLUMN phone_key TEXT;
        CREATE INDEX cases_by_phone_key ON cases (phone_key) WHERE phone_key IS NOT NULL;
        CREATE TABLE messages (
            id \(key),
            seq \(integer) NOT NULL REFERENCES cases (seq),
            kind TEXT NOT NULL CHECK (kind IN (\(messageKinds))),
            detail TEXT,
            sealed_text \(blob),
            created_by TEXT NOT NULL,
            created_at \(integer) NOT NULL,
            send_after \(integer) NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'superseded')),
            attempts \(integer) NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            segments \(integer),
            sent_at \(integer),
            delivered_at \(integer),
            failed_at \(integer),
            status_detail TEXT,
            call_due_at \(integer),
            CHECK ((state IN ('sent', 'delivered')) <= (sent_at IS NOT NULL)),
            CHECK ((state = 'delivered') = (delivered_at IS NOT NULL)),
            CHECK ((state = 'failed') = (failed_at IS NOT NULL))
        );
        CREATE INDEX messages_by_case ON messages (seq, id);
        -- The sender's queue, and the messages still waiting for a delivery report.
        CREATE INDEX messages_due ON messages (send_after) WHERE state = 'queued';
        CREATE INDEX messages_unconfirmed ON messages (sent_at) WHERE state = 'sent';
        -- What /metrics counts at each scrape, without reading the whole history.
        CREATE INDEX messages_unsettled ON messages (state, created_at) WHERE state IN ('queued', 'sending', 'sent');
        CREATE INDEX messages_failed ON messages (failed_at) WHERE state = 'failed';
        CREATE TABLE message_replies (
            id \(key),
            seq \(integer) NOT NULL REFERENCES cases (seq),
            message_id \(integer) REFERENCES messages (id),
            received_at \(integer) NOT NULL,
            sealed_text \(blob),
            answer TEXT CHECK (answer IN ('yes', 'no'))
        );
        CREATE INDEX message_replies_by_case ON message_replies (seq, id);
        """
    }
}
