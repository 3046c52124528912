//! The one error type of every server function.
//!
//! The browser sees a kind and a message written for people; database and internal error
//! text never leaves the server (it goes to the log where the error is converted).

use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// A message for one form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You do not have permission to do this.")]
    Forbidden,
    #[error("{message}")]
    NotFound { message: String },
    /// Input was refused; `fields` names the form fields at fault.
    #[error("{message}")]
    Validation { message: String, fields: Vec<FieldError> },
    /// The change clashes with the current state (duplicate, stale version, last admin...).
    #[error("{message}")]
    Conflict { message: String },
    #[error("{message}")]
    TooManyRequests { message: String },
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The browser could not reach the server or read its answer.
    #[error("Could not reach the server. Check your connection and try again.")]
    Network,
}

impl AppError {
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound { message: message.into() }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict { message: message.into() }
    }

    /// A validation error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Validation {
            message: message.clone(),
            fields: vec![FieldError { field: field.into(), message }],
        }
    }

    /// A validation error on several fields; `None` when the list is empty.
    pub fn fields(errors: Vec<FieldError>) -> Option<Self> {
        let first = errors.first()?.message.clone();
        let message =
            if errors.len() == 1 { first } else { "Some fields need your attention.".into() };
        Some(Self::Validation { message, fields: errors })
    }

    /// The message for one field, if this error names it.
    pub fn field_message(&self, name: &str) -> Option<String> {
        match self {
            Self::Validation { fields, .. } => {
                fields.iter().find(|f| f.field == name).map(|f| f.message.clone())
            }
            _ => None,
        }
    }

    /// A short stable code, used where the error must travel in a URL (forms without JS).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound { .. } => "not_found",
            Self::Validation { .. } => "validation",
            Self::Conflict { .. } => "conflict",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Internal => "internal",
            Self::Network => "network",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound { .. } => 404,
            Self::Validation { .. } => 422,
            Self::Conflict { .. } => 409,
            Self::TooManyRequests { .. } => 429,
            Self::Internal => 500,
            Self::Network => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => Self::Validation {
                message: "The form was incomplete or malformed.".into(),
                fields: Vec::new(),
            },
            // On the server a body that does not decode is the caller's mistake; in the
            // browser an answer that does not decode means the exchange itself failed.
            ServerFnErrorErr::Deserialization(_) if cfg!(feature = "ssr") => Self::Validation {
                message: "The request could not be read.".into(),
                fields: Vec::new(),
            },
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => Self::Network,
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error");
        Self::Internal
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_kind_and_no_internal_text() {
        let json = serde_json::to_string(&AppError::Internal).unwrap();
        assert_eq!(json, r#"{"kind":"internal"}"#);
        let e = AppError::field("email", "Enter an e-mail address.");
        let back: AppError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back.field_message("email").as_deref(), Some("Enter an e-mail address."));
        assert_eq!(back.status(), 422);
    }
}
