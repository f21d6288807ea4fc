//! The league: which checks are in force, each class's (or office's) score for a period, the ranking with the
//! red flag and the reclean mark, and the periods themselves (a school week, a month).

use super::*;

/// Which checks count: not superseded by a correction, and not withdrawn by an accepted appeal.
pub fn in_force(checks: &[(Uuid, Option<Uuid>)], withdrawn: &HashSet<Uuid>) -> HashSet<Uuid> {
    let superseded: HashSet<Uuid> = checks.iter().filter_map(|(_, s)| *s).collect();
    checks
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !superseded.contains(id) && !withdrawn.contains(id))
        .collect()
}

/// A score on the league's 10-point scale, in hundredths.
pub fn centi(score: i64, full_score: i64) -> i64 {
    if full_score <= 0 {
        return 0;
    }
    (score.clamp(0, full_score) * SCALE_CENTI * 2 + full_score) / (full_score * 2)
}

/// One check in force, as the league sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scored {
    /// The class (class league) or the office zone (office league).
    pub subject: Uuid,
    /// Day number at the school.
    pub day: i64,
    pub kind: CheckKind,
    pub score: i64,
    pub full_score: i64,
}

impl Scored {
    /// On the 10-point scale in hundredths, unrounded: the league rounds once, at the end.
    fn value(&self) -> f64 {
        if self.full_score <= 0 {
            return 0.0;
        }
        self.score.clamp(0, self.full_score) as f64 * SCALE_CENTI as f64 / self.full_score as f64
    }

    fn below(&self, threshold_centi: i64) -> bool {
        self.score.clamp(0, self.full_score) * SCALE_CENTI < threshold_centi * self.full_score
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeagueRules {
    pub spot_weight_pct: i64,
    pub threshold_centi: i64,
    /// Whether the first place holds the red flag (the class league).
    pub red_flag: bool,
}

impl From<&Settings> for LeagueRules {
    fn from(settings: &Settings) -> LeagueRules {
        LeagueRules {
            spot_weight_pct: settings.spot_weight_pct,
            threshold_centi: settings.threshold_centi,
            red_flag: true,
        }
    }
}

/// One subject's place in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub subject: Uuid,
    /// Hundredths on the 10-point scale; `None`: no check in force this period.
    pub score: Option<i64>,
    /// 1 for the first; shared by ties; `None` when unranked.
    pub rank: Option<u32>,
    /// School days with a daily check.
    pub days: u32,
    pub spot_checks: u32,
    /// Checks below the threshold.
    pub low_checks: u32,
    pub lowest: Option<i64>,
    pub red_flag: bool,
    pub reclean: bool,
}

/// The league table of one period, best first, then the unranked in the order `subjects` gave them. Every
/// subject appears once; checks of subjects not listed are ignored. See the module's documentation.
pub fn standings(subjects: &[Uuid], checks: &[Scored], rules: LeagueRules) -> Vec<Standing> {
    #[derive(Default)]
    struct Sums {
        /// Day → (sum of the day's daily checks, how many).
        days: BTreeMap<i64, (f64, u32)>,
        spot_sum: f64,
        spots: u32,
        low: u32,
        lowest: Option<i64>,
    }
    let order: HashMap<Uuid, usize> = subjects.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut sums: Vec<Sums> = subjects.iter().map(|_| Sums::default()).collect();
    for check in checks {
        let Some(&i) = order.get(&check.subject) else {
            continue;
        };
        let sum = &mut sums[i];
        match check.kind {
            CheckKind::Daily => {
                let day = sum.days.entry(check.day).or_default();
                day.0 += check.value();
                day.1 += 1;
            }
            CheckKind::Spot => {
                sum.spot_sum += check.value();
                sum.spots += 1;
            }
        }
        if check.below(rules.threshold_centi) {
            sum.low += 1;
        }
        let shown = centi(check.score, check.full_score);
        sum.lowest = Some(sum.lowest.map_or(shown, |l| l.min(shown)));
    }
    let weight = rules.spot_weight_pct.max(1) as f64;
    let mut table: Vec<Standing> = subjects
        .iter()
        .zip(&sums)
        .map(|(subject, sum)| {
            let day_total: f64 = sum
                .days
                .values()
                .map(|(total, n)| total / f64::from(*n))
                .sum();
            let denominator = sum.days.len() as f64 * 100.0 + f64::from(sum.spots) * weight;
            let score = (denominator > 0.0).then(|| {
                ((day_total * 100.0 + sum.spot_sum * weight) / denominator).round() as i64
            });
            Standing {
                subject: *subject,
                score,
                rank: None,
                days: sum.days.len() as u32,
                spot_checks: sum.spots,
                low_checks: sum.low,
                lowest: sum.lowest,
                red_flag: false,
                reclean: score.is_some_and(|s| s < rules.threshold_centi),
            }
        })
        .collect();
    // Best first by the tie-break chain; the unranked keep their given order at the end (stable sort).
    let key = |s: &Standing| {
        s.score.map(|score| {
            (
                std::cmp::Reverse(score),
                s.low_checks,
                std::cmp::Reverse(s.lowest),
            )
        })
    };
    table.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let mut rank = 0u32;
    for i in 0..table.len() {
        if table[i].score.is_none() {
            break;
        }
        if i == 0 || key(&table[i]) != key(&table[i - 1]) {
            rank = i as u32 + 1;
        }
        table[i].rank = Some(rank);
        table[i].red_flag = rules.red_flag
            && rank == 1
            && table[i].score.is_some_and(|s| s >= rules.threshold_centi);
    }
    table
}

/// What the league reads of a stored check (no ratings: a term's ranking reads thousands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreRow {
    pub id: Uuid,
    pub zone_id: Uuid,
    pub league: League,
    pub class_id: Option<Uuid>,
    pub kind: CheckKind,
    pub score: i64,
    pub full_score: i64,
    pub checked_at: i64,
    /// When the server received it: a check that arrived after its period was published waits for the next
    /// publication.
    pub received_at: i64,
    pub supersedes: Option<Uuid>,
}

