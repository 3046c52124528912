-- Usernames are unique within an agency, not across all of them: "this username is taken"
-- must not tell one tenant that another tenant has someone called that.
--
-- Each person belongs to one agency: the agency of their home account (`home_node_id`, set
-- when they are added and never changed; accounts move only within their agency). One
-- identity per e-mail address still holds across agencies (the address is how one signs in),
-- but the username is the agency's business. `agency_id` records that agency so uniqueness
-- can be an index: (agency, username), with people of no agency (none are made so today)
-- sharing one namespace. Writers set `agency_id` from the home node (repo/users.rs).
ALTER TABLE users ADD COLUMN agency_id BIGINT REFERENCES nodes (id);
UPDATE users u SET agency_id =
    (SELECT c.ancestor_id FROM node_closure c JOIN nodes n ON n.id = c.ancestor_id
     WHERE c.descendant_id = u.home_node_id AND n.parent_id IS NULL);
ALTER TABLE users DROP CONSTRAINT users_username_key;
CREATE UNIQUE INDEX users_agency_username ON users (COALESCE(agency_id, 0), username);

-- "A user with this e-mail address already exists" about someone outside the caller's reach
-- (inviting, bulk add) is an answer about another account or agency: each caller gets a
-- bounded number of them per hour (`window_start`, `used`), kept here so the bound holds
-- across servers; every such answer is also in the audit log.
CREATE TABLE email_lookups (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id),
    window_start BIGINT NOT NULL,
    used         BIGINT NOT NULL
);
