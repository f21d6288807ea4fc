//! Job 3, cleaning-zone scores (卫生评比). Scoring arrives with its issue; for now the inspector sees every
//! class and the zone (包干区) it keeps, and a class teacher sees their own class first.

mod cleaning_scores_page;

pub use cleaning_scores_page::CleaningScoresPage;
