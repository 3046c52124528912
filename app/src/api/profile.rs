//! A person's profile (name, username, time zone): seen by themselves and by those who may
//! view them; changed by themselves, or by whoever manages them at every place they have
//! (`server::person_access`). Everyone else sees it read-only, and is told why.

use crate::{domain::UserId, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub user_id: UserId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub time_zone: String,
    /// Changes with every save: a save made against an older version is refused.
    pub version: i64,
    /// `None` when the caller may change it; otherwise why not.
    pub read_only_because: Option<String>,
    /// The address of their picture, if they have one (it changes with the picture).
    pub picture: Option<String>,
}

/// Where a person's picture is served, as of `updated_at`.
pub fn picture_path(user: UserId, updated_at: i64) -> String {
    format!("/users/{user}/picture?v={updated_at}")
}

/// The profile of `user_id`, if the caller may see the person.
#[server(endpoint = "get_profile")]
pub async fn get_profile(user_id: UserId) -> Result<Profile, AppError> {
    let caller = crate::server::auth::require()?;
    ssr::get_profile(&caller, user_id).await
}

/// Saves the profile. `version` is the one the form was filled from: if someone saved in
/// between, nothing is written and the caller is told to reload.
#[server(endpoint = "update_profile")]
pub async fn update_profile(
    user_id: UserId,
    first_name: String,
    last_name: String,
    username: String,
    time_zone: String,
    version: i64,
) -> Result<Profile, AppError> {
    let caller = crate::server::auth::require()?;
    let input = ssr::ProfileInput { first_name, last_name, username, time_zone };
    ssr::update_profile(&caller, user_id, input, version).await
}

/// Every IANA time zone name, for the searchable picker.
#[server(endpoint = "list_time_zones")]
pub async fn list_time_zones() -> Result<Vec<String>, AppError> {
    crate::server::auth::require()?;
    Ok(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name().to_string()).collect())
}

#[cfg(feature = "ssr")]
pub mod picture;

#[cfg(feature = "ssr")]
mod ssr {
    use super::Profile;
    use crate::{
        domain::{NodeId, Permission, UserId, profile::parse_username, user::parse_person_name},
        error::{AppError, AppResult, FieldError},
        server::{
            AppState,
            audit::{self, Actor, Entry},
            auth::Authenticated,
            db::is_unique_violation,
            person_access,
            repo::{memberships, users},
        },
    };

    fn not_found() -> AppError {
        AppError::not_found("There is no such person, or they are out of your reach.")
    }

    pub struct ProfileInput {
        pub first_name: String,
        pub last_name: String,
        pub username: String,
        pub time_zone: String,
    }