impl From<&CheckRow> for ScoreRow {
    fn from(c: &CheckRow) -> ScoreRow {
        ScoreRow {
            id: c.id,
            zone_id: c.zone_id,
            league: c.league,
            class_id: c.class_id,
            kind: c.kind,
            score: c.score,
            full_score: c.full_score,
            checked_at: c.checked_at,
            received_at: c.received_at,
            supersedes: c.supersedes,
        }
    }
}

/// The league table of a period's stored checks: keeps those of `league` in force (see [`in_force`]), scores
/// each on the 10-point scale by its day at `offset_minutes`, and ranks `subjects` ([`standings`]). The board,
/// the trend, the CSV and the benchmark all go through here. Answers the table, the checks counted and the
/// checks left out.
pub fn league_table(
    league: League,
    subjects: &[Uuid],
    checks: &[ScoreRow],
    withdrawn: &HashSet<Uuid>,
    settings: &Settings,
    offset_minutes: i64,
) -> (Vec<Standing>, usize, usize) {
    let of_league: Vec<&ScoreRow> = checks.iter().filter(|c| c.league == league).collect();
    let ids: Vec<(Uuid, Option<Uuid>)> = of_league.iter().map(|c| (c.id, c.supersedes)).collect();
    let counted = in_force(&ids, withdrawn);
    let offset = offset_minutes * 60_000;
    let scored: Vec<Scored> = of_league
        .iter()
        .filter(|c| counted.contains(&c.id))
        .filter_map(|c| {
            let subject = match league {
                League::Class => c.class_id?,
                League::Office => c.zone_id,
            };
            Some(Scored {
                subject,
                day: (c.checked_at + offset).div_euclid(crate::domain::clock::DAY_MS),
                kind: c.kind,
                score: c.score,
                full_score: c.full_score,
            })
        })
        .collect();
    let rules = LeagueRules {
        red_flag: league == League::Class,
        ..LeagueRules::from(settings)
    };
    let table = standings(subjects, &scored, rules);
    (table, counted.len(), of_league.len() - counted.len())
}

/// `7.85` from 785 hundredths.
pub fn score_text(centi: i64) -> String {
    format!("{}.{:02}", centi / 100, centi % 100)
}

/// A league period: a class week (Monday to Sunday, keyed by its Monday) or an office month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// `YYYY-MM-DD` (the Monday) or `YYYY-MM`.
    pub key: String,
    /// The first and the last day, `YYYY-MM-DD`.
    pub first_day: String,
    pub last_day: String,
    /// Its UTC millisecond range at `offset_minutes`.
    pub from_ms: i64,
    pub to_ms: i64,
}

/// The period of a league containing `text`: for classes any day of the week (`YYYY-MM-DD`), for offices a
/// month (`YYYY-MM`, or a day in it). `None` when `text` is no such date.
pub fn period_of(league: League, text: &str, offset_minutes: i64) -> Option<Period> {
    use crate::domain::clock::{DAY_MS, civil_from_days, day_range, month_range};
    let text = text.trim();
    let day_text = |day: i64| {
        let (y, m, d) = civil_from_days(day);
        format!("{y:04}-{m:02}-{d:02}")
    };
    let offset = offset_minutes * 60_000;
    match league {
        League::Class => {
            let (start, _) = day_range(text, 0)?;
            let monday = crate::domain::safety::week_start(start.div_euclid(DAY_MS));
            Some(Period {
                key: day_text(monday),
                first_day: day_text(monday),
                last_day: day_text(monday + 6),
                from_ms: monday * DAY_MS - offset,
                to_ms: (monday + 7) * DAY_MS - offset,
            })
        }
        League::Office => {
            let month = if text.len() == 10 {
                text.get(..7)?
            } else {
                text
            };
            let (from, to) = month_range(month, 0)?;
            let (year, month_number, _) = civil_from_days(from.div_euclid(DAY_MS));
            Some(Period {
                key: format!("{year:04}-{month_number:02}"),
                first_day: day_text(from.div_euclid(DAY_MS)),
                last_day: day_text(to.div_euclid(DAY_MS) - 1),
                from_ms: from - offset,
                to_ms: to - offset,
            })
        }
    }
}
