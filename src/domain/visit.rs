//! Gate visits (门卫登记): who came in, with which ID, to see whom, and when they left.
//!
//! A visit is two append-only facts: the sign-in (the registration) and any number of sign-outs (the first one
//! counts; a second phone signing out the same visitor offline is harmless). The full ID number exists only in
//! the guard's form and in transit: the server keeps it masked plus a keyed hash for matching.

use super::coded_enum;
use crate::error::{AppError, Checks, Problem};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const VISITOR_NAME_MAX: u32 = 40;
pub const ORGANISATION_MAX: u32 = 60;
pub const REASON_MAX: u32 = 120;
pub const PLATE_MAX: u32 = 12;
pub const PARTY_SIZE_MAX: i64 = 200;
pub const ID_NUMBER_MAX: u32 = 32;
pub const WATCH_NOTE_MAX: u32 = 200;

/// The mutations of this job, by name and version.
pub const SIGN_IN: &str = "visit.sign_in@1";
pub const SIGN_OUT: &str = "visit.sign_out@1";
pub const WATCH_DECIDE: &str = "visit.watch_decision@1";

coded_enum! {
    pub enum IdType {
        ResidentCard = "resident_card",
        Passport = "passport",
        Other = "other",
        None = "none",
    }
}

coded_enum! {
    /// What the guard did after a watch-list warning.
    pub enum WatchDecision {
        LetIn = "let_in",
        TurnedAway = "turned_away",
    }
}

/// The registration as the guard's phone sends it (`visit.sign_in@1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInArgs {
    pub visit_id: Uuid,
    pub visitor_name: String,
    pub phone: String,
    pub id_type: IdType,
    /// The full number as typed; never stored, never sent back.
    #[serde(default)]
    pub id_number: String,
    /// Only in an entry re-sent after a server restore: the phone kept the mask, not the number. A phone that
    /// seals the number also keeps its mask here, for its own lists; the server opens the box instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_masked: Option<String>,
    /// The number sealed to the server's key (`domain::sealed_id`): what this build sends instead of
    /// `id_number`, so the phone never holds the number in plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_sealed: Option<String>,
    /// "Same ID as that earlier visit": a returning visitor whose number need not be typed again.
    #[serde(default)]
    pub id_from_visit: Option<Uuid>,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub host_user_id: Option<Uuid>,
    #[serde(default)]
    pub host_place_id: Option<Uuid>,
    #[serde(default)]
    pub reason: String,
    pub party_size: i64,
    #[serde(default)]
    pub plate: String,
    pub time_in_ms: i64,
    #[serde(default)]
    pub gate_id: Option<Uuid>,
}

/// `visit.sign_out@1`: one sign-out fact; the visit's first one is its time out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOutArgs {
    pub sign_out_id: Uuid,
    pub visit_id: Uuid,
    pub time_out_ms: i64,
}

/// `visit.watch_decision@1`: the guard confirmed or dismissed a watch-list warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchDecisionArgs {
    pub visit_id: Uuid,
    pub decision: WatchDecision,
}

/// A registration after validation, in the form the store keeps (masked, never the full number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSignIn {
    pub args: SignInArgs,
    /// Normalised full number, for the keyed hash only; empty when there is none.
    pub id_number: String,
    pub id_masked: Option<String>,
}

impl SignInArgs {
    /// The same registration with the ID number sealed to `key` and only its mask kept in the clear: what the
    /// phone saves. Unchanged when there is no number to seal; `None` if the key is malformed.
    pub fn sealed(mut self, key: &super::sealed_id::SealKey) -> Option<SignInArgs> {
        let number = normalize_id_number(&self.id_number);
        if number.is_empty() {
            return Some(self);
        }
        self.id_sealed = Some(key.seal(&number)?);
        self.id_masked = Some(mask_id_number(&number));
        self.id_number = String::new();
        Some(self)
    }

