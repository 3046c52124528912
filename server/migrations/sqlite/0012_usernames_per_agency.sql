-- Usernames are unique within an agency, not across all of them: "this username is taken"
-- must not tell one tenant that another tenant has someone called that.
--
-- Each person belongs to one agency: the agency of their home account (`home_node_id`, set
-- when they are added and never changed; accounts move only within their agency). One
-- identity per e-mail address still holds across agencies (the address is how one signs in),
-- but the username is the agency's business. `agency_id` records that agency so uniqueness
-- can be an index: (agency, username), with people of no agency (none are made so today)
-- sharing one namespace. Writers set `agency_id` from the home node (repo/users.rs).
--
-- SQLite cannot drop the column's UNIQUE constraint, so the table is rebuilt. This runs in
-- the migration's transaction with foreign keys on: their checks are deferred to the commit,
-- when every id is back. Dropping the old table deletes its rows first, which cascades to
-- sessions and trusted devices: they are kept aside and put back.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE keep_sessions AS SELECT * FROM sessions;
CREATE TEMP TABLE keep_trusted_devices AS SELECT * FROM trusted_devices;
CREATE TEMP TABLE old_users AS
    SELECT id, email, username, first_name, last_name, time_zone, status, password_hash,
           home_node_id, status_changed_at, created_at, updated_at, version, status_reason
    FROM users;

DROP TABLE users;

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    email             TEXT    NOT NULL UNIQUE, -- normalised (trimmed, lower-case)
    username          TEXT    NOT NULL,        -- unique within the agency
    first_name        TEXT    NOT NULL,
    last_name         TEXT    NOT NULL,
    time_zone         TEXT    NOT NULL DEFAULT 'America/New_York',
    status            TEXT    NOT NULL
        CHECK (status IN ('invited', 'active', 'suspended', 'disabled', 'deleted')),
    password_hash     TEXT, -- argon2id PHC string; NULL until a password is set
    home_node_id      INTEGER REFERENCES nodes (id), -- the account that created the user
    status_changed_at INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    status_reason     TEXT,
    agency_id         INTEGER REFERENCES nodes (id), -- the agency of `home_node_id`
    first_key         TEXT GENERATED ALWAYS AS (lower(first_name)) VIRTUAL,
    last_key          TEXT GENERATED ALWAYS AS (lower(last_name)) VIRTUAL,
    email_key         TEXT GENERATED ALWAYS AS (lower(email)) VIRTUAL,
    username_key      TEXT GENERATED ALWAYS AS (lower(username)) VIRTUAL
);

INSERT INTO users (id, email, username, first_name, last_name, time_zone, status,
                   password_hash, home_node_id, status_changed_at, created_at, updated_at,
                   version, status_reason, agency_id)
SELECT u.id, u.email, u.username, u.first_name, u.last_name, u.time_zone, u.status,
       u.password_hash, u.home_node_id, u.status_changed_at, u.created_at, u.updated_at,
       u.version, u.status_reason,
       (SELECT c.ancestor_id FROM node_closure c JOIN nodes n ON n.id = c.ancestor_id
        WHERE c.descendant_id = u.home_node_id AND n.parent_id IS NULL)
FROM old_users u;

INSERT INTO sessions SELECT * FROM keep_sessions
    WHERE token_hash NOT IN (SELECT token_hash FROM sessions);
INSERT INTO trusted_devices SELECT * FROM keep_trusted_devices
    WHERE token_hash NOT IN (SELECT token_hash FROM trusted_devices);
DROP TABLE keep_sessions;
DROP TABLE keep_trusted_devices;
DROP TABLE old_users;

CREATE UNIQUE INDEX users_agency_username ON users (COALESCE(agency_id, 0), username);
-- As before (0002, 0005).
CREATE INDEX users_home_node ON users (home_node_id);
CREATE INDEX users_dir_name
    ON users (last_key, first_key, id, status, home_node_id, email_key, username_key);
CREATE INDEX users_dir_email
    ON users (email_key, id, status, home_node_id, first_key, last_key, username_key);
CREATE INDEX users_dir_created
    ON users (created_at, id, status, home_node_id, first_key, last_key, email_key, username_key);
CREATE INDEX users_dir_status
    ON users (status, last_key, first_key, id, home_node_id, email_key, username_key);
CREATE INDEX users_dir_first ON users (first_key);
CREATE INDEX users_dir_username ON users (username_key);

-- "A user with this e-mail address already exists" about someone outside the caller's reach
-- (inviting, bulk add) is an answer about another account or agency: each caller gets a
-- bounded number of them per hour (`window_start`, `used`), kept here so the bound holds
-- across servers; every such answer is also in the audit log.
CREATE TABLE email_lookups (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id),
    window_start INTEGER NOT NULL,
    used         INTEGER NOT NULL
);
