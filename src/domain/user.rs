//! People who sign in: what a session knows of them, and the rules for creating one.

use super::Role;
use crate::error::{AppError, Checks, Problem};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const USERNAME_MAX: u32 = 32;
pub const DISPLAY_NAME_MAX: u32 = 40;
pub const PASSWORD_MIN: u32 = 8;
pub const PASSWORD_MAX: u32 = 128;

/// The signed-in person, as every page and server function sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub locale: String,
}

impl SessionUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Where this person lands after signing in: the admin on the admin's home (the tab the bar highlights),
    /// everyone else on the home of their jobs.
    pub fn home_path(&self) -> &'static str {
        if self.has(Role::Admin) { "/admin" } else { "/" }
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.has(*role))
    }
}

/// A row of the admin's user list and of people pickers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// The name's pinyin initials, for finding the person by typing (`domain::search`).
    #[serde(default)]
    pub initials: String,
    pub roles: Vec<Role>,
    pub active: bool,
    /// How long sign-in stays locked after failed attempts (0: not locked). Filled in for the admin's list only.
    #[serde(default)]
    pub locked_for_secs: u64,
    /// Imported and not yet signed in: no password of their own, only a one-time code (if one was printed).
    /// Filled in for the admin only, as is `has_code`.
    #[serde(default)]
    pub awaiting_first_sign_in: bool,
    /// A one-time code on a printed slip still signs this person in.
    #[serde(default)]
    pub has_code: bool,
}

/// What the admin (or the first-run setup) types to create a person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<Role>,
}

impl NewUser {
    /// Trims, checks every field and reports all problems at once.
    pub fn validate(self) -> Result<NewUser, AppError> {
        let mut checks = Checks::new();
        let username = checks
            .text("username", &self.username, USERNAME_MAX)
            .to_lowercase();
        if !username.is_empty() && !username_chars_ok(&username) {
            checks.add("username", Problem::Invalid);
        }
        let display_name = checks.text("display_name", &self.display_name, DISPLAY_NAME_MAX);
        if let Err(problem) = check_password(&self.password) {
            checks.add("password", problem);
        }
        if self.roles.is_empty() {
            checks.add("roles", Problem::Required);
        }
        checks.finish()?;
        let mut roles = self.roles;
        roles.sort();
        roles.dedup();
        Ok(NewUser {
            username,
            display_name,
            password: self.password,
            roles,
        })
    }
}

/// A user name holds lower-case letters, digits, `_`, `.` and `-` only (it is typed on a phone's keyboard).
pub fn username_chars_ok(username: &str) -> bool {
    username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.' || c == '-')
}

/// The characters of a one-time sign-in code: none that can be mistaken for another on paper (no 0/o, 1/l/i).
pub const CODE_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// A one-time code as typed from its slip: spaces and dashes dropped, lower case (`K7M2-P9XQ` is `k7m2p9xq`).
pub fn code_as_typed(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A password is at least 8 and at most 128 characters; nothing else is imposed on school staff.
pub fn check_password(password: &str) -> Result<(), Problem> {
    let length = password.chars().count();
    if length == 0 {
        Err(Problem::Required)
    } else if length < PASSWORD_MIN as usize {
        Err(Problem::TooShort { min: PASSWORD_MIN })
    } else if length > PASSWORD_MAX as usize {
        Err(Problem::TooLong { max: PASSWORD_MAX })
    } else {
        Ok(())
    }
}

/// The key failed sign-ins are counted under: the user name as typed, trimmed and lower-cased.
pub fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_read_as_typed_from_paper() {
        assert_eq!(code_as_typed(" K7M2-p9xq "), "k7m2p9xq");
        assert_eq!(code_as_typed("k7m2 p9xq"), "k7m2p9xq");
    }

    fn input() -> NewUser {
        NewUser {
            username: " Wang.Gate ".into(),
            display_name: " 王师傅 ".into(),
            password: "menwei2026".into(),
            roles: vec![Role::GateGuard, Role::Staff, Role::GateGuard],
        }
    }

    #[test]
    fn new_user_is_trimmed_lowercased_and_roles_deduplicated() {
        let user = input().validate().unwrap();
        assert_eq!(user.username, "wang.gate");
        assert_eq!(user.display_name, "王师傅");
        assert_eq!(user.roles, vec![Role::GateGuard, Role::Staff]);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let err = NewUser {
            username: "王 x".into(),
            display_name: "".into(),
            password: "short".into(),
            roles: vec![],
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.field_problem("username"), Some(Problem::Invalid));
        assert_eq!(err.field_problem("display_name"), Some(Problem::Required));
        assert_eq!(
            err.field_problem("password"),
            Some(Problem::TooShort { min: 8 })
        );
        assert_eq!(err.field_problem("roles"), Some(Problem::Required));
    }

    #[test]
    fn over_long_password_is_refused() {
        assert_eq!(
            check_password(&"x".repeat(129)),
            Err(Problem::TooLong { max: 128 })
        );
        assert_eq!(check_password(&"x".repeat(128)), Ok(()));
    }
}

/// Failed sign-ins within this window count towards a lockout.
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// Failures allowed before sign-in slows down.
pub const FREE_FAILURES: u32 = 5;

/// How long sign-in stays locked after the latest failure, given the failures in the window:
/// nothing for the first five, then 30 s, doubling with each further failure, at most 15 minutes.
pub fn lockout_secs(recent_failures: u32) -> u64 {
    if recent_failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (recent_failures - FREE_FAILURES).min(5);
    (30u64 << doublings).min(15 * 60)
}

/// Until when (ms) sign-in stays locked, given the failures in the window and the latest of them.
pub fn locked_until_ms(recent_failures: u32, latest_ms: i64) -> i64 {
    let lock_ms = i64::try_from(lockout_secs(recent_failures))
        .unwrap_or(i64::MAX / 2_000)
        .saturating_mul(1000);
    latest_ms.saturating_add(lock_ms)
}

#[cfg(test)]
mod lockout_tests {
    use super::*;

    #[test]
    fn five_mistakes_are_free_then_the_wait_doubles_up_to_fifteen_minutes() {
        assert_eq!(lockout_secs(4), 0);
        assert_eq!(lockout_secs(5), 30);
        assert_eq!(lockout_secs(6), 60);
        assert_eq!(lockout_secs(9), 480);
        assert_eq!(lockout_secs(10), 900);
        assert_eq!(lockout_secs(50), 900);
    }
}
