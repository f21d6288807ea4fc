//! Generates the `i18n` module from `locales/*.json` (Simplified Chinese is the default and the reference).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    // The wasm is split into one piece per job (`--split`). wasm-ld merges the strings of every job into shared
    // data segments, which the splitter cannot take apart, so each job's text would stay in the first download
    // (cargo-leptos#679): keep one segment per symbol instead.
    if std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch.starts_with("wasm")) {
        println!("cargo::rustc-link-arg-cdylib=--no-merge-data-segments");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    let options = ParseOptions::default().interpolate_display(true);
    let config = Config::new("zh")?.add_locale("en")?.parse_options(options);
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    Ok(())
}
