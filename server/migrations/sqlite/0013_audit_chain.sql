-- Tamper evidence for the audit log (app/src/server/audit/chain.rs): each new entry records
-- its position in a hash chain (`seq`, 1, 2, 3 … without gaps), the hash of the entry before
-- it and its own hash. SQLite cannot compute SHA-256, so entries written before this
-- migration keep NULL chain fields: the chain starts after them and `roster audit verify`
-- says from which entry. The append-only triggers of 0006 stay; SQLite has no TRUNCATE, and
-- `DELETE` is refused by them.
ALTER TABLE audit_log ADD COLUMN seq INTEGER;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

-- Reads the chain's tail, and refuses a second entry at one position (a fork).
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);
