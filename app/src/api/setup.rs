//! First-run setup: create the agency and its first Agency Administrator.

use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "complete_setup")]
pub async fn complete_setup(
    code: String,
    agency_name: String,
    first_name: String,
    last_name: String,
    email: String,
    password: String,
) -> Result<String, AppError> {
    use crate::server::respond;
    let input = ssr::SetupInput { code, agency_name, first_name, last_name, email, password };
    respond::redirect_on_error_without_js(ssr::complete_setup(input).await, "/setup")
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        domain::{Email, node::parse_node_name, user::parse_person_name},
        error::{AppError, AppResult, FieldError},
        server::{AppState, auth, password_policy::check_new_password, respond, session, setup},
    };
    use leptos::prelude::expect_context;

    pub struct SetupInput {
        pub code: String,
        pub agency_name: String,
        pub first_name: String,
        pub last_name: String,
        pub email: String,
        pub password: String,
    }

    /// Validates every field at once, so the form shows all its problems together.
    fn validate(input: &SetupInput) -> AppResult<(String, String, String, Email)> {
        let mut errors = Vec::new();
        let mut field = |name: &str, r: Result<String, String>| match r {
            Ok(v) => Some(v),
            Err(message) => {
                errors.push(FieldError { field: name.into(), message });
                None
            }
        };
        let agency =
            field("agency_name", parse_node_name(&input.agency_name).map_err(String::from));
        let first = field("first_name", parse_person_name(&input.first_name).map_err(String::from));
        let last = field("last_name", parse_person_name(&input.last_name).map_err(String::from));
        let email =
            field("email", Email::parse(&input.email).map(String::from).map_err(|e| e.to_string()));
        field(
            "password",
            check_new_password(&input.password).map(|_| String::new()).map_err(|e| e.to_string()),
        );
        if input.code.trim().is_empty() {
            errors.push(FieldError {
                field: "code".into(),
                message: "Enter the setup code printed in the server log.".into(),
            });
        }
        if let Some(err) = AppError::fields(errors) {
            return Err(err);
        }
        let email = Email::parse(&email.expect("validated")).expect("validated");
        Ok((agency.expect("validated"), first.expect("validated"), last.expect("validated"), email))
    }

    pub async fn complete_setup(input: SetupInput) -> AppResult<String> {
        let state = AppState::get()?;
        let now = state.clock.now();
        let ip = auth::client_ip();
        if state.ip_throttle.blocked_until(ip, now).is_some() {
            return Err(AppError::TooManyRequests {
                message: "Too many wrong setup codes. Wait a few minutes and try again.".into(),
            });
        }
        let (agency_name, first_name, last_name, email) = validate(&input)?;
        // Hash before taking the write lock: it is the slow part.
        let password_hash = state.hasher.hash(input.password).await;
        let mut tx = state.db.begin().await?;
        if !setup::needs_setup_in(&mut tx).await? {
            return Err(AppError::conflict("Setup is already complete. Sign in instead."));
        }
        if !setup::code_is_valid(&mut tx, &input.code).await? {
            state.ip_throttle.record_failure(ip, now);
            return Err(AppError::field(
                "code",
                "This setup code is not valid. Use the code printed in the server log.",
            ));
        }
        let admin = setup::NewAdmin { agency_name, email, first_name, last_name, password_hash };
        let (_, user) = setup::bootstrap_admin(&mut tx, &admin, "first-run setup", now).await?;
        let max_age = state.config.session_max_ms;
        let token =
            session::create(&mut tx, user, now, max_age, &auth::user_agent(), &ip.to_string())
                .await?;
        tx.commit().await?;
        let res = expect_context::<leptos_axum::ResponseOptions>();
        res.append_header(
            http::header::SET_COOKIE,
            session::cookie(&token, max_age, state.config.secure_cookies()),
        );
        tracing::info!(user = user.0, "first-run setup complete");
        respond::navigate_after("/".into())
    }
}
