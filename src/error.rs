//! One error type for every server function and route, shared by server and browser.
//!
//! The server logs the cause of an [`AppError::Internal`] and sends only the variant; the browser turns each
//! variant into a sentence in the user's language (see `components::error_message`). Validation problems are
//! per field, so a form can mark the field and keep what the user typed.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Which rule a field broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Problem {
    Required,
    TooLong {
        max: u32,
    },
    TooShort {
        min: u32,
    },
    /// Not one of the allowed values, or not in the expected form.
    Invalid,
    /// Must be exactly this many characters (a resident card number is 18).
    Length {
        exact: u32,
    },
    /// Digits where only digits belong (the first 17 characters of a resident card number).
    DigitsOnly,
    /// Every character is in place but the last one does not match the others: a mistyped digit.
    CheckDigit,
    /// Another record already uses this value.
    Taken,
    /// Points at a record that does not exist or is deactivated.
    Unknown,
    /// Typed twice, and the two differ (a new password and its repetition).
    Mismatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum AppError {
    #[error("sign-in required")]
    Unauthorized,
    #[error("not allowed for your role")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input: {fields:?}")]
    Invalid { fields: Vec<FieldError> },
    #[error("wrong user name or password")]
    WrongCredentials,
    #[error("too many failed sign-ins")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many requests are being worked on at once (a sign-in flood); try again shortly.
    #[error("server busy")]
    Busy { retry_after_secs: u64 },
    #[error("account disabled")]
    AccountDisabled,
    /// A one-time sign-in code past its date: the admin prints a new slip.
    #[error("sign-in code expired")]
    CodeExpired,
    /// The one-time code was right: the person sets their own password before anything else (`/sign-in` shows
    /// the form; the answer carries the ticket that lets them).
    #[error("a new password is needed")]
    NewPasswordNeeded,
    #[error("first administrator already exists")]
    SetupDone,
    #[error("internal error")]
    Internal,
    #[error("could not reach the server: {cause}")]
    Transport { cause: String },
}

impl AppError {
    pub fn invalid(field: &str, problem: Problem) -> Self {
        AppError::Invalid {
            fields: vec![FieldError {
                field: field.to_owned(),
                problem,
            }],
        }
    }

    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized
            | AppError::WrongCredentials
            | AppError::AccountDisabled
            | AppError::CodeExpired => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::SetupDone | AppError::NewPasswordNeeded => 409,
            AppError::TooManyAttempts { .. } | AppError::Busy { .. } => 429,
            AppError::Internal => 500,
            AppError::Transport { .. } => 503,
        }
    }

    /// How long the client should wait before trying again (`Retry-After`), for the errors that say so.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            AppError::TooManyAttempts { retry_after_secs }
            | AppError::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The problem reported for one field, if any.
    pub fn field_problem(&self, field: &str) -> Option<Problem> {
        match self {
            AppError::Invalid { fields } => {
                fields.iter().find(|f| f.field == field).map(|f| f.problem)
            }
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            // The browser could not talk to the server at all.
            ServerFnErrorErr::Request(cause) => AppError::Transport { cause },
            // A malformed request reaches the server only from a broken or hostile client. On the server,
            // `Deserialization` means the arguments could not be read; in the browser, the answer.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::invalid("request", Problem::Invalid)
            }
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => AppError::invalid("request", Problem::Invalid),
            other => AppError::Transport {
                cause: other.to_string(),
            },
        };
        // On the server this runs inside the request, so the answer gets the right status, not a bare 500.
        #[cfg(feature = "ssr")]
        crate::server::set_status(&error);
        error
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(cause: sqlx::Error) -> Self {
        tracing::error!(%cause, "database error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(cause: sqlx::migrate::MigrateError) -> Self {
        tracing::error!(%cause, "migration error");
        AppError::Internal
    }
}

/// Collects field problems so a form reports all of them at once.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, problem: Problem) {
        self.0.push(FieldError {
            field: field.to_owned(),
            problem,
        });
    }

    /// Required text: trimmed, not empty, at most `max` characters, no control characters (which PostgreSQL
    /// refuses in part and no one types).
    pub fn text(&mut self, field: &str, value: &str, max: u32) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.add(field, Problem::Required);
        } else if value.chars().count() > max as usize {
            self.add(field, Problem::TooLong { max });
        } else if value.chars().any(char::is_control) {
            self.add(field, Problem::Invalid);
        }
        value.to_owned()
    }

    /// Optional text: trimmed; empty becomes `None`.
    pub fn optional_text(&mut self, field: &str, value: &str, max: u32) -> Option<String> {
        let value = value.trim();
        if value.chars().count() > max as usize {
            self.add(field, Problem::TooLong { max });
        } else if value.chars().any(char::is_control) {
            self.add(field, Problem::Invalid);
        }
        (!value.is_empty()).then(|| value.to_owned())
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid { fields: self.0 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_report_every_broken_field_at_once() {
        let mut checks = Checks::new();
        checks.text("name", "   ", 10);
        checks.text("note", "一二三四五六", 5);
        checks.text("nul", "王\u{0}五", 10);
        let ok = checks.text("label", " 东走廊 ", 10);
        assert_eq!(ok, "东走廊");
        let err = checks.finish().unwrap_err();
        assert_eq!(err.field_problem("name"), Some(Problem::Required));
        assert_eq!(err.field_problem("note"), Some(Problem::TooLong { max: 5 }));
        assert_eq!(err.field_problem("label"), None);
        assert_eq!(err.field_problem("nul"), Some(Problem::Invalid));
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn every_error_serializes_because_server_fn_panics_on_one_that_does_not() {
        let all = [
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::invalid("name", Problem::TooLong { max: 3 }),
            AppError::WrongCredentials,
            AppError::TooManyAttempts {
                retry_after_secs: 1,
            },
            AppError::AccountDisabled,
            AppError::CodeExpired,
            AppError::NewPasswordNeeded,
            AppError::SetupDone,
            AppError::Internal,
            AppError::Transport {
                cause: "offline".into(),
            },
        ];
        for error in all {
            let json = serde_json::to_string(&error).unwrap();
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), error);
        }
    }

    #[test]
    fn error_travels_as_tagged_json() {
        let json = serde_json::to_string(&AppError::TooManyAttempts {
            retry_after_secs: 60,
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"code":"too_many_attempts","retry_after_secs":60}"#
        );
        let back: AppError = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back,
            AppError::TooManyAttempts {
                retry_after_secs: 60
            }
        );
    }
}
