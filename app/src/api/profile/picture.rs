//! Profile pictures: seen by whoever may see the person, changed by whoever may change
//! their profile (themselves, or whoever manages them everywhere: `server::person_access`).
//! Served and uploaded over plain HTTP routes (`server/src/http/picture.rs`): a file upload
//! is a multipart form, which works with and without JavaScript.

use super::ssr::{read_only_because, visible};
use crate::{
    domain::{NodeId, UserId, picture::PictureProblem},
    error::{AppError, AppResult},
    server::{
        AppState,
        audit::{self, Actor, Entry},
        auth::Authenticated,
        picture::normalise_bounded,
    },
};

/// The problem as the error of the `picture` field.
pub fn refused(problem: PictureProblem) -> AppError {
    AppError::field("picture", problem.message())
}

/// When `user`'s picture last changed, if they have one.
pub async fn updated_at(conn: &mut sqlx::AnyConnection, user: UserId) -> AppResult<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT updated_at FROM profile_pictures WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| r.0))
}

/// `user`'s picture (a PNG) and when it changed, if the caller may see them.
pub async fn load(
    state: &AppState,
    caller: &Authenticated,
    user: UserId,
) -> AppResult<Option<(Vec<u8>, i64)>> {
    let mut conn = state.db.pool.acquire().await?;
    visible(&mut conn, caller, user).await?;
    let row: Option<(Vec<u8>, i64)> =
        sqlx::query_as("SELECT png, updated_at FROM profile_pictures WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row)
}

/// Checks that `caller` may change `user`'s picture; the person's name and home account.
async fn may_change(
    conn: &mut sqlx::AnyConnection,
    caller: &Authenticated,
    user: UserId,
) -> AppResult<(String, Option<NodeId>)> {
    let row = visible(conn, caller, user).await?;
    let home = row.home_node_id.map(NodeId);
    if read_only_because(conn, caller, user).await?.is_some() {
        return Err(AppError::Forbidden);
    }
    Ok((format!("{} {}", row.first_name, row.last_name), home))
}

/// Refuses a caller who may not change `user`'s picture: asked before an upload's body is
/// read, so nobody else can make the server receive (and decode) a file.
pub async fn check(state: &AppState, caller: &Authenticated, user: UserId) -> AppResult<()> {
    may_change(&mut *state.db.pool.acquire().await?, caller, user).await?;
    Ok(())
}

/// Replaces `user`'s picture with the one made from `file`, for a caller already let
/// through by [`check`] (and checked again when writing). The outer error refuses the
/// caller; the inner one says what is wrong with the file.
pub async fn save(
    state: &AppState,
    caller: &Authenticated,
    user: UserId,
    file: Vec<u8>,
) -> AppResult<Result<(), PictureProblem>> {
    let png = match normalise_bounded(file).await.map_err(|_| AppError::Internal)? {
        Ok(png) => png,
        Err(problem) => return Ok(Err(problem)),
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let (name, home) = may_change(&mut tx, caller, user).await?;
    // Never the same instant twice, so the picture's address always changes with it.
    let at = updated_at(&mut tx, user).await?.map_or(now, |before| now.max(before + 1));
    sqlx::query(
        "INSERT INTO profile_pictures (user_id, png, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET png = excluded.png, updated_at = excluded.updated_at",
    )
    .bind(user.0)
    .bind(png)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    record(&mut tx, caller, user, &name, home, "profile_picture_changed", now).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Removes `user`'s picture; nothing to remove is not an error.
pub async fn remove(state: &AppState, caller: &Authenticated, user: UserId) -> AppResult<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let (name, home) = may_change(&mut tx, caller, user).await?;
    let done = sqlx::query("DELETE FROM profile_pictures WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() > 0 {
        record(&mut tx, caller, user, &name, home, "profile_picture_removed", now).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn record(
    conn: &mut sqlx::AnyConnection,
    caller: &Authenticated,
    user: UserId,
    name: &str,
    home: Option<NodeId>,
    action: &str,
    now: i64,
) -> AppResult<()> {
    let actor = caller.viewer.display_name();
    let entry = Entry {
        at: now,
        actor: Actor { id: Some(caller.viewer.id), name: &actor },
        action,
        target: Some((user, name)),
        node: home,
        details: "",
    };
    audit::record(conn, entry).await?;
    Ok(())
}
