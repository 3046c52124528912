-- Throttling that holds across servers, and devices a person has signed in from.

-- One row per throttled key: a client address, an e-mail address (hashed, whether or not
-- anyone has it, so known and unknown addresses behave alike), a person changing their
-- password, a setup attempt. `failures` counts the failures since `window_start`;
-- `locked_until` is set when the key is locked out. Rows untouched for a day are pruned.
CREATE TABLE throttle (
    bucket       TEXT    NOT NULL PRIMARY KEY,
    window_start INTEGER  NOT NULL,
    failures     INTEGER  NOT NULL,
    locked_until INTEGER,
    updated_at   INTEGER  NOT NULL
);
CREATE INDEX throttle_updated ON throttle (updated_at);

-- Device cookies (OWASP's "device cookie" lockout design): a browser that signed in to a
-- person's account before carries a random token whose SHA-256 is stored here. A locked
-- account stays open to its known devices, so a stranger's failed tries cannot keep the
-- person out; each device has its own small failure budget.
CREATE TABLE trusted_devices (
    token_hash   TEXT    NOT NULL PRIMARY KEY,
    user_id      INTEGER  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER  NOT NULL,
    last_used_at INTEGER  NOT NULL,
    failures     INTEGER  NOT NULL DEFAULT 0
);
CREATE INDEX trusted_devices_user ON trusted_devices (user_id);

-- The per-person counters are replaced by the `throttle` table.
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
