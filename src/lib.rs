//! PKCE (RFC 7636, Proof Key for Code Exchange) for OAuth clients and
//! authorization servers: `no_std`, no heap, no panics, a constant-time
//! verify, and a server [`Policy`] that makes the safe rules the default.
//!
//! A client that asks for an authorization code first makes up a secret, the
//! [`CodeVerifier`], and sends only its hash, the [`CodeChallenge`], with the
//! authorization request. When it redeems the code it sends the verifier
//! itself, and the server checks that it hashes to the challenge stored with
//! the code. Whoever intercepts the code cannot redeem it without the
//! verifier, which never left the client. OAuth 2.1 makes PKCE mandatory.
//!
//! # Client quick start
//!
//! ```
//! # #[cfg(feature = "getrandom")] {
//! use proofkey::{ChallengeMethod, ClientFlow, IssParameter};
//!
//! // The server's RFC 8414 metadata must list S256 (never falls back to plain).
//! ChallengeMethod::negotiate(Some(["S256"]))?;
//!
//! // Before redirecting the user: a fresh verifier and state for this request,
//! // bound to the metadata's issuer (and, for MCP, to the resource).
//! let now = std::time::SystemTime::now()
//!     .duration_since(std::time::UNIX_EPOCH)
//!     .map_or(0, |d| d.as_secs()); // seconds since the Unix epoch
//! let flow = ClientFlow::random(now)?.for_issuer("https://as.example", None)?;
//! let redirect_uri = "https://app.example/callback";
//! let pairs = flow.authorization_pairs().map(|(k, v)| format!("{k}={v}"));
//! let auth_url = format!(
//!     "https://as.example/authorize?response_type=code&client_id=spa\
//!      &redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&{}",
//!     pairs.join("&"),
//! );
//! # assert!(auth_url.contains("code_challenge_method=S256"));
//! // Keep the flow under its own state (SPA: sessionStorage, one key per state).
//! let (key, stored) = (format!("pkce.{}", flow.state()), flow.to_stored());
//!
//! // The callback ?code=...&state=...: read and delete the entry, then resume.
//! # let returned_state = flow.state();
//! let flow = ClientFlow::resume(stored.secret(), returned_state, now + 40)?;
//! // RFC 9207: the callback's iss is the issuer the flow was started for.
//! flow.check_recorded_issuer(Some("https://as.example"), IssParameter::Advertised)?;
//! let url = flow.token_endpoint("https://as.example", "https://as.example/token")?;
//! let mut form = vec![
//!     ("grant_type", "authorization_code"),
//!     ("code", "SplxlOBeZQQYbYS6WxSbIA"),
//!     ("client_id", "spa"),
//!     ("redirect_uri", redirect_uri), // as in the authorization request
//! ];
//! form.extend(flow.token_pairs()); // code_verifier, sent to `url` only
//! # assert_eq!(url, "https://as.example/token");
//! # assert_eq!(key.len(), 48);
//! # }
//! # Ok::<(), proofkey::FlowError>(())
//! ```
//!
//! [`ClientFlow`] documents the storage per platform (browser, server-side
//! web client, native app); [`ClientFlow::for_issuer`] how an MCP client
//! binds each flow to its issuer and resource; [`FlowStore`] keeps several pending flows
//! without a heap; [`ClientFlow::from_rng`] takes any `rand_core` 0.10 RNG
//! instead of the OS one. The parts are public too: [`CodeVerifier`] and
//! [`CodeVerifier::challenge`].
//!
//! Without the `getrandom` feature, bring any `rand_core` 0.10 RNG,
//! fallible or not, to [`CodeVerifier::from_rng`], or 32 random octets
//! from anywhere to [`CodeVerifier::from_random_bytes`].
//! [`CodeVerifier::from_rng_with_len`] takes a length from 43 to 128 and
//! draws each character uniformly from the 66 allowed ones.
//!
//! `rand` 0.10's `rand::rng()` fits `from_rng` as it is. `rand` 0.9's
//! `ThreadRng` does not: it implements the `rand_core` 0.9 traits, and this
//! crate takes `rand_core` 0.10's `CryptoRng`.
//!
//! # Server quick start
//!
//! The authorization endpoint validates the challenge and binds it to the
//! code; the token endpoint checks the verifier against that binding. Both
//! read the request as received (the raw query, the raw form body), so no
//! map in between can drop a repeated parameter:
//!
//! ```
//! use proofkey::{ClientType, CodeChallenge, Policy};
//!
//! let policy = Policy::production(); // public clients must use PKCE; S256 only
//!
//! // GET /authorize?..., once client_id and redirect_uri are known good. The
//! // client type comes from the client's registration, never from the request.
//! let query = "response_type=code&client_id=app&state=xyz\
//!     &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
//!     &code_challenge_method=S256";
//! let checked = policy.authorize_query(ClientType::Public, query);
//! let bound: Option<CodeChallenge> = match checked {
//!     Ok(bound) => bound, // store it in the code's own record, atomically
//!     // RFC 7636 §4.4.1: redirect back with these pairs, the state and iss.
//!     Err(e) => return Err(format!("redirect with {:?}", e.query_pairs()).into()),
//! };
//!
//! // POST /token: take (consume) the code's record first, whatever follows.
//! let body = "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA\
//!     &client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb\
//!     &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
//! policy.token_form(ClientType::Public, bound.as_ref(), body)?;
//!
//! // The attacker with the intercepted code but not the verifier:
//! let stolen = "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&client_id=app";
//! let err = policy.token_form(ClientType::Public, bound.as_ref(), stolen).unwrap_err();
//! assert_eq!(err.status_code(), 400); // RFC 6749 §5.2
//! assert_eq!(err.error_code(), "invalid_grant");
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! A framework that has already split the request into pairs passes them
//! to [`Policy::authorize_params`] and [`Policy::token_params`] instead
//! (the raw pair list, repeated names and all). The binding is the
//! [`CodeChallenge`] itself, its two columns (`as_str()`, `method()`, read
//! back with [`CodeChallenge::parse`]) or its serde form; a missing record
//! is an invalid code, never "no PKCE".
//!
//! The [`Policy`] docs list every rule with its RFC section and error code,
//! and the server guide: call it only after validating `client_id` and
//! `redirect_uri`, store the binding in the code's own record, consume the
//! code on any PKCE failure, and publish [`Policy::methods_supported`] as
//! `code_challenge_methods_supported` (RFC 8414).
//!
//! # Feature flags
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `getrandom` | yes | [`CodeVerifier::random`] and [`ClientFlow::random`], from the OS RNG |
//! | `serde` | no | `Serialize`/`Deserialize` for [`CodeChallenge`] and [`ChallengeMethod`] |
//! | `arbitrary` | no | `arbitrary::Arbitrary` for [`CodeVerifier`], [`CodeChallenge`], and more |
//!
//! - **`getrandom`** uses `getrandom` 0.4, through the same RNG health test
//!   as [`CodeVerifier::from_rng`].
//! - **`serde`**: a [`CodeChallenge`] is the record
//!   `{"code_challenge", "code_challenge_method"}`, validated on the way in;
//!   never for [`CodeVerifier`], which is a secret.
//! - **`arbitrary`**: for [`ChallengeMethod`], [`ClientType`], [`Policy`],
//!   [`CodeVerifier`] (always valid) and [`CodeChallenge`] (always valid for
//!   its method), to fuzz your own endpoints. `arbitrary` 1.x links `std`:
//!   this feature builds wherever `std` exists, not on bare metal.
//! - **Bare metal** (`default-features = false`): everything but `random()`
//!   works with no OS; bring a `rand_core` 0.10 `CryptoRng` (a hardware
//!   TRNG driver, a seeded ChaCha) to [`CodeVerifier::from_rng`] or
//!   [`ClientFlow::from_rng`], or 32 random octets to
//!   [`CodeVerifier::from_random_bytes`]. A TRNG that fails or sticks gives
//!   [`Error::Rng`], never a verifier.
//! - **Browsers** (`wasm32-unknown-unknown`): `getrandom` 0.4 reaches
//!   `crypto.getRandomValues` only with its `wasm_js` feature, which a
//!   library must not turn on for you: the application adds
//!   `getrandom = { version = "0.4", features = ["wasm_js"] }` to its own
//!   dependencies. WASI targets work as they are.
//!
//! # Security properties
//!
//! - **Exact RFC 7636 syntax.** A verifier is 43 to 128 characters of
//!   `[A-Za-z0-9-._~]`, nothing trimmed or decoded; an S256 challenge is
//!   exactly 43 characters of unpadded, canonical base64url; method names
//!   are case-sensitive. Anything else is a typed [`Error`] that carries
//!   lengths and positions, never the input.
//! - **Constant time.** [`CodeChallenge::verify`] checks the presented
//!   verifier's syntax (its time may depend on the verifier's length and on
//!   where its first bad character is, which the caller already knows),
//!   hashes it with SHA-256 and compares the 32-octet result with a digest
//!   computed when the challenge was parsed, with no branch or memory index
//!   that depends on the stored challenge, its method, its length (for
//!   plain) or where the two differ. The repository checks it under
//!   valgrind on every CI run.
//! - **Secrets stay secret.** [`CodeVerifier`] prints
//!   `CodeVerifier([REDACTED])` in `Debug` and has no `Display`, `Clone`,
//!   `PartialEq` or `Serialize`; its buffer is zeroized on drop
//!   (`ZeroizeOnDrop`), and so are a plain challenge (which *is* a
//!   verifier, and whose `Debug` is redacted too), a [`ClientFlow`], its
//!   [`StoredFlow`] and a [`FlowStore`]'s entries. [`CodeVerifier::secret`]
//!   is the one way to read a verifier. The padded copy that SHA-256 hashes
//!   is wiped after each hash, and the constructors wipe the stack frame
//!   they built the secret in. Zeroizing is best effort, as `zeroize`'s own
//!   docs say: it cannot reach copies that the compiler makes when a value
//!   moves, registers, or the caller's own copies of `secret()`. Verifiers
//!   are encoded with `base64ct` (constant time) and generated by unbiased
//!   rejection sampling, with no secret-indexed table.
//! - **A failing or stuck RNG fails closed.** Every generator, of a
//!   verifier or of a [`ClientFlow`]'s `state`, returns an RNG error
//!   instead of a value when the RNG fails, when a draw repeats with a
//!   short period (any constant octet, `FF FE FF FE …`, cycles of up to 8
//!   octets) or repeats the previous draw, and stops after a bounded number
//!   of draws when the RNG never yields a usable octet. A healthy RNG trips
//!   these with probability below 2^-100. No test can tell a counter or a
//!   seeded-but-predictable RNG from a good one: the RNG must still be a
//!   CSPRNG ([`CodeVerifier::from_rng`] says what the test catches).
//! - **`no_std`, no heap, no panics.** `#![no_std]`,
//!   `#![forbid(unsafe_code)]`, no `alloc`; values live in fixed-size
//!   inline buffers. The library denies `unwrap`, `expect`, `panic!`,
//!   unchecked indexing and unchecked arithmetic; every input gets a typed
//!   error, and the repository's tests count allocations on every path: 0.
//! - **Safe error descriptions.** Every `error_description` is fixed ASCII
//!   text in the RFC 6749 character set, so it can be sent as is.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
        clippy::missing_errors_doc,
        clippy::missing_panics_doc,
    )
)]

mod alphabet;
#[cfg(feature = "arbitrary")]
mod arbitrary_impl;
mod challenge;
mod diagnose;

mod client;
mod error;
mod method;
mod policy;
mod reuse;
mod rng;
mod scrub;
mod secret_text;
#[cfg(feature = "serde")]
mod serde_impl;
mod sha256;
mod verifier;

pub use challenge::CodeChallenge;
pub use diagnose::{Diagnosis, diagnose};

pub use client::{
    ClientFlow, FlowError, FlowStore, IssParameter, MAX_ISSUER_LEN, MAX_RESOURCE_LEN, StoredFlow,
};
pub use error::Error;
pub use method::ChallengeMethod;
pub use policy::{AuthorizeError, ClientType, MissingMethod, Param, Policy, TokenError};
pub use reuse::ReuseGuard;
pub use verifier::CodeVerifier;

// The README's Rust blocks are compiled and run as doc tests; they use every
// feature, so only the full feature set runs them.
#[cfg(all(doctest, feature = "getrandom", feature = "serde"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
