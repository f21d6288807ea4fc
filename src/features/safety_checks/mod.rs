//! Job 2, Friday fire-safety and anti-theft rounds (消防、防盗设施检查). Checklists arrive with their issue; for
//! now the inspector sees the check points they answer for (责任到人).

mod safety_checks_page;

pub use safety_checks_page::SafetyChecksPage;
