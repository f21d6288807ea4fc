//! Starts the Houqin server; see `houqin::server::run`. `houqin new-epoch` is the last step of restoring the
//! database from a backup (see the README): it tells every phone that the server went back in time.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let result = match std::env::args().nth(1).as_deref() {
        None => houqin::server::run().await,
        Some("new-epoch") => houqin::server::new_epoch().await,
        Some(other) => {
            eprintln!(
                "houqin: unknown command {other:?}; run without arguments to serve, or `new-epoch` after a restore"
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