    /// Every field checked at once, so the form shows all its problems together.
    fn validate(input: &ProfileInput) -> AppResult<(String, String, String, String)> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| {
            errors.push(FieldError { field: field.into(), message });
        };
        let first =
            parse_person_name(&input.first_name).map_err(|m| fail("first_name", m.into())).ok();
        let last =
            parse_person_name(&input.last_name).map_err(|m| fail("last_name", m.into())).ok();
        let username = parse_username(&input.username).map_err(|m| fail("username", m.into())).ok();
        let tz = input.time_zone.trim();
        let time_zone = match tz.parse::<chrono_tz::Tz>() {
            Ok(zone) => Some(zone.name().to_string()),
            Err(_) => {
                fail(
                    "time_zone",
                    "Choose a time zone from the list, like America/New_York.".into(),
                );
                None
            }
        };
        if let Some(err) = AppError::fields(errors) {
            return Err(err);
        }
        Ok((
            first.expect("validated"),
            last.expect("validated"),
            username.expect("validated"),
            time_zone.expect("validated"),
        ))
    }

    /// Why `caller` may not change `user`'s profile, or `None` when they may: it is their
    /// own, or they manage the person everywhere the person has a place (`person_access`).
    pub(super) async fn read_only_because(
        conn: &mut sqlx::AnyConnection,
        caller: &Authenticated,
        user: UserId,
    ) -> AppResult<Option<String>> {
        if caller.viewer.id == user
            || person_access::may_manage(conn, caller.viewer.id, user).await?
        {
            return Ok(None);
        }
        Ok(Some(
            "Only this person can change it, or someone who manages users wherever they hold \
             a role (and their home account) with every permission of those roles."
                .into(),
        ))
    }

    /// The person's profile row, if the caller may see them (themselves, or within reach).
    pub(super) async fn visible(
        conn: &mut sqlx::AnyConnection,
        caller: &Authenticated,
        user: UserId,
    ) -> AppResult<users::ProfileRow> {
        let in_reach = caller.viewer.id == user || {
            let roots = memberships::reach(conn, caller.viewer.id, Permission::ViewUsers).await?;
            users::is_under(conn, user, &roots).await?
        };
        if !in_reach {
            return Err(not_found());
        }
        users::profile(conn, user).await?.filter(|p| p.status != "deleted").ok_or_else(not_found)
    }

    async fn to_profile(
        conn: &mut sqlx::AnyConnection,
        caller: &Authenticated,
        row: users::ProfileRow,
    ) -> AppResult<Profile> {
        let user = UserId(row.id);
        let read_only_because = read_only_because(conn, caller, user).await?;
        let picture =
            super::picture::updated_at(conn, user).await?.map(|at| super::picture_path(user, at));
        Ok(Profile {
            user_id: user,
            email: row.email,
            first_name: row.first_name,
            last_name: row.last_name,
            username: row.username,
            time_zone: row.time_zone,
            version: row.version,
            read_only_because,
            picture,
        })
    }

    pub async fn get_profile(caller: &Authenticated, user: UserId) -> AppResult<Profile> {
        let mut conn = AppState::get()?.db.pool.acquire().await?;
        let row = visible(&mut conn, caller, user).await?;
        to_profile(&mut conn, caller, row).await
    }

    pub async fn update_profile(
        caller: &Authenticated,
        user: UserId,
        input: ProfileInput,
        version: i64,
    ) -> AppResult<Profile> {
        let (first_name, last_name, username, time_zone) = validate(&input)?;
        let state = AppState::get()?;
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        let before = visible(&mut tx, caller, user).await?;
        let home = before.home_node_id.map(NodeId);
        if read_only_because(&mut tx, caller, user).await?.is_some() {
            return Err(AppError::Forbidden);
        }
        if before.version != version {
            return Err(AppError::conflict(
                "Someone else changed this profile while you were editing it. Reload the page to \
                 see their changes, then make yours again: nothing was saved.",
            ));
        }
        let change = users::ProfileChange {
            first_name: &first_name,
            last_name: &last_name,
            username: &username,
            time_zone: &time_zone,
        };
        match users::update_profile(&mut tx, user, &change, version, now).await {
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::field("username", "This username is taken. Choose another."));
            }
            Ok(false) => {
                return Err(AppError::conflict(
                    "Someone else changed this profile while you were editing it. Reload the \
                     page to see their changes, then make yours again: nothing was saved.",
                ));
            }
            other => {
                other?;
            }
        }
        let mut changed = Vec::new();
        if before.first_name != first_name || before.last_name != last_name {
            changed.push(format!(
                "name: {} {} → {first_name} {last_name}",
                before.first_name, before.last_name
            ));
        }
        if before.username != username {
            changed.push(format!("username: {} → {username}", before.username));
        }
        if before.time_zone != time_zone {
            changed.push(format!("time zone: {} → {time_zone}", before.time_zone));
        }
        if !changed.is_empty() {
            let (actor, target) =
                (caller.viewer.display_name(), format!("{first_name} {last_name}"));
            let entry = Entry {
                at: now,
                actor: Actor { id: Some(caller.viewer.id), name: &actor },
                action: "profile_updated",
                target: Some((user, &target)),
                node: home,
                details: &changed.join("; "),
            };
            audit::record(&mut tx, entry).await?;
        }
        let row = users::profile(&mut tx, user).await?.ok_or_else(not_found)?;
        let profile = to_profile(&mut tx, caller, row).await?;
        tx.commit().await?;
        Ok(profile)
    }
}
