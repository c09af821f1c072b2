//! A single-page app in Rust: the demo authorization server's public
//! client (`client_id=spa`), compiled to `wasm32-unknown-unknown` with
//! `wasm-bindgen` and `web-sys`, with no JavaScript framework and no bundler.
//!
//! * `index.html`: the login button starts a [`proofkey::ClientFlow`]
//!   (verifier and `state` from Web Crypto through `getrandom`'s `wasm_js`
//!   backend; S256 only), keeps it in `sessionStorage` under
//!   `proofkey.flow.<state>` and redirects to the authorization endpoint.
//! * `callback.html`: reads the response, takes the entry named by its
//!   `state` out of `sessionStorage`, drops the code from the address bar
//!   and history, resumes the flow, checks `iss` (RFC 9207), exchanges the
//!   code with `fetch` and shows the token response.
//!
//! [`oauth`] is every step that needs no browser (tested on the host); the
//! browser glue is compiled for `wasm32` only. Build and run: `README.md`.

mod error;
pub mod oauth;
#[cfg(target_arch = "wasm32")]
mod web;

pub use error::SpaError;
