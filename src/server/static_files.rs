//! The built wasm, js and css, served precompressed.
//!
//! Compressing a 1.8 MB wasm per request at the best brotli level would cost the server seconds; compressing it
//! at a fast level wastes a quarter of the phone's download. So each file under `/pkg` is compressed once, at the
//! highest brotli and gzip levels, on a background thread at start-up (skipped when an up-to-date copy exists),
//! and `ServeDir` answers with the `.br` or `.gz` file the browser accepts. Until a copy is ready the router's
//! compression layer compresses on the fly, so nothing waits for this.

use std::io::Write;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;

const COMPRESSIBLE: &[&str] = &["wasm", "js", "css"];

pub fn pkg_service(pkg_dir: &Path) -> ServeDir {
    ServeDir::new(pkg_dir)
        .precompressed_br()
        .precompressed_gzip()
}

/// Starts compressing whatever in `pkg_dir` lacks an up-to-date `.br` and `.gz` beside it.
pub fn precompress_in_background(pkg_dir: PathBuf) {
    tokio::task::spawn_blocking(move || {
        let Ok(entries) = std::fs::read_dir(&pkg_dir) else {
            tracing::warn!(dir = %pkg_dir.display(), "no built site to precompress; run `cargo leptos build --release`");
            return;
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            let compressible = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| COMPRESSIBLE.contains(&e));
            if compressible && let Err(cause) = precompress(&path) {
                tracing::warn!(file = %path.display(), %cause, "precompression failed; serving compressed on the fly");
            }
        }
    });
}

fn precompress(path: &Path) -> std::io::Result<()> {
    let source = std::fs::read(path)?;
    let modified = std::fs::metadata(path)?.modified()?;
    for (suffix, compress) in [
        ("br", brotli_best as fn(&[u8]) -> std::io::Result<Vec<u8>>),
        ("gz", gzip_best),
    ] {
        let target = PathBuf::from(format!("{}.{suffix}", path.display()));
        let fresh = std::fs::metadata(&target)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= modified);
        if fresh {
            continue;
        }
        // Written beside and renamed, so a request never sees half a file.
        let partial = PathBuf::from(format!("{}.{suffix}.partial", path.display()));
        std::fs::write(&partial, compress(&source)?)?;
        std::fs::rename(&partial, &target)?;
    }
    Ok(())
}

fn brotli_best(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

fn gzip_best(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precompressed_copies_decode_to_the_original_and_are_not_redone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.js");
        let body = "console.log('后勤');\n".repeat(500);
        std::fs::write(&file, &body).unwrap();
        precompress(&file).unwrap();
        let br = std::fs::read(dir.path().join("app.js.br")).unwrap();
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut decoded).unwrap();
        assert_eq!(decoded, body.as_bytes());
        assert!(br.len() < body.len() / 10);
        let gz = std::fs::read(dir.path().join("app.js.gz")).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut text)
            .unwrap();
        assert_eq!(text, body);
        let stamp = std::fs::metadata(dir.path().join("app.js.br"))
            .unwrap()
            .modified()
            .unwrap();
        precompress(&file).unwrap();
        assert_eq!(
            std::fs::metadata(dir.path().join("app.js.br"))
                .unwrap()
                .modified()
                .unwrap(),
            stamp
        );
    }
}
