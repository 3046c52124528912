-- The user lifecycle and password resets.

-- Why a person was suspended or disabled (shown to administrators), with `status_changed_at`.
ALTER TABLE users ADD COLUMN status_reason TEXT;

-- Password-reset links ("forgot password", and the link a reinvited person gets). Like
-- invitations: the link carries a random token, only its SHA-256 is stored, a link works once
-- and expires; issuing a new link ends the older ones of the same person.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT    NOT NULL UNIQUE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('forgotten', 'reinvite')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX password_resets_user ON password_resets (user_id);
