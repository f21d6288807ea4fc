//! Enums and errors as words in the user's language. Every UI string comes from `locales/*.json`.

use crate::domain::{CheckPointKind, PlaceKind, Role};
use crate::error::{AppError, Problem};
use crate::i18n::*;

pub fn role_name(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Admin => td_string!(locale, roles.admin),
        Role::GateGuard => td_string!(locale, roles.gate_guard),
        Role::SafetyInspector => td_string!(locale, roles.safety_inspector),
        Role::CleaningInspector => td_string!(locale, roles.cleaning_inspector),
        Role::Maintenance => td_string!(locale, roles.maintenance),
        Role::Staff => td_string!(locale, roles.staff),
        Role::ClassTeacher => td_string!(locale, roles.class_teacher),
    }
}

pub fn place_kind_name(locale: Locale, kind: PlaceKind) -> &'static str {
    match kind {
        PlaceKind::Building => td_string!(locale, place_kinds.building),
        PlaceKind::Floor => td_string!(locale, place_kinds.floor),
        PlaceKind::Room => td_string!(locale, place_kinds.room),
        PlaceKind::Area => td_string!(locale, place_kinds.area),
        PlaceKind::OutdoorZone => td_string!(locale, place_kinds.outdoor_zone),
        PlaceKind::Gate => td_string!(locale, place_kinds.gate),
    }
}

pub fn check_point_kind_name(locale: Locale, kind: CheckPointKind) -> &'static str {
    match kind {
        CheckPointKind::Extinguisher => td_string!(locale, check_point_kinds.extinguisher),
        CheckPointKind::Hydrant => td_string!(locale, check_point_kinds.hydrant),
        CheckPointKind::FireAlarm => td_string!(locale, check_point_kinds.fire_alarm),
        CheckPointKind::EmergencyLight => td_string!(locale, check_point_kinds.emergency_light),
        CheckPointKind::ExitSign => td_string!(locale, check_point_kinds.exit_sign),
        CheckPointKind::EscapeRoute => td_string!(locale, check_point_kinds.escape_route),
        CheckPointKind::FireDoor => td_string!(locale, check_point_kinds.fire_door),
        CheckPointKind::Lock => td_string!(locale, check_point_kinds.lock),
        CheckPointKind::AntiTheft => td_string!(locale, check_point_kinds.anti_theft),
        CheckPointKind::Camera => td_string!(locale, check_point_kinds.camera),
    }
}

/// 三年级2班 in Chinese, "Grade 3 Class 2" in English.
pub fn class_name(locale: Locale, grade: i64, number: i64) -> String {
    match locale {
        Locale::zh => crate::domain::school_class::chinese_name(grade, number),
        Locale::en => td_string!(locale, classes.name, grade = grade, number = number).to_string(),
    }
}

pub fn problem_text(locale: Locale, problem: Problem) -> String {
    match problem {
        Problem::Required => td_string!(locale, problems.required).to_string(),
        Problem::TooLong { max } => td_string!(locale, problems.too_long, max = max).to_string(),
        Problem::TooShort { min } => td_string!(locale, problems.too_short, min = min).to_string(),
        Problem::Invalid => td_string!(locale, problems.invalid).to_string(),
        Problem::Length { exact } => td_string!(locale, problems.length, exact = exact).to_string(),
        Problem::DigitsOnly => td_string!(locale, problems.digits_only).to_string(),
        Problem::CheckDigit => td_string!(locale, problems.check_digit).to_string(),
        Problem::Taken => td_string!(locale, problems.taken).to_string(),
        Problem::Unknown => td_string!(locale, problems.unknown).to_string(),
        Problem::Mismatch => td_string!(locale, problems.mismatch).to_string(),
    }
}

/// The sentence shown for an error. Field problems are shown beside their fields; this is the summary.
pub fn error_text(locale: Locale, error: &AppError) -> String {
    match error {
        AppError::Unauthorized => td_string!(locale, errors.unauthorized).to_string(),
        AppError::Forbidden => td_string!(locale, errors.forbidden).to_string(),
        AppError::NotFound => td_string!(locale, errors.not_found).to_string(),
        AppError::Invalid { .. } => td_string!(locale, errors.invalid).to_string(),
        AppError::WrongCredentials => td_string!(locale, errors.wrong_credentials).to_string(),
        AppError::TooManyAttempts { retry_after_secs } => {
            let minutes = retry_after_secs.div_ceil(60);
            td_string!(locale, errors.too_many_attempts, minutes = minutes).to_string()
        }
        AppError::Busy { retry_after_secs } => {
            td_string!(locale, errors.busy, seconds = retry_after_secs).to_string()
        }
        AppError::AccountDisabled => td_string!(locale, errors.account_disabled).to_string(),
        AppError::CodeExpired => td_string!(locale, errors.code_expired).to_string(),
        AppError::NewPasswordNeeded => td_string!(locale, errors.new_password_needed).to_string(),
        AppError::SetupDone => td_string!(locale, errors.setup_done).to_string(),
        AppError::Internal => td_string!(locale, errors.internal).to_string(),
        AppError::Transport { .. } => td_string!(locale, errors.transport).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(map) = value.as_object() {
            for (key, inner) in map {
                keys(inner, &format!("{prefix}{key}."), out);
            }
        } else {
            out.push(prefix.trim_end_matches('.').to_owned());
        }
    }

    fn locale_keys(file: &str) -> Vec<String> {
        let path = format!("{}/locales/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut out = Vec::new();
        keys(
            &serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}")),
            "",
            &mut out,
        );
        out.sort();
        out
    }

    #[test]
    fn english_translates_every_chinese_key_and_no_other() {
        // A key missing in English would silently show Chinese to an English reader.
        assert_eq!(locale_keys("en.json"), locale_keys("zh.json"));
    }

    #[test]
    fn errors_read_in_the_users_language() {
        assert_eq!(
            error_text(Locale::zh, &AppError::WrongCredentials),
            "用户名或密码不正确"
        );
        assert_eq!(
            error_text(Locale::en, &AppError::WrongCredentials),
            "Wrong user name or password"
        );
        assert_eq!(
            error_text(
                Locale::zh,
                &AppError::TooManyAttempts {
                    retry_after_secs: 61
                }
            ),
            "登录失败次数过多，请 2 分钟后再试"
        );
        assert_eq!(
            problem_text(Locale::zh, Problem::TooLong { max: 40 }),
            "最多 40 个字"
        );
    }

    #[test]
    fn classes_are_named_as_each_language_says_them() {
        assert_eq!(class_name(Locale::zh, 3, 2), "三年级2班");
        assert_eq!(class_name(Locale::en, 3, 2), "Grade 3 Class 2");
    }
}