    /// Trims and checks every field, reporting all problems at once.
    pub fn validate(self) -> Result<CheckedSignIn, AppError> {
        let mut checks = Checks::new();
        let visitor_name = checks.text("visitor_name", &self.visitor_name, VISITOR_NAME_MAX);
        let phone = match normalize_phone(&self.phone) {
            Ok(phone) => phone,
            Err(problem) => {
                checks.add("phone", problem);
                String::new()
            }
        };
        let organisation =
            checks.optional_text("organisation", &self.organisation, ORGANISATION_MAX);
        let reason = checks.optional_text("reason", &self.reason, REASON_MAX);
        let plate = normalize_plate(&self.plate);
        if plate.chars().count() > PLATE_MAX as usize {
            checks.add("plate", Problem::TooLong { max: PLATE_MAX });
        }
        if !(1..=PARTY_SIZE_MAX).contains(&self.party_size) {
            checks.add("party_size", Problem::Invalid);
        }
        if self.host_user_id.is_none() && self.host_place_id.is_none() {
            checks.add("host", Problem::Required);
        }
        let id_number = normalize_id_number(&self.id_number);
        // A receipt re-sent after a server restore carries only the mask. Taken only if it is one (masking it
        // again changes nothing, and it hides something): a full number in its place is never stored.
        let resent_mask = self
            .id_masked
            .as_deref()
            .filter(|m| {
                id_number.is_empty()
                    && m.contains('*')
                    && m.chars().count() <= ID_NUMBER_MAX as usize
                    && mask_id_number(m) == *m
            })
            .map(str::to_owned);
        if self.id_from_visit.is_none() && resent_mask.is_none() {
            match self.id_type {
                IdType::None => {}
                IdType::ResidentCard if !id_number.is_empty() => {
                    if let Some(problem) = resident_card_problem(&id_number) {
                        checks.add("id_number", problem)
                    }
                }
                _ if id_number.is_empty() => checks.add("id_number", Problem::Required),
                _ if id_number.chars().count() > ID_NUMBER_MAX as usize => {
                    checks.add("id_number", Problem::TooLong { max: ID_NUMBER_MAX })
                }
                _ => {}
            }
        }
        checks.finish()?;
        let id_masked = if id_number.is_empty() {
            resent_mask
        } else {
            Some(mask_id_number(&id_number))
        };
        Ok(CheckedSignIn {
            args: SignInArgs {
                visitor_name,
                phone,
                organisation: organisation.unwrap_or_default(),
                reason: reason.unwrap_or_default(),
                plate,
                id_number: String::new(),
                id_masked: None,
                id_sealed: None,
                ..self
            },
            id_number,
            id_masked,
        })
    }
}

/// Digits only, with an optional leading `+`; 5 to 15 digits (landlines with area code, mobiles, abroad).
pub fn normalize_phone(input: &str) -> Result<String, Problem> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Problem::Required);
    }
    let plus = trimmed.starts_with('+');
    let mut digits = String::new();
    for c in trimmed.chars().skip(usize::from(plus)) {
        match c {
            '0'..='9' => digits.push(c),
            // Full-width digits from a Chinese keyboard.
            '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            ' ' | '-' | '(' | ')' | '　' => {}
            _ => return Err(Problem::Invalid),
        }
    }
    if !(5..=15).contains(&digits.len()) {
        return Err(Problem::Invalid);
    }
    Ok(if plus { format!("+{digits}") } else { digits })
}

