-- Foundation: the account tree, identities, roles, memberships, sessions, first-run setup
-- codes and the audit log. Times are UTC milliseconds since the Unix epoch (INTEGER), so
-- SQLite and PostgreSQL store and compare them the same way.

CREATE TABLE nodes (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES nodes (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('agency', 'account', 'group')),
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX nodes_parent ON nodes (parent_id);

-- Every (ancestor, descendant) pair, a node being its own ancestor at depth 0: "roles held at
-- N or above" and "everything below N" are each one indexed join, whatever the depth.
CREATE TABLE node_closure (
    ancestor_id   INTEGER NOT NULL REFERENCES nodes (id),
    descendant_id INTEGER NOT NULL REFERENCES nodes (id),
    depth         INTEGER NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX node_closure_descendant ON node_closure (descendant_id, ancestor_id);

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    email             TEXT    NOT NULL UNIQUE, -- normalised (trimmed, lower-case)
    username          TEXT    NOT NULL UNIQUE,
    first_name        TEXT    NOT NULL,
    last_name         TEXT    NOT NULL,
    time_zone         TEXT    NOT NULL DEFAULT 'America/New_York',
    status            TEXT    NOT NULL
        CHECK (status IN ('invited', 'active', 'suspended', 'disabled', 'deleted')),
    password_hash     TEXT, -- argon2id PHC string; NULL until a password is set
    home_node_id      INTEGER REFERENCES nodes (id), -- the account that created the user
    failed_logins     INTEGER NOT NULL DEFAULT 0,
    locked_until      INTEGER,
    status_changed_at INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    agency_id   INTEGER REFERENCES nodes (id), -- NULL for built-in roles, shared by all agencies
    builtin_key TEXT UNIQUE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    permissions TEXT    NOT NULL, -- space-separated permission keys
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX roles_agency_name ON roles (agency_id, name);

CREATE TABLE memberships (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    node_id    INTEGER NOT NULL REFERENCES nodes (id),
    role_id    INTEGER NOT NULL REFERENCES roles (id),
    granted_by INTEGER REFERENCES users (id),
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, node_id, role_id)
);
CREATE INDEX memberships_node ON memberships (node_id, user_id);

-- Server-side sessions: the cookie holds a random token, the table only its SHA-256.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    user_agent   TEXT    NOT NULL DEFAULT '',
    ip           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One-time codes that guard the first-run setup page; each server process adds its own.
CREATE TABLE setup_codes (
    code_hash  TEXT    PRIMARY KEY,
    created_at INTEGER NOT NULL
);

-- Append-only history. Names are copied so entries survive the people they mention.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    actor_id       INTEGER,
    actor_name     TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    target_user_id INTEGER,
    target_name    TEXT,
    node_id        INTEGER,
    details        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_node ON audit_log (node_id, id);
