-- Tamper evidence for the audit log (app/src/server/audit/chain.rs): each new entry records
-- its position in a hash chain (`seq`, 1, 2, 3 … without gaps), the hash of the entry before
-- it and its own hash. The hash is computed by the application, the one encoding both
-- backends share, so entries written before this migration keep NULL chain fields: the
-- chain starts after them and `roster audit verify` says from which entry.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

-- Reads the chain's tail, and refuses a second entry at one position (a fork).
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);

-- The tail to link a new entry to, with the append lock held until the transaction ends, so
-- two transactions never extend the same tail. VOLATILE matters: the SELECT then takes a
-- snapshot after the lock is granted and sees the entry the previous holder committed (a
-- plain statement's snapshot would predate the wait). The key is an arbitrary constant
-- owned by this lock.
CREATE FUNCTION audit_chain_tail() RETURNS TABLE (seq BIGINT, hash TEXT)
    LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7291748306114201613);
    RETURN QUERY SELECT a.seq, a.hash FROM audit_log a
        WHERE a.seq IS NOT NULL ORDER BY a.seq DESC LIMIT 1;
END;
$$;

-- 0006 refuses UPDATE and DELETE row by row; TRUNCATE fires no row triggers, so it needs its
-- own (statement-level) one.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