/// Upper case, no spaces or dots: 苏A·12345 and 苏a 12345 are the same car.
pub fn normalize_plate(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '.' | '-' | '•'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// Upper case, no spaces: what the keyed hash is taken of, so the same card always matches.
pub fn normalize_id_number(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// 18-character resident identity card number with a valid ISO 7064 MOD 11-2 check character.
pub fn resident_card_valid(number: &str) -> bool {
    resident_card_problem(number).is_none()
}

/// What is wrong with a resident identity card number, in the order a guard fixes it: its length, a letter
/// among the first 17 digits, then a check character that does not match them (one digit mistyped).
pub fn resident_card_problem(number: &str) -> Option<Problem> {
    const LENGTH: usize = 18;
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let chars: Vec<char> = number.chars().collect();
    if chars.len() != LENGTH {
        return Some(Problem::Length {
            exact: LENGTH as u32,
        });
    }
    let (digits, check) = chars.split_at(LENGTH - 1);
    if !digits.iter().all(char::is_ascii_digit) || !(check[0].is_ascii_digit() || check[0] == 'X') {
        return Some(Problem::DigitsOnly);
    }
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    (CHECK[(sum % 11) as usize] != check[0]).then_some(Problem::CheckDigit)
}

/// Keeps the first and last four characters of a long number (3201**********1234), less of a short one.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let (head, tail) = match chars.len() {
        0..=4 => (0, 0),
        5..=8 => (1, 2),
        9..=11 => (2, 3),
        _ => (4, 4),
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= chars.len() - tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// A visit as phones see it: masked ID, times from the phones that recorded them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: Uuid,
    pub visitor_name: String,
    pub phone: String,
    pub id_type: IdType,
    pub id_masked: Option<String>,
    pub organisation: String,
    pub host_user_id: Option<Uuid>,
    pub host_place_id: Option<Uuid>,
    pub host_name: String,
    pub reason: String,
    pub party_size: i64,
    pub plate: String,
    /// The registering phone's clock, as it was; `clock_skew_ms` says how far that clock was off.
    pub time_in_ms: i64,
    pub registered_by: Uuid,
    pub clock_skew_ms: i64,
    /// The watch-list entry this visitor matched, and what the guard decided.
    pub watch_note: Option<String>,
    pub watch_decision: Option<WatchDecision>,
}

impl Visit {
    /// The time in by the server's clock: the phone's clock corrected by its measured skew, when that skew is
    /// large enough to matter. Used to place a visit on its day; the phone's own reading stays in `time_in_ms`.
    pub fn corrected_time_in(&self) -> i64 {
        if self.clock_skew_ms.abs() > super::sync::CLOCK_SKEW_WARN_MS {
            self.time_in_ms - self.clock_skew_ms
        } else {
            self.time_in_ms
        }
    }
}

/// One sign-out fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitSignOut {
    pub id: Uuid,
    pub visit_id: Uuid,
    pub time_out_ms: i64,
    pub signed_out_by: Uuid,
}

/// A watch-list entry as guard phones hold it: the phone number to warn on, and why. ID hashes stay on the
/// server (the key must not leave it), which checks them when the registration arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchEntry {
    pub id: Uuid,
    pub phone: Option<String>,
    pub note: String,
}

/// What the admin types to add someone to the watch list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchEntryInput {
    pub phone: String,
    pub id_type: Option<IdType>,
    pub id_number: String,
    pub note: String,
}

impl WatchEntryInput {
    /// Returns (phone, normalised ID number, note); at least one of phone or ID number is needed.
    pub fn validate(&self) -> Result<(Option<String>, Option<String>, String), AppError> {
        let mut checks = Checks::new();
        let note = checks.text("note", &self.note, WATCH_NOTE_MAX);
        let phone = if self.phone.trim().is_empty() {
            None
        } else {
            match normalize_phone(&self.phone) {
                Ok(phone) => Some(phone),
                Err(problem) => {
                    checks.add("phone", problem);
                    None
                }
            }
        };
        let number = normalize_id_number(&self.id_number);
        if self.id_type == Some(IdType::ResidentCard)
            && !number.is_empty()
            && let Some(problem) = resident_card_problem(&number)
        {
            checks.add("id_number", problem);
        }
        if phone.is_none() && number.is_empty() && self.phone.trim().is_empty() {
            checks.add("phone", Problem::Required);
        }
        checks.finish()?;
        Ok((phone, (!number.is_empty()).then_some(number), note))
    }
}

