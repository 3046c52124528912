-- Account tree, memberships and roles: the lookups the role editor and the last-administrator
-- check make by role ("who holds role R", "move everyone from R to S") need their own index;
-- the primary key of memberships starts with the user.
CREATE INDEX memberships_role ON memberships (role_id, node_id);

-- People a user picker may show are found through their home account as well as through
-- their memberships.
CREATE INDEX users_home_node ON users (home_node_id);
