-- The users directory: search keys, and the indexes its queries walk.
--
-- Search is "starts with", case-insensitively, on first name, last name, e-mail and
-- username. Each is a lower-cased generated column that the database keeps in step on every
-- write (no write path needs to know about them), indexed so that a prefix is one index
-- range. A substring search ('%x%') would read every row; a prefix does not.
-- COLLATE "C" (byte order, as SQLite's): a prefix is then a contiguous range of the index
-- whatever the database's locale, and the same range comparisons work on both backends.
ALTER TABLE users
    ADD COLUMN first_key TEXT COLLATE "C" GENERATED ALWAYS AS (lower(first_name)) STORED,
    ADD COLUMN last_key TEXT COLLATE "C" GENERATED ALWAYS AS (lower(last_name)) STORED,
    ADD COLUMN email_key TEXT COLLATE "C" GENERATED ALWAYS AS (lower(email)) STORED,
    ADD COLUMN username_key TEXT COLLATE "C" GENERATED ALWAYS AS (lower(username)) STORED;

-- One index per sort order, each ending with the id (the keyset's tie-breaker), so a page
-- is an index range read in order and stops at the page size. Each also carries what the
-- directory checks on every person it passes (state, home, the search keys), so a walk is
-- an index-only scan, and the table is read only for the rows of the page. The name and
-- e-mail ones also answer a prefix of the last name and of the e-mail address.
CREATE INDEX users_dir_name ON users (last_key, first_key, id)
    INCLUDE (status, home_node_id, email_key, username_key);
CREATE INDEX users_dir_email ON users (email_key, id)
    INCLUDE (status, home_node_id, first_key, last_key, username_key);
CREATE INDEX users_dir_created ON users (created_at, id)
    INCLUDE (status, home_node_id, first_key, last_key, email_key, username_key);
-- Sorting by status, and the name order within each status when the list is filtered by
-- status (one index range per status chosen, merged).
CREATE INDEX users_dir_status ON users (status, last_key, first_key, id)
    INCLUDE (home_node_id, email_key, username_key);
-- Prefix search on the first name and the username.
CREATE INDEX users_dir_first ON users (first_key);
CREATE INDEX users_dir_username ON users (username_key);
-- The people at home in a sub-tree, read from the index alone (PostgreSQL indexes do not
-- carry the row id the way SQLite's do, so `users_home_node` alone means a table read per
-- person).
CREATE INDEX users_dir_home ON users (home_node_id, id);
