//! Dates and times from millisecond timestamps, at a given offset from UTC: no time-zone database needed,
//! the same on the server and the phone (which passes its own offset).

/// China Standard Time, the school's clock for registers printed on the server.
pub const SCHOOL_UTC_OFFSET_MINUTES: i64 = 8 * 60;

pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2026-11-24` of a timestamp at `offset_minutes` from UTC.
pub fn date(ms: i64, offset_minutes: i64) -> String {
    let local = ms + offset_minutes * 60_000;
    let (y, m, d) = civil_from_days(local.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `08:05` of a timestamp at `offset_minutes` from UTC.
pub fn time(ms: i64, offset_minutes: i64) -> String {
    let minutes = (ms + offset_minutes * 60_000).rem_euclid(DAY_MS) / 60_000;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `2026-12-07 08:05` of a timestamp at `offset_minutes` from UTC: how lists and ledgers show a moment.
pub fn date_time(ms: i64, offset_minutes: i64) -> String {
    format!("{} {}", date(ms, offset_minutes), time(ms, offset_minutes))
}

/// The UTC millisecond range `[start, end)` of a `YYYY-MM-DD` day at `offset_minutes`; `None` if malformed.
pub fn day_range(date: &str, offset_minutes: i64) -> Option<(i64, i64)> {
    let mut parts = date.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(1970..=9999).contains(&year) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if civil_from_days(days) != (year, month, day) {
        return None;
    }
    let start = days * DAY_MS - offset_minutes * 60_000;
    Some((start, start + DAY_MS))
}

/// The UTC millisecond range `[start, end)` of a `YYYY-MM` month at `offset_minutes`; `None` if malformed.
pub fn month_range(month: &str, offset_minutes: i64) -> Option<(i64, i64)> {
    let (year, month) = month.trim().split_once('-')?;
    let year: i64 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    if !(1..=12).contains(&month) || !(1970..=9999).contains(&year) {
        return None;
    }
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let offset = offset_minutes * 60_000;
    Some((
        days_from_civil(year, month, 1) * DAY_MS - offset,
        days_from_civil(next_year, next_month, 1) * DAY_MS - offset,
    ))
}

/// `2026-11`, the month of a timestamp at `offset_minutes`.
pub fn month(ms: i64, offset_minutes: i64) -> String {
    date(ms, offset_minutes)[..7].to_owned()
}

/// Start of the day containing `ms`, at `offset_minutes`.
pub fn start_of_day(ms: i64, offset_minutes: i64) -> i64 {
    let offset = offset_minutes * 60_000;
    (ms + offset).div_euclid(DAY_MS) * DAY_MS - offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_at_beijing_time() {
        // 2026-11-24 00:30 in Beijing is 2026-11-23 16:30 UTC.
        let ms = 1_795_451_400_000;
        assert_eq!(date(ms, SCHOOL_UTC_OFFSET_MINUTES), "2026-11-24");
        assert_eq!(time(ms, SCHOOL_UTC_OFFSET_MINUTES), "00:30");
        assert_eq!(date(ms, 0), "2026-11-23");
        let (start, end) = day_range("2026-11-24", SCHOOL_UTC_OFFSET_MINUTES).unwrap();
        assert!(start <= ms && ms < end);
        assert_eq!(start_of_day(ms, SCHOOL_UTC_OFFSET_MINUTES), start);
    }

    #[test]
    fn months_run_from_the_first_to_the_next_first() {
        let (start, end) = month_range("2026-12", SCHOOL_UTC_OFFSET_MINUTES).unwrap();
        assert_eq!(
            start,
            day_range("2026-12-01", SCHOOL_UTC_OFFSET_MINUTES)
                .unwrap()
                .0
        );
        assert_eq!(
            end,
            day_range("2027-01-01", SCHOOL_UTC_OFFSET_MINUTES)
                .unwrap()
                .0
        );
        assert_eq!(month(start, SCHOOL_UTC_OFFSET_MINUTES), "2026-12");
        assert_eq!(month(start - 1, SCHOOL_UTC_OFFSET_MINUTES), "2026-11");
        assert_eq!(month_range("2026-13", 0), None);
        assert_eq!(month_range("soon", 0), None);
    }

    #[test]
    fn malformed_days_are_refused() {
        assert_eq!(day_range("2026-02-30", 0), None);
        assert_eq!(day_range("yesterday", 0), None);
        assert!(day_range("2024-02-29", 0).is_some());
    }
}
