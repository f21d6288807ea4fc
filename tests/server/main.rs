//! Integration tests: the real server, on a real SQLite file and a real PostgreSQL database, called over HTTP the
//! way the browser calls it. Every scenario runs on both backends (`both!`), each on a fresh database.
//!
//! PostgreSQL is reached at `HOUQIN_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`);
//! each test creates its own database and drops it afterwards.

// Scenario bodies are plain async fns run by `both!`, which clippy does not see as tests: unwrap() here is how a
// test fails.
#![allow(clippy::unwrap_used)]

mod harness;
mod phone;

mod audit;
mod auth;
mod backup;
mod cleaning;
mod directory;
mod exports;
mod fuzz;
mod hostile;
mod import;
mod pages;
mod safety;
mod staff;
mod sync;
mod sync_properties;
mod term;
mod tickets;
mod tls;
mod users;
