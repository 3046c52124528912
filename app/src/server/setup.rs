//! First run: creating the first agency and its administrator, either on the setup page
//! (guarded by a one-time code printed in the server log) or with `server create-admin`.

use super::{
    audit::{self, Actor, Entry},
    clock::{DAY, Millis},
    db::Db,
    repo::{memberships, nodes, roles, users},
    token,
};
use crate::domain::{BuiltinRole, Email, NodeId, NodeKind, UserId, UserStatus};

/// A new agency administrator, validated.
pub struct NewAdmin {
    pub agency_name: String,
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
}

pub async fn needs_setup(db: &Db) -> Result<bool, sqlx::Error> {
    let mut conn = db.pool.acquire().await?;
    needs_setup_in(&mut conn).await
}

pub async fn needs_setup_in(conn: &mut sqlx::AnyConnection) -> Result<bool, sqlx::Error> {
    Ok(!nodes::any_agency(conn).await?)
}

/// When no agency exists yet, stores a new one-time setup code and returns it for the log.
pub async fn issue_code(db: &Db, now: i64) -> Result<Option<String>, sqlx::Error> {
    if !needs_setup(db).await? {
        return Ok(None);
    }
    let code = token::generate_code();
    sqlx::query("INSERT INTO setup_codes (code_hash, created_at) VALUES ($1, $2)")
        .bind(token::hash(&code))
        .bind(now)
        .execute(&db.pool)
        .await?;
    Ok(Some(code))
}

/// How long a setup code works after the server printed it. A server left unset for longer
/// prints a new code when it is restarted.
pub const CODE_TTL: Millis = DAY;

/// True when `code` was issued less than [`CODE_TTL`] ago and not spent.
pub async fn code_is_valid(
    conn: &mut sqlx::AnyConnection,
    code: &str,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM setup_codes WHERE code_hash = $1 AND created_at > $2")
            .bind(token::hash(&token::normalise_code(code)))
            .bind(now - CODE_TTL)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// Creates (or finds, by name) the agency and makes `admin` its Agency Administrator,
/// creating the user unless the e-mail already has an identity. Setup codes are spent.
pub async fn bootstrap_admin(
    conn: &mut sqlx::AnyConnection,
    admin: &NewAdmin,
    actor: &str,
    now: i64,
) -> Result<(NodeId, UserId), sqlx::Error> {
    let agency = match nodes::find_agency_by_name(&mut *conn, &admin.agency_name).await? {
        Some(id) => id,
        None => nodes::insert(&mut *conn, None, NodeKind::Agency, &admin.agency_name, now).await?,
    };
    let user = match users::find_id_by_email(&mut *conn, &admin.email).await? {
        Some(id) => id,
        None => {
            users::insert(
                &mut *conn,
                users::NewUser {
                    email: &admin.email,
                    first_name: &admin.first_name,
                    last_name: &admin.last_name,
                    status: UserStatus::Active,
                    password_hash: Some(&admin.password_hash),
                    home_node: Some(agency),
                },
                now,
            )
            .await?
        }
    };
    let role = roles::builtin_id(&mut *conn, BuiltinRole::AgencyAdministrator).await?;
    memberships::grant(&mut *conn, user, agency, role, None, now).await?;
    sqlx::query("DELETE FROM setup_codes").execute(&mut *conn).await?;
    let name = format!("{} {}", admin.first_name, admin.last_name);
    audit::record(
        &mut *conn,
        Entry {
            at: now,
            actor: Actor { id: None, name: actor },
            action: "agency_administrator_created",
            target: Some((user, &name)),
            node: Some(agency),
            details: &format!("agency: {}", admin.agency_name),
        },
    )
    .await?;
    Ok((agency, user))
}
