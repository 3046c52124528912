-- Contacts and call teams; teams and "view other users' activities"; an account's tracking
-- numbers and the access-control groups that narrow which of them their members see.
-- Nothing here refers to `call_preferences` (0007): a call team reads a user's preference
-- from it with a LEFT JOIN, the default being e-mail at their own address.

-- People who get called but never sign in: no password, no session, no roles. Deleting one
-- keeps the row (by name, for history) and takes them off every call team.
CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    node_id       INTEGER NOT NULL REFERENCES nodes (id),
    first_name    TEXT    NOT NULL,
    last_name     TEXT    NOT NULL,
    phone         TEXT, -- E.164, e.g. +12025550100
    email         TEXT, -- normalised (trimmed, lower-case)
    send_calls_to TEXT    NOT NULL CHECK (send_calls_to IN ('text', 'email')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    deleted_at    INTEGER
);
CREATE INDEX contacts_node ON contacts (node_id, last_name, first_name);

-- Call teams: an ordered list of members, each a user or a contact. `version` moves with
-- every change of the list, so two people editing it at once cannot overwrite each other.
CREATE TABLE call_teams (
    id         INTEGER PRIMARY KEY,
    node_id    INTEGER NOT NULL REFERENCES nodes (id),
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    -- E-mail members about their missed calls (for those who follow the team setting).
    missed_call_emails INTEGER NOT NULL DEFAULT 0 CHECK (missed_call_emails IN (0, 1))
);
CREATE UNIQUE INDEX call_teams_node_name ON call_teams (node_id, lower(name));

CREATE TABLE call_team_members (
    team_id    INTEGER NOT NULL REFERENCES call_teams (id),
    position   INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users (id),
    contact_id INTEGER REFERENCES contacts (id),
    PRIMARY KEY (team_id, position),
    CHECK ((user_id IS NULL) <> (contact_id IS NULL))
);
CREATE UNIQUE INDEX call_team_members_user ON call_team_members (user_id, team_id);
CREATE UNIQUE INDEX call_team_members_contact ON call_team_members (contact_id, team_id);

-- Teams: named groups of users at a node, for shared activities and team notices.
CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    node_id    INTEGER NOT NULL REFERENCES nodes (id),
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX teams_node_name ON teams (node_id, lower(name));

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- "View other users' activities": at `node_id`, the viewer may see the subject's activities.
CREATE TABLE activity_visibility (
    node_id         INTEGER NOT NULL REFERENCES nodes (id),
    viewer_user_id  INTEGER NOT NULL REFERENCES users (id),
    subject_user_id INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (node_id, viewer_user_id, subject_user_id)
);
CREATE INDEX activity_visibility_viewer ON activity_visibility (viewer_user_id);
CREATE INDEX activity_visibility_subject ON activity_visibility (subject_user_id);

-- An account's tracking numbers (an account node, or the agency itself).
CREATE TABLE tracking_numbers (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES nodes (id),
    number     TEXT    NOT NULL, -- E.164
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX tracking_numbers_account_number ON tracking_numbers (account_id, number);

-- Access-control groups narrow what their members see: someone in at least one group of an
-- account sees only the tracking numbers their groups grant.
CREATE TABLE access_groups (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES nodes (id),
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX access_groups_account_name ON access_groups (account_id, lower(name));

CREATE TABLE access_group_numbers (
    group_id           INTEGER NOT NULL REFERENCES access_groups (id),
    tracking_number_id INTEGER NOT NULL REFERENCES tracking_numbers (id),
    PRIMARY KEY (group_id, tracking_number_id)
);
CREATE INDEX access_group_numbers_number ON access_group_numbers (tracking_number_id);

CREATE TABLE access_group_members (
    group_id INTEGER NOT NULL REFERENCES access_groups (id),
    user_id  INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX access_group_members_user ON access_group_members (user_id);
