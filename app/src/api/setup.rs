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
        server::{
            AppState, auth,
            password_policy::check_new_password,
            respond, security, session, setup,
            throttle::{self, SETUP_CLIENT},
        },
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

    fn done() -> AppError {
        AppError::conflict("Setup is already complete. Sign in instead.")
    }

    fn wrong_code() -> AppError {
        AppError::field(
            "code",
            "This setup code is not valid or has expired. Use the code printed in the server \
             log; restart the server for a new one.",
        )
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

    /// Cheap refusals come before the slow password hashing: once setup is done the endpoint
    /// answers at once, and a client that sent too many wrong codes is refused without
    /// hashing anything, so nobody can keep the hashing pool busy through this page.
    pub async fn complete_setup(input: SetupInput) -> AppResult<String> {
        let state = AppState::get()?;
        let now = state.clock.now();
        let ip = auth::client_ip().to_string();
        let validated = validate(&input);
        {
            let mut conn = state.db.pool.acquire().await?;
            if !setup::needs_setup_in(&mut conn).await? {
                return Err(done());
            }
            if let Some(until) = throttle::blocked_until(&mut conn, &SETUP_CLIENT, &ip, now).await?
            {
                security::log("setup_throttled", None);
                return Err(AppError::TooManyRequests {
                    message: throttle::wait_message("Too many wrong setup codes.", now, until),
                });
            }
            if input.code.trim().is_empty() {
                validated?;
                return Err(wrong_code());
            }
            if !setup::code_is_valid(&mut conn, &input.code, now).await? {
                throttle::record(&mut conn, &SETUP_CLIENT, &ip, now).await?;
                security::log("setup_code_refused", None);
                return Err(wrong_code());
            }
        }
        let (agency_name, first_name, last_name, email) = validated?;
        let password_hash = state.hasher.hash(input.password).await;
        let mut tx = state.db.begin().await?;
        // Checked again under the write lock: two people may have raced through the page.
        if !setup::needs_setup_in(&mut tx).await? {
            return Err(done());
        }
        if !setup::code_is_valid(&mut tx, &input.code, now).await? {
            return Err(wrong_code());
        }
        let admin = setup::NewAdmin { agency_name, email, first_name, last_name, password_hash };
        let (_, user) = setup::bootstrap_admin(&mut tx, &admin, "first-run setup", now).await?;
        let max_age = state.config.session_max_ms;
        let token = session::create(&mut tx, user, now, max_age, &auth::user_agent(), &ip).await?;
        tx.commit().await?;
        let res = expect_context::<leptos_axum::ResponseOptions>();
        res.append_header(
            http::header::SET_COOKIE,
            session::cookie(&token, max_age, state.config.secure_cookies()),
        );
        security::log("setup_complete", Some(user));
        respond::navigate_after("/".into())
    }
}
