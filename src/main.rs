//! Starts the Houqin server; see `houqin::server::run`. `houqin new-epoch` is the last step of restoring the
//! database from a backup (see the README): it tells every phone that the server went back in time. `houqin
//! routes` prints the route table.

/// mimalloc returns freed memory to the system, so a burst of sign-ins (Argon2 takes 19 MB each) does not leave
/// the server holding hundreds of MB (measured by `bench/photos`).
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let result = match std::env::args().nth(1).as_deref() {
        None => houqin::server::run().await,
        Some("new-epoch") => houqin::server::new_epoch().await,
        // Every page's route, one per line: the end-to-end tests open each of them (a new page is covered).
        Some("routes") => {
            for path in houqin::server::route_paths() {
                println!("{path}");
            }
            Ok(())
        }
        Some(other) => {
            eprintln!(
                "houqin: unknown command {other:?}; run without arguments to serve, `new-epoch` after a restore, or `routes` to list the pages"
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("houqin: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser side starts from `houqin::hydrate`; this binary is only built with `ssr`.
}
