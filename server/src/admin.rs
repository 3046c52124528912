//! `create-admin`: set up an agency administrator from the command line.

use crate::{cli::Config, database};
use anyhow::{Context, anyhow};
use app::{
    domain::{Email, node::parse_node_name, user::parse_person_name},
    server::{
        clock::Clock, password::Hasher, password_policy::check_new_password, repo::roles, setup,
    },
};

pub async fn create_admin(
    config: &Config,
    agency: &str,
    email: &str,
    first_name: &str,
    last_name: &str,
    password: String,
) -> anyhow::Result<()> {
    let agency_name = parse_node_name(agency).map_err(|e| anyhow!("--agency: {e}"))?;
    let email = Email::parse(email).map_err(|e| anyhow!("--email: {e}"))?;
    let first_name = parse_person_name(first_name).map_err(|e| anyhow!("--first-name: {e}"))?;
    let last_name = parse_person_name(last_name).map_err(|e| anyhow!("--last-name: {e}"))?;
    check_new_password(&password).map_err(|e| anyhow!("password: {e}"))?;
    let db = database::connect(&config.database_url).await?;
    database::migrate(&db).await?;
    let now = Clock::System.now();
    let password_hash = Hasher::default().hash(password).await;
    let mut tx = db.begin().await?;
    roles::sync_builtins(&mut tx, now).await?;
    let admin = setup::NewAdmin { agency_name, email, first_name, last_name, password_hash };
    let (agency, user) = setup::bootstrap_admin(&mut tx, &admin, "command line", now)
        .await
        .context("cannot create the administrator")?;
    tx.commit().await?;
    println!(
        "{} is Agency Administrator of \"{}\" (agency {agency}, user {user}).",
        admin.email, admin.agency_name
    );
    Ok(())
}
