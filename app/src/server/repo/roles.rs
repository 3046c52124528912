use crate::domain::{BuiltinRole, RoleId};
use sqlx::AnyConnection;

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
