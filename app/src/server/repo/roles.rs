use crate::domain::{BuiltinRole, NodeId, RoleId, permission::PermissionSet};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Writes the built-in roles from the code's table, so stored built-ins never drift.
pub async fn sync_builtins(conn: &mut AnyConnection, now: i64) -> Result<(), sqlx::Error> {
    for role in BuiltinRole::ALL {
        sqlx::query(
            "INSERT INTO roles (agency_id, builtin_key, name, description, permissions, \
             created_at, updated_at) VALUES (NULL, $1, $2, $3, $4, $5, $5) \
             ON CONFLICT (builtin_key) DO UPDATE SET name = excluded.name, \
             description = excluded.description, permissions = excluded.permissions, \
             updated_at = excluded.updated_at",
        )
        .bind(role.key())
        .bind(role.name())
        .bind(role.description())
        .bind(role.permissions().to_keys())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn builtin_id(
    conn: &mut AnyConnection,
    role: BuiltinRole,
) -> Result<RoleId, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM roles WHERE builtin_key = $1")
        .bind(role.key())
        .fetch_one(conn)
        .await?;
    Ok(RoleId(id))
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct RoleRow {
    pub id: i64,
    /// `None` for built-in roles, shared by every agency.
    pub agency_id: Option<i64>,
    pub builtin_key: Option<String>,
    pub name: String,
    pub description: String,
    pub permissions: String,
    pub version: i64,
}

impl RoleRow {
    pub fn builtin(&self) -> Option<BuiltinRole> {
        self.builtin_key.as_deref().and_then(BuiltinRole::from_key)
    }

    pub fn permission_set(&self) -> PermissionSet {
        PermissionSet::from_keys(&self.permissions)
    }

    /// Built-in roles serve every agency; a custom role only its own.
    pub fn usable_in(&self, agency: NodeId) -> bool {
        self.agency_id.is_none_or(|a| a == agency.0)
    }
}

const ROLE_COLUMNS: &str = "id, agency_id, builtin_key, name, description, permissions, version";

pub async fn get(conn: &mut AnyConnection, id: RoleId) -> Result<Option<RoleRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {ROLE_COLUMNS} FROM roles WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

/// The built-in roles, in the code's order, then the agency's own roles by name.
pub async fn usable_in(
    conn: &mut AnyConnection,
    agency: NodeId,
) -> Result<Vec<RoleRow>, sqlx::Error> {
    let mut rows: Vec<RoleRow> = sqlx::query_as(&format!(
        "SELECT {ROLE_COLUMNS} FROM roles WHERE agency_id IS NULL OR agency_id = $1"
    ))
    .bind(agency.0)
    .fetch_all(conn)
    .await?;
    let rank = |r: &RoleRow| {
        r.builtin()
            .and_then(|b| BuiltinRole::ALL.iter().position(|x| *x == b))
            .unwrap_or(usize::MAX)
    };
    rows.sort_by(|a, b| {
        (rank(a), a.name.to_lowercase(), a.id).cmp(&(rank(b), b.name.to_lowercase(), b.id))
    });
    Ok(rows)
}

/// Per role: how many people hold it somewhere in the subtree of `under`. Read from the
/// counters the database keeps exact with each grant, end and move (migration 0014), so it
/// costs one row per role however many people the subtree has.
pub async fn holder_counts(
    conn: &mut AnyConnection,
    under: NodeId,
) -> Result<HashMap<i64, i64>, sqlx::Error> {
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT role_id, holders FROM role_holder_counts WHERE node_id = $1")
            .bind(under.0)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().collect())
}

/// How many people (not deleted) hold `role` anywhere.
pub async fn holder_count(conn: &mut AnyConnection, role: RoleId) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(DISTINCT m.user_id) FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.role_id = $1 AND u.status <> 'deleted'",
    )
    .bind(role.0)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// Whether another role the agency can use already has this name (ignoring case): two
/// roles named alike in one picker could not be told apart.
pub async fn name_taken(
    conn: &mut AnyConnection,
    agency: NodeId,
    name: &str,
    except: Option<RoleId>,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM roles WHERE (agency_id IS NULL OR agency_id = $1) \
         AND LOWER(name) = LOWER($2) AND id <> $3",
    )
    .bind(agency.0)
    .bind(name)
    .bind(except.map_or(0, |r| r.0))
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub struct RoleFields<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub permissions: &'a PermissionSet,
}

pub async fn insert_custom(
    conn: &mut AnyConnection,
    agency: NodeId,
    f: RoleFields<'_>,
    now: i64,
) -> Result<RoleId, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO roles (agency_id, builtin_key, name, description, permissions, created_at, \
         updated_at) VALUES ($1, NULL, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(agency.0)
    .bind(f.name)
    .bind(f.description)
    .bind(f.permissions.to_keys())
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(RoleId(id))
}

/// Updates a custom role if it is still at `version`; false when someone changed it since.
pub async fn update_custom(
    conn: &mut AnyConnection,
    id: RoleId,
    version: i64,
    f: RoleFields<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE roles SET name = $1, description = $2, permissions = $3, updated_at = $4, \
         version = version + 1 WHERE id = $5 AND version = $6 AND builtin_key IS NULL",
    )
    .bind(f.name)
    .bind(f.description)
    .bind(f.permissions.to_keys())
    .bind(now)
    .bind(id.0)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes a custom role; its memberships must be gone already.
pub async fn delete_custom(conn: &mut AnyConnection, id: RoleId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM roles WHERE id = $1 AND builtin_key IS NULL")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}