/// A visit as the guard's phone shows it: the synced snapshot ⊕ this phone's pending entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalVisit {
    pub visit: Visit,
    /// The first sign-out, synced or pending.
    pub time_out_ms: Option<i64>,
    /// The registration is still only on this phone.
    pub pending: bool,
    /// The sign-out is still only on this phone.
    pub sign_out_pending: bool,
}

impl LocalVisit {
    pub fn on_campus(&self) -> bool {
        self.time_out_ms.is_none()
    }
}

/// Merges the snapshot and the pending registrations and sign-outs, newest first. A pending registration the
/// snapshot already holds (its answer was lost but the pull brought it) shows once.
pub fn local_visits(
    visits: Vec<Visit>,
    sign_outs: &[VisitSignOut],
    pending_sign_ins: Vec<(SignInArgs, Uuid)>,
    pending_sign_outs: &[SignOutArgs],
    host_name: impl Fn(&SignInArgs) -> String,
) -> Vec<LocalVisit> {
    let mut merged: Vec<LocalVisit> = visits
        .into_iter()
        .map(|visit| LocalVisit {
            visit,
            time_out_ms: None,
            pending: false,
            sign_out_pending: false,
        })
        .collect();
    let mut known: std::collections::HashSet<Uuid> = merged.iter().map(|v| v.visit.id).collect();
    for (args, registered_by) in pending_sign_ins {
        if !known.insert(args.visit_id) {
            continue;
        }
        let number = normalize_id_number(&args.id_number);
        let host_name = host_name(&args);
        let id_masked = if number.is_empty() {
            args.id_masked.clone()
        } else {
            Some(mask_id_number(&number))
        };
        merged.push(LocalVisit {
            visit: Visit {
                id: args.visit_id,
                visitor_name: args.visitor_name.trim().to_owned(),
                phone: normalize_phone(&args.phone).unwrap_or_else(|_| args.phone.clone()),
                id_type: args.id_type,
                id_masked,
                organisation: args.organisation.trim().to_owned(),
                host_user_id: args.host_user_id,
                host_place_id: args.host_place_id,
                host_name,
                reason: args.reason.trim().to_owned(),
                party_size: args.party_size,
                plate: normalize_plate(&args.plate),
                time_in_ms: args.time_in_ms,
                registered_by,
                clock_skew_ms: 0,
                watch_note: None,
                watch_decision: None,
            },
            time_out_ms: None,
            pending: true,
            sign_out_pending: false,
        });
    }
    let first_out = |outs: &mut std::collections::HashMap<Uuid, i64>, visit: Uuid, at: i64| {
        outs.entry(visit)
            .and_modify(|t| *t = (*t).min(at))
            .or_insert(at);
    };
    let mut synced_outs = std::collections::HashMap::new();
    for out in sign_outs {
        first_out(&mut synced_outs, out.visit_id, out.time_out_ms);
    }
    let mut pending_outs = std::collections::HashMap::new();
    for out in pending_sign_outs {
        first_out(&mut pending_outs, out.visit_id, out.time_out_ms);
    }
    for visit in &mut merged {
        let synced = synced_outs.get(&visit.visit.id).copied();
        let pending = pending_outs.get(&visit.visit.id).copied();
        visit.time_out_ms = synced.or(pending);
        visit.sign_out_pending = synced.is_none() && pending.is_some();
    }
    merged.sort_by_key(|v| std::cmp::Reverse(v.visit.corrected_time_in()));
    merged
}

/// The latest visit by this phone number, for prefilling a returning visitor.
pub fn returning_visitor<'a>(
    visits: impl IntoIterator<Item = &'a LocalVisit>,
    phone: &str,
) -> Option<&'a LocalVisit> {
    let phone = normalize_phone(phone).ok()?;
    visits
        .into_iter()
        .filter(|v| v.visit.phone == phone && !v.pending)
        .max_by_key(|v| v.visit.time_in_ms)
}

