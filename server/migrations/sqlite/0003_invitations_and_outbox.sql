-- Invitations and the mail outbox.
--
-- An invitation lets a person who was added as `invited` set a password and sign in. The
-- link carries a random token; only its SHA-256 is stored. Accepting, revoking or resending
-- (a new token) each end the old link. The roles are given when the invitation is accepted.
CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    node_id      INTEGER NOT NULL REFERENCES nodes (id),
    role_ids     TEXT    NOT NULL, -- space-separated role ids, given at `node_id` on acceptance
    token_hash   TEXT    NOT NULL UNIQUE,
    invited_by   INTEGER REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    last_sent_at INTEGER NOT NULL, -- moves on each resend, with `expires_at`
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX invitations_node ON invitations (node_id, id);
CREATE INDEX invitations_user ON invitations (user_id);

-- A transactional outbox: each mail is written in the same transaction as the change that
-- causes it, then delivered by a background worker, retried with back-off until it goes.
-- `locked_until` is the lease of the worker delivering it right now.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT,
    locked_until    INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
