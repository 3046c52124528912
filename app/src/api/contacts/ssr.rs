//! The server side of contacts: checking the fields, storing them, and the audit entries.

use super::{Contact, SendCallsTo};
use crate::{
    api::nodes::ssr::{gone, record},
    domain::{Email, NodeId, user::parse_person_name},
    error::{AppError, AppResult, FieldError},
    server::{AppState, auth::Authenticated, repo::nodes},
};
use sqlx::AnyConnection;

/// The form as sent.
pub struct ContactInput {
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub email: String,
    pub send_calls_to: String,
}

/// The form once checked.
pub struct ContactFields {
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub calls_by: SendCallsTo,
}

/// Every field checked, every problem reported at its field.
pub fn check(input: &ContactInput) -> AppResult<ContactFields> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: &str| {
        errors.push(FieldError { field: field.into(), message: message.into() })
    };
    let first_name =
        parse_person_name(&input.first_name).map_err(|m| fail("first_name", m)).unwrap_or_default();
    let last_name =
        parse_person_name(&input.last_name).map_err(|m| fail("last_name", m)).unwrap_or_default();
    let phone = crate::domain::phone::parse_optional_e164(&input.phone)
        .map_err(|m| fail("phone", m))
        .unwrap_or_default();
    let email = match input.email.trim() {
        "" => None,
        typed => Email::parse(typed).map_err(|e| fail("email", &e.to_string())).ok(),
    };
    let calls_by = SendCallsTo::from_key(input.send_calls_to.trim());
    match calls_by {
        None => fail("send_calls_to", "Choose how this contact gets their calls."),
        Some(SendCallsTo::Text) if phone.is_none() && input.phone.trim().is_empty() => {
            fail("phone", "Enter a phone number: this contact gets their calls by text.")
        }
        Some(SendCallsTo::Email) if email.is_none() && input.email.trim().is_empty() => {
            fail("email", "Enter an e-mail address: this contact gets their calls by e-mail.")
        }
        Some(_) => {}
    }
    if let Some(e) = AppError::fields(errors) {
        return Err(e);
    }
    Ok(ContactFields {
        first_name,
        last_name,
        phone,
        email: email.map(String::from),
        calls_by: calls_by.unwrap_or(SendCallsTo::Email),
    })
}

#[derive(sqlx::FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub node_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub send_calls_to: String,
    pub version: i64,
}

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: r.id,
            node_id: NodeId(r.node_id),
            first_name: r.first_name,
            last_name: r.last_name,
            phone: r.phone,
            email: r.email,
            calls_by: SendCallsTo::from_key(&r.send_calls_to).unwrap_or(SendCallsTo::Email),
            version: r.version,
        }
    }
}

const COLUMNS: &str = "id, node_id, first_name, last_name, phone, email, send_calls_to, version";

/// The contacts of `node` that are not deleted, by name.
pub async fn list(conn: &mut AnyConnection, node: NodeId) -> Result<Vec<ContactRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM contacts WHERE node_id = $1 AND deleted_at IS NULL \
         ORDER BY last_name, first_name, id"
    ))
    .bind(node.0)
    .fetch_all(conn)
    .await
}

/// A contact of `node` that is not deleted.
pub async fn get(
    conn: &mut AnyConnection,
    node: NodeId,
    id: i64,
) -> Result<Option<ContactRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM contacts WHERE id = $1 AND node_id = $2 AND deleted_at IS NULL"
    ))
    .bind(id)
    .bind(node.0)
    .fetch_optional(conn)
    .await
}

async fn insert(
    conn: &mut AnyConnection,
    node: NodeId,
    f: &ContactFields,
    now: i64,
) -> Result<ContactRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO contacts (node_id, first_name, last_name, phone, email, send_calls_to, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
    ))
    .bind(node.0)
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(f.phone.as_deref())
    .bind(f.email.as_deref())
    .bind(f.calls_by.key())
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Saves the fields if the contact is still at `version`; false otherwise.
async fn update(
    conn: &mut AnyConnection,
    id: i64,
    f: &ContactFields,
    version: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE contacts SET first_name = $1, last_name = $2, phone = $3, email = $4, \
         send_calls_to = $5, updated_at = $6, version = version + 1 \
         WHERE id = $7 AND version = $8 AND deleted_at IS NULL",
    )
    .bind(&f.first_name)
    .bind(&f.last_name)
    .bind(f.phone.as_deref())
    .bind(f.email.as_deref())
    .bind(f.calls_by.key())
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a contact deleted and takes them off every call team (whose versions move on).
async fn soft_delete(conn: &mut AnyConnection, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE call_teams SET version = version + 1 \
         WHERE id IN (SELECT team_id FROM call_team_members WHERE contact_id = $1)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM call_team_members WHERE contact_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE contacts SET deleted_at = $1, updated_at = $1, version = version + 1 \
         WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Someone else's contact and one that does not exist read the same.
pub fn no_contact() -> AppError {
    AppError::not_found("This contact does not exist here.")
}

/// What the audit entry says about a contact.
fn describe(f: &ContactFields) -> String {
    let mut parts = vec![format!("contact: {} {}", f.first_name, f.last_name)];
    parts.extend(f.phone.as_ref().map(|p| format!("phone: {p}")));
    parts.extend(f.email.as_ref().map(|e| format!("e-mail: {e}")));
    parts.push(format!("calls by: {}", f.calls_by.key()));
    parts.join("; ")
}

pub async fn list_contacts(state: &AppState, node: NodeId) -> AppResult<Vec<Contact>> {
    let mut conn = state.db.pool.acquire().await?;
    nodes::get(&mut conn, node).await?.ok_or_else(gone)?;
    Ok(list(&mut conn, node).await?.into_iter().map(Into::into).collect())
}

pub async fn create_contact(
    caller: &Authenticated,
    node: NodeId,
    input: ContactInput,
) -> AppResult<Contact> {
    let fields = check(&input)?;
    let state = AppState::get()?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    nodes::get(&mut tx, node).await?.ok_or_else(gone)?;
    let row = insert(&mut tx, node, &fields, now).await?;
    record(&mut tx, caller, "contact_created", None, node, &describe(&fields)).await?;
    tx.commit().await?;
    Ok(row.into())
}

pub async fn update_contact(
    caller: &Authenticated,
    node: NodeId,
    id: i64,
    input: ContactInput,
    version: i64,
) -> AppResult<Contact> {
    let fields = check(&input)?;
    let state = AppState::get()?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    get(&mut tx, node, id).await?.ok_or_else(no_contact)?;
    if !update(&mut tx, id, &fields, version, now).await? {
        return Err(AppError::conflict(
            "Someone else changed this contact meanwhile. Reload the page to see their \
             change, then make yours again.",
        ));
    }
    record(&mut tx, caller, "contact_updated", None, node, &describe(&fields)).await?;
    let row = get(&mut tx, node, id).await?.ok_or_else(no_contact)?;
    tx.commit().await?;
    Ok(row.into())
}

pub async fn delete_contact(caller: &Authenticated, node: NodeId, id: i64) -> AppResult<()> {
    let state = AppState::get()?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let row = get(&mut tx, node, id).await?.ok_or_else(no_contact)?;
    soft_delete(&mut tx, id, now).await?;
    let details = format!("contact: {} {}", row.first_name, row.last_name);
    record(&mut tx, caller, "contact_deleted", None, node, &details).await?;
    tx.commit().await?;
    Ok(())
}