// The tables these rows are synced in (`domain::sync::Synced`).
crate::domain::sync::synced! {
    Visit => "visits",
    VisitSignOut => "visit_sign_outs",
    WatchEntry => "watch_entries",
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "11010519491231002X";

    fn args() -> SignInArgs {
        SignInArgs {
            visit_id: Uuid::nil(),
            visitor_name: " 王建国 ".into(),
            phone: "138 0013 8000".into(),
            id_type: IdType::ResidentCard,
            id_number: "11010519491231002x".into(),
            id_from_visit: None,
            id_masked: None,
            id_sealed: None,
            organisation: "市教育局".into(),
            host_user_id: Some(Uuid::nil()),
            host_place_id: None,
            reason: "检查".into(),
            party_size: 2,
            plate: "苏a·12345".into(),
            time_in_ms: 1,
            gate_id: None,
        }
    }

    #[test]
    fn resident_card_check_character_catches_typos() {
        assert!(resident_card_valid(CARD));
        assert!(!resident_card_valid("110105194912310021"));
        assert!(!resident_card_valid("11010519491231002"));
        // Each mistake is named, so the guard knows what to look at.
        assert_eq!(
            resident_card_problem("11010519491231002"),
            Some(Problem::Length { exact: 18 })
        );
        assert_eq!(
            resident_card_problem("1101051949123100AX"),
            Some(Problem::DigitsOnly)
        );
        assert_eq!(
            resident_card_problem("110105194912310021"),
            Some(Problem::CheckDigit)
        );
        assert_eq!(resident_card_problem(CARD), None);
    }

    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(mask_id_number("320102199001011234"), "3201**********1234");
        assert_eq!(mask_id_number("E12345678"), "E1****678");
        assert_eq!(mask_id_number("1234"), "****");
    }

    #[test]
    fn registration_is_normalised_and_the_full_number_leaves_the_args() {
        let checked = args().validate().unwrap();
        assert_eq!(checked.args.visitor_name, "王建国");
        assert_eq!(checked.args.phone, "13800138000");
        assert_eq!(checked.args.plate, "苏A12345");
        assert_eq!(checked.id_number, CARD);
        assert_eq!(checked.id_masked.as_deref(), Some("1101**********002X"));
        assert!(checked.args.id_number.is_empty());
    }

    #[test]
    fn every_broken_field_is_reported() {
        let bad = SignInArgs {
            visitor_name: "".into(),
            phone: "abc".into(),
            id_number: "110105194912310021".into(),
            host_user_id: None,
            party_size: 0,
            ..args()
        };
        let err = bad.validate().unwrap_err();
        assert_eq!(err.field_problem("visitor_name"), Some(Problem::Required));
        assert_eq!(err.field_problem("phone"), Some(Problem::Invalid));
        assert_eq!(err.field_problem("id_number"), Some(Problem::CheckDigit));
        assert_eq!(err.field_problem("host"), Some(Problem::Required));
        assert_eq!(err.field_problem("party_size"), Some(Problem::Invalid));
    }

    #[test]
    fn a_sealed_registration_keeps_only_the_box_and_the_mask() {
        let secret = crypto_box::SecretKey::from([8u8; 32]);
        let key = super::super::sealed_id::SealKey::from_public(secret.public_key().as_bytes());
        let sealed = args().sealed(&key).unwrap();
        assert_eq!(sealed.id_number, "");
        assert_eq!(sealed.id_masked.as_deref(), Some("1101**********002X"));
        let text = serde_json::to_string(&sealed).unwrap();
        assert!(!text.to_uppercase().contains(CARD), "{text}");
        let (_, body) =
            super::super::sealed_id::split(sealed.id_sealed.as_deref().unwrap()).unwrap();
        assert_eq!(secret.unseal(&body).unwrap(), CARD.as_bytes());
        let no_id = SignInArgs {
            id_type: IdType::None,
            id_number: "".into(),
            ..args()
        };
        assert_eq!(no_id.clone().sealed(&key), Some(no_id));
    }

    #[test]
    fn a_returning_visitor_needs_no_number_and_a_visitor_without_id_is_allowed() {
        let returning = SignInArgs {
            id_number: "".into(),
            id_from_visit: Some(Uuid::nil()),
            id_masked: None,
            ..args()
        };
        assert!(returning.validate().is_ok());
        let no_id = SignInArgs {
            id_type: IdType::None,
            id_number: "".into(),
            ..args()
        };
        assert_eq!(no_id.validate().unwrap().id_masked, None);
        let passport_without_number = SignInArgs {
            id_type: IdType::Passport,
            id_number: " ".into(),
            ..args()
        };
        assert_eq!(
            passport_without_number
                .validate()
                .unwrap_err()
                .field_problem("id_number"),
            Some(Problem::Required)
        );
    }

    #[test]
    fn phones_accept_full_width_digits_and_separators() {
        assert_eq!(normalize_phone("１３８-0013 8000").unwrap(), "13800138000");
        assert_eq!(
            normalize_phone("+86 138 0013 8000").unwrap(),
            "+8613800138000"
        );
        assert_eq!(normalize_phone(""), Err(Problem::Required));
        assert_eq!(normalize_phone("12"), Err(Problem::Invalid));
    }

    fn visit(id: u128, time_in: i64) -> Visit {
        Visit {
            id: Uuid::from_u128(id),
            visitor_name: "李四".into(),
            phone: "13900000000".into(),
            id_type: IdType::None,
            id_masked: None,
            organisation: String::new(),
            host_user_id: None,
            host_place_id: None,
            host_name: String::new(),
            reason: String::new(),
            party_size: 1,
            plate: String::new(),
            time_in_ms: time_in,
            registered_by: Uuid::nil(),
            clock_skew_ms: 0,
            watch_note: None,
            watch_decision: None,
        }
    }

    #[test]
    fn local_view_is_snapshot_plus_pending_and_the_first_sign_out_counts() {
        let pending_in = SignInArgs {
            visit_id: Uuid::from_u128(2),
            time_in_ms: 20,
            ..args()
        };
        let sign_outs = [
            VisitSignOut {
                id: Uuid::from_u128(10),
                visit_id: Uuid::from_u128(1),
                time_out_ms: 50,
                signed_out_by: Uuid::nil(),
            },
            VisitSignOut {
                id: Uuid::from_u128(11),
                visit_id: Uuid::from_u128(1),
                time_out_ms: 40,
                signed_out_by: Uuid::nil(),
            },
        ];
        let pending_out = [SignOutArgs {
            sign_out_id: Uuid::from_u128(12),
            visit_id: Uuid::from_u128(2),
            time_out_ms: 30,
        }];
        let merged = local_visits(
            vec![visit(1, 10), visit(3, 5)],
            &sign_outs,
            vec![
                (pending_in.clone(), Uuid::nil()),
                (
                    SignInArgs {
                        visit_id: Uuid::from_u128(3),
                        ..pending_in
                    },
                    Uuid::nil(),
                ),
            ],
            &pending_out,
            |_| "张老师".into(),
        );
        assert_eq!(
            merged.len(),
            3,
            "a pending entry the snapshot holds shows once"
        );
        assert_eq!(merged[0].visit.id, Uuid::from_u128(2));
        assert!(merged[0].pending && merged[0].sign_out_pending);
        assert_eq!(
            merged[0].visit.id_masked.as_deref(),
            Some("1101**********002X")
        );
        assert_eq!(merged[0].visit.host_name, "张老师");
        assert_eq!(merged[1].time_out_ms, Some(40));
        assert!(merged[2].on_campus());
        assert_eq!(
            returning_visitor(&merged, "139 0000 0000").map(|v| v.visit.id),
            Some(Uuid::from_u128(1))
        );
    }
}
