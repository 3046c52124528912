-- How many people hold each role in each subtree, kept exact by triggers, so the roles page,
-- the directory's role filter and the node page read a handful of rows instead of counting
-- distinct holders over every grant of the agency (0.5 s at 100,000 people).
--
-- role_reach: one row per (node, role, person) where the person holds the role at the node or
-- below it, with how many such grants there are; a row appears with the first grant and
-- goes with the last. role_holder_counts: the number of those rows per (node, role).
-- Grants are kept up to date by the triggers on memberships; moves by the triggers on
-- node_closure (a move deletes the subtree's old ancestor rows and inserts the new ones).
-- Deleting a person ends their memberships, so deleted people are never counted.
CREATE TABLE role_reach (
    ancestor_id BIGINT NOT NULL,
    role_id     BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    grants      BIGINT NOT NULL,
    PRIMARY KEY (ancestor_id, role_id, user_id)
);

CREATE TABLE role_holder_counts (
    node_id BIGINT NOT NULL,
    role_id BIGINT NOT NULL,
    holders BIGINT NOT NULL,
    PRIMARY KEY (node_id, role_id)
);

INSERT INTO role_reach (ancestor_id, role_id, user_id, grants)
SELECT c.ancestor_id, m.role_id, m.user_id, COUNT(*)
FROM memberships m JOIN node_closure c ON c.descendant_id = m.node_id
GROUP BY c.ancestor_id, m.role_id, m.user_id;

INSERT INTO role_holder_counts (node_id, role_id, holders)
SELECT ancestor_id, role_id, COUNT(*) FROM role_reach GROUP BY ancestor_id, role_id;

CREATE FUNCTION role_reach_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO role_holder_counts (node_id, role_id, holders)
        VALUES (NEW.ancestor_id, NEW.role_id, 1)
        ON CONFLICT (node_id, role_id) DO UPDATE SET holders = role_holder_counts.holders + 1;
    ELSE
        UPDATE role_holder_counts SET holders = holders - 1
        WHERE node_id = OLD.ancestor_id AND role_id = OLD.role_id;
        DELETE FROM role_holder_counts
        WHERE node_id = OLD.ancestor_id AND role_id = OLD.role_id AND holders = 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER role_reach_counted AFTER INSERT OR DELETE ON role_reach
    FOR EACH ROW EXECUTE FUNCTION role_reach_counted();

-- Ancestors in id order, so concurrent writers take the counters' row locks in one order.
CREATE FUNCTION memberships_reach() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO role_reach (ancestor_id, role_id, user_id, grants)
        SELECT c.ancestor_id, NEW.role_id, NEW.user_id, 1
        FROM node_closure c WHERE c.descendant_id = NEW.node_id ORDER BY c.ancestor_id
        ON CONFLICT (ancestor_id, role_id, user_id) DO UPDATE SET grants = role_reach.grants + 1;
    ELSE
        UPDATE role_reach SET grants = grants - 1
        WHERE role_id = OLD.role_id AND user_id = OLD.user_id
          AND ancestor_id IN (SELECT ancestor_id FROM node_closure WHERE descendant_id = OLD.node_id);
        DELETE FROM role_reach
        WHERE role_id = OLD.role_id AND user_id = OLD.user_id AND grants = 0
          AND ancestor_id IN (SELECT ancestor_id FROM node_closure WHERE descendant_id = OLD.node_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_reach AFTER INSERT OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_reach();

CREATE FUNCTION node_closure_reach() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO role_reach (ancestor_id, role_id, user_id, grants)
        SELECT NEW.ancestor_id, m.role_id, m.user_id, 1
        FROM memberships m WHERE m.node_id = NEW.descendant_id
        ON CONFLICT (ancestor_id, role_id, user_id) DO UPDATE SET grants = role_reach.grants + 1;
    ELSE
        UPDATE role_reach SET grants = grants - 1
        WHERE (ancestor_id, role_id, user_id) IN
              (SELECT OLD.ancestor_id, role_id, user_id FROM memberships WHERE node_id = OLD.descendant_id);
        DELETE FROM role_reach
        WHERE grants = 0 AND (ancestor_id, role_id, user_id) IN
              (SELECT OLD.ancestor_id, role_id, user_id FROM memberships WHERE node_id = OLD.descendant_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER node_closure_reach AFTER INSERT OR DELETE ON node_closure
    FOR EACH ROW EXECUTE FUNCTION node_closure_reach();
