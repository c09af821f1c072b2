//! `GET /spa/`: the Rust single-page app of `spa/` (see `spa/README.md`),
//! served from the authorization server's own origin, so its `fetch` calls
//! to `/token` and to the metadata are same-origin and need no CORS.
//!
//! The files are read from `PROOFKEY_SPA_DIR`, or else from `spa/www` of
//! this source tree, where `wasm-bindgen` writes the built app to `pkg/`.

use std::path::PathBuf;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use tower_http::services::ServeDir;

/// The app's callback page: the public client's redirect URI is
/// `http://127.0.0.1:<port>` + this path (RFC 8252 §7.3 loopback form,
/// the same rule as the client's `/callback`).
pub const CALLBACK_PATH: &str = "/spa/callback.html";

/// Where the app's files are served from: `PROOFKEY_SPA_DIR`, or
/// `spa/www` of this source tree.
#[must_use]
pub fn dir() -> PathBuf {
    std::env::var_os("PROOFKEY_SPA_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../spa/www")),
        PathBuf::from,
    )
}

/// `/spa/...` as static files (`/spa/` is `index.html`); `/spa` redirects
/// to `/spa/`, where the pages' relative links resolve.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/spa", get(|| async { Redirect::permanent("/spa/") }))
        .nest_service("/spa/", ServeDir::new(dir()))
}
