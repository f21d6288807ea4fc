//! Starts the Houqin server; see `houqin::server::run`. `houqin backup DIR` writes a backup archive while the
//! server runs; `houqin restore ARCHIVE [--force]` restores one with the server stopped (and starts a new epoch,
//! so every phone re-sends what the backup lacks); `houqin new-epoch` does only that last step. `houqin routes`
//! prints the route table, each page with the roles that open it. `houqin import places|staff|classes|check-points FILE
//! [--dry-run]` imports a sheet as `/admin/import` does, printing its preview.

/// mimalloc returns freed memory to the system, so a burst of sign-ins (Argon2 takes 19 MB each) does not leave
/// the server holding hundreds of MB (measured by `bench/photos`).
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None => houqin::server::run().await,
        Some("backup") => match args.get(1) {
            Some(dir) if args.len() == 2 => {
                houqin::server::backup_command(std::path::Path::new(dir)).await
            }
            _ => return usage("houqin backup DIR"),
        },
        Some("import") => {
            let dry_run = args.iter().skip(1).any(|a| a == "--dry-run");
            let rest: Vec<&String> = args.iter().skip(1).filter(|a| *a != "--dry-run").collect();
            let [kind, file] = rest.as_slice() else {
                return usage("houqin import places|staff|classes|check-points FILE [--dry-run]");
            };
            return match houqin::features::directory::import::plan::command(
                kind,
                std::path::Path::new(file),
                dry_run,
            )
            .await
            {
                Ok(true) => std::process::ExitCode::SUCCESS,
                Ok(false) => std::process::ExitCode::FAILURE,
                Err(problem) => {
                    eprintln!("houqin: {problem}");
                    std::process::ExitCode::FAILURE
                }
            };
        }
        Some("restore") => {
            let force = args.iter().skip(1).any(|a| a == "--force");
            let files: Vec<&String> = args.iter().skip(1).filter(|a| *a != "--force").collect();
            match files.as_slice() {
                [archive] => {
                    houqin::server::restore_command(std::path::Path::new(archive), force).await
                }
                _ => return usage("houqin restore ARCHIVE [--force]"),
            }
        }
        Some("new-epoch") => houqin::server::new_epoch().await,
        // Every page's route, one per line, a tab, and the roles whose jobs hold it: the end-to-end tests open
        // each of them as each of those roles (a new page is covered).
        Some("routes") => {
            for (path, roles) in houqin::server::route_roles() {
                let roles: Vec<&str> = roles.iter().map(|role| role.code()).collect();
                println!("{path}\t{}", roles.join(","));
            }
            Ok(())
        }
        Some(other) => {
            eprintln!(
                "houqin: unknown command {other:?}; run without arguments to serve, `import KIND FILE [--dry-run]`, `backup DIR`, `restore ARCHIVE [--force]`, `new-epoch` after restoring by hand, or `routes` to list the pages"
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

#[cfg(feature = "ssr")]
fn usage(line: &str) -> std::process::ExitCode {
    eprintln!("usage: {line}");
    std::process::ExitCode::from(2)
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser side starts from `houqin::hydrate`; this binary is only built with `ssr`.
}
