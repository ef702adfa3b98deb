//! The compiled site under `/pkg` (WASM, JS, CSS): compressed, and cached by browsers for as
//! long as its name says it may be.
//!
//! cargo-leptos builds with `hash-files`, so every file's name carries a hash of its content and
//! a changed file gets a new name: such a file may be kept for good (`immutable`). A site built
//! without hashes (the file `hash.txt` missing beside the server) is revalidated on every load
//! instead, so nobody runs yesterday's WASM against today's server.
//!
//! `.br` and `.gz` files beside an asset are sent as they are. A release build made with
//! `cargo leptos build --release --precompress` carries them; otherwise SeatSync writes them once
//! when it starts (`precompress`, in the background), and until they are there each response is
//! compressed as it goes. Compressing the 25 MB of the debug build's later pages on every load
//! would hold back every page's first second.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use axum::{
    http::{header, HeaderValue},
    response::Response,
    Router,
};
use tower::ServiceBuilder;
use tower_http::{
    compression::{CompressionLayer, CompressionLevel},
    services::ServeDir,
};

/// `Cache-Control` of a file whose name changes with its content.
const FOREVER: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of a file that keeps its name across builds.
const REVALIDATE: &str = "no-cache";

/// Whether the site's file names carry hashes: cargo-leptos wrote `hash_file` beside this
/// executable (it is where Leptos reads the names from, too).
pub fn site_is_hashed(hash_file: &str) -> bool {
    hash_file_path(hash_file).is_some_and(|p| p.exists())
}

fn hash_file_path(hash_file: &str) -> Option<PathBuf> {
    Some(std::env::current_exe().ok()?.parent()?.join(hash_file))
}

/// The router serving `pkg_dir` at `/pkg`.
pub fn router(pkg_dir: &Path, hashed: bool) -> Router {
    let files = ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip();
    let cache = HeaderValue::from_static(if hashed { FOREVER } else { REVALIDATE });
    Router::new()
        .nest_service(
            "/pkg",
            // A response already encoded (a precompressed file) passes through unchanged.
            ServiceBuilder::new().layer(CompressionLayer::new().quality(CompressionLevel::Precise(4))).service(files),
        )
        // Only a file that was found may be kept: a 404 must be asked again.
        .layer(axum::middleware::map_response(move |mut response: Response| {
            let cache = cache.clone();
            async move {
                if response.status().is_success() {
                    response.headers_mut().insert(header::CACHE_CONTROL, cache);
                }
                response
            }
        }))
}

/// What is compressed ahead: the files a page loads.
const COMPRESSIBLE: &[&str] = &["wasm", "js", "css"];

/// Writes `<file>.br` and `<file>.gz` beside every site file that lacks them (or has older
/// ones), in the background. A site directory SeatSync may not write to is left as it is: its
/// files are then compressed per response.
pub fn precompress(pkg_dir: PathBuf) {
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        match precompress_dir(&pkg_dir) {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(files = n, ms = started.elapsed().as_millis() as u64, "site files compressed ahead")
            }
            Err(e) => tracing::warn!(dir = %pkg_dir.display(), error = %e, "site files are compressed per response"),
        }
    });
}

fn precompress_dir(dir: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let wanted = path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !wanted {
            continue;
        }
        let modified = std::fs::metadata(&path)?.modified()?;
        for (suffix, compress) in [("br", brotli_bytes as fn(&[u8]) -> std::io::Result<Vec<u8>>), ("gz", gzip_bytes)] {
            let target = PathBuf::from(format!("{}.{suffix}", path.display()));
            let fresh = std::fs::metadata(&target).and_then(|m| m.modified()).is_ok_and(|t| t >= modified);
            if fresh {
                continue;
            }
            let packed = compress(&std::fs::read(&path)?)?;
            // Written aside and renamed, so a request never reads half a file.
            let partial = PathBuf::from(format!("{}.partial", target.display()));
            std::fs::write(&partial, packed)?;
            std::fs::rename(&partial, &target)?;
            written += 1;
        }
    }
    Ok(written)
}

fn brotli_bytes(input: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() / 4);
    {
        // Quality 9 of 11: close to the smallest, at a fraction of the time of 11.
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 9, 22);
        writer.write_all(input)?;
    }
    Ok(out)
}

fn gzip_bytes(input: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(input.len() / 3), flate2::Compression::best());
    encoder.write_all(input)?;
    encoder.finish()
}
