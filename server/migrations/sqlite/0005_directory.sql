-- The users directory: search keys, and the indexes its queries walk.
--
-- Search is "starts with", case-insensitively, on first name, last name, e-mail and
-- username. Each is a lower-cased generated column that the database keeps in step on every
-- write (no write path needs to know about them), indexed so that a prefix is one index
-- range. A substring search ('%x%') would read every row; a prefix does not. SQLite can only
-- add VIRTUAL generated columns to an existing table: the indexes store the values.
ALTER TABLE users ADD COLUMN first_key TEXT GENERATED ALWAYS AS (lower(first_name)) VIRTUAL;
ALTER TABLE users ADD COLUMN last_key TEXT GENERATED ALWAYS AS (lower(last_name)) VIRTUAL;
ALTER TABLE users ADD COLUMN email_key TEXT GENERATED ALWAYS AS (lower(email)) VIRTUAL;
ALTER TABLE users ADD COLUMN username_key TEXT GENERATED ALWAYS AS (lower(username)) VIRTUAL;

-- One index per sort order, each ending with the id (the keyset's tie-breaker), so a page
-- is an index range read in order and stops at the page size. Each also carries what the
-- directory checks on every person it passes (state, home, the search keys): the checks
-- read the index (SQLite still visits the row for a virtual column it returns). The name
-- and e-mail ones also answer a prefix of the last name and of the e-mail address.
CREATE INDEX users_dir_name
    ON users (last_key, first_key, id, status, home_node_id, email_key, username_key);
CREATE INDEX users_dir_email
    ON users (email_key, id, status, home_node_id, first_key, last_key, username_key);
CREATE INDEX users_dir_created
    ON users (created_at, id, status, home_node_id, first_key, last_key, email_key, username_key);
-- Sorting by status, and the name order within each status when the list is filtered by
-- status (one index range per status chosen, merged).
CREATE INDEX users_dir_status
    ON users (status, last_key, first_key, id, home_node_id, email_key, username_key);
-- Prefix search on the first name and the username.
CREATE INDEX users_dir_first ON users (first_key);
CREATE INDEX users_dir_username ON users (username_key);
