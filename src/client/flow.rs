//! `ClientFlow`: one pending authorization, from the authorization request
//! to the token request.

use core::fmt;

use rand_core::TryCryptoRng;
use zeroize::ZeroizeOnDrop;

use super::binding::Binding;
use super::state::State;
use super::stored::StoredFlow;
use super::{FlowError, check_age};
use crate::challenge::CodeChallenge;
use crate::verifier::CodeVerifier;

/// One pending authorization code flow with PKCE, on the client: a fresh
/// `code_verifier` and a fresh `state`, drawn together, and the time it
/// started.
///
/// 1. [`from_rng`](Self::from_rng) (or `random`, with the `getrandom` feature) before each
///    authorization request; [`authorization_pairs`](Self::authorization_pairs)
///    go into the authorization URL.
/// 2. Keep the flow across the redirect, keyed by its [`state`](Self::state):
///    see [Storage](#storage).
/// 3. On the callback, [`resume`](Self::resume) (or
///    [`FlowStore::take`](crate::FlowStore::take)) with the returned `state`,
///    then [`check_issuer`](Self::check_issuer), then send
///    [`token_pairs`](Self::token_pairs) with the code.
///
/// It offers S256 only, never `plain`, and makes a new verifier for every
/// flow: a flow is used once, and after any error the client starts a new
/// one (RFC 9700 §2.1.1: the challenge MUST be transaction-specific).
///
/// It is not `Clone` (it holds a [`CodeVerifier`]); its `Debug` shows only
/// the start time, and its verifier and `state` are zeroized on drop.
///
/// # Example
///
/// ```
/// use proofkey::ClientFlow;
/// let mut rng = rand::rng(); // or ClientFlow::random(now)
///
/// let now = 1_700_000_000; // seconds, e.g. since the Unix epoch
/// let flow = ClientFlow::from_rng(&mut rng, now)?;
/// let query = flow.authorization_pairs(); // code_challenge, code_challenge_method, state
/// # assert_eq!(query[1], ("code_challenge_method", "S256"));
/// // Keep across the redirect:
/// let (key, value) = (flow.state().to_owned(), flow.to_stored());
///
/// // The callback: ?code=...&state=...
/// let returned_state = key.as_str();
/// let flow = ClientFlow::resume(value.secret(), returned_state, now + 30)?;
/// let form = flow.token_pairs(); // [("code_verifier", ...)]
/// assert!(flow.challenge().verify(form[0].1).is_ok());
/// # Ok::<(), proofkey::FlowError>(())
/// ```
///
/// # Storage
///
/// Keep one entry per `state`, never one fixed slot: with a fixed slot a
/// second tab or a retried login overwrites the first flow, whose callback
/// then fails. Read and delete the entry before checking anything, so that
/// it is used once whatever the outcome.
///
/// - **Browser single-page app**: `sessionStorage`, key `"pkce." + state`,
///   value [`to_stored`](Self::to_stored); on the callback read the key
///   named by the returned `state`, remove it, then
///   [`resume`](Self::resume). `sessionStorage` is per tab and per origin,
///   and survives the redirect; `localStorage` would keep verifiers after
///   the tab closes and share them between tabs.
/// - **Server-side web client**: the user's server session (bound to the
///   browser by its session cookie): the stored text under the `state`, or a
///   small [`FlowStore`](crate::FlowStore) in the session. Never a table
///   shared by all users keyed by `state` alone: the `state` must be bound
///   to the user agent that started the flow (RFC 6749 §10.12), or an
///   attacker's callback completes in the victim's browser.
/// - **Native app**: memory, a [`FlowStore`](crate::FlowStore) in the
///   process that waits for the redirect (loopback or claimed URL,
///   RFC 8252); nothing needs to reach the disk.
pub struct ClientFlow {
    verifier: CodeVerifier,
    challenge: CodeChallenge,
    state: State,
    issued_at: u64,
    binding: Binding,
}

impl ClientFlow {
    /// How old a flow may be when it is resumed, by default: 10 minutes,
    /// the longest lifetime RFC 6749 §4.1.2 recommends for a code.
    pub const DEFAULT_MAX_AGE_SECS: u64 = 600;

    /// Starts a flow at `now_secs`: a fresh 43-character verifier from 32
    /// octets of `rng`, then a fresh 43-character `state` from 32 more
    /// octets (256 bits), in that order.
    ///
    /// `now_secs` is any clock in seconds that [`resume`](Self::resume)
    /// will be given too, e.g. seconds since the Unix epoch. Every
    /// `rand_core` 0.10 `CryptoRng` is a `TryCryptoRng`.
    ///
    /// ```
    /// use proofkey::ClientFlow;
    ///
    /// let mut rng = rand::rng(); // any rand_core 0.10 TryCryptoRng
    /// let a = ClientFlow::from_rng(&mut rng, 1_700_000_000)?;
    /// let b = ClientFlow::from_rng(&mut rng, 1_700_000_000)?;
    /// assert_ne!(a.state(), b.state());
    /// assert_ne!(a.verifier().secret(), b.verifier().secret());
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`FlowError::Rng`] if the RNG fails, if the octets of the verifier or
    /// of the state fail the health test of
    /// [`CodeVerifier::from_rng`], or if the state comes out equal to
    /// the verifier (an RNG that repeats itself); nothing is returned then.
    pub fn from_rng<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        now_secs: u64,
    ) -> Result<Self, FlowError> {
        let verifier = CodeVerifier::from_rng(rng).map_err(|_| FlowError::Rng)?;
        let state = State::from_rng(rng)?;
        // Independent 256-bit draws never agree; equal ones mean a stuck RNG.
        if bool::from(state.ct_eq(verifier.secret().as_bytes())) {
            return Err(FlowError::Rng);
        }
        Ok(Self::from_parts(
            verifier,
            state,
            now_secs,
            Binding::UNBOUND,
        ))
    }

    /// [`from_rng`](Self::from_rng) with the operating system's RNG (`getrandom`).
    ///
    /// ```
    /// let flow = proofkey::ClientFlow::random(1_700_000_000)?;
    /// assert_eq!(flow.state().len(), 43);
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`FlowError::Rng`] if the OS RNG is unavailable or its octets fail
    /// the health test; it never panics.
    #[cfg(feature = "getrandom")]
    pub fn random(now_secs: u64) -> Result<Self, FlowError> {
        Self::from_rng(&mut crate::rng::OsRng, now_secs)
    }

    pub(crate) fn from_parts(
        verifier: CodeVerifier,
        state: State,
        issued_at: u64,
        binding: Binding,
    ) -> Self {
        Self {
            challenge: verifier.challenge(),
            verifier,
            state,
            issued_at,
            binding,
        }
    }

    pub(crate) fn parts(&self) -> (&CodeVerifier, &State, &Binding) {
        (&self.verifier, &self.state, &self.binding)
    }

    /// The same flow with `binding` (see `bound.rs`).
    pub(crate) fn with_binding(mut self, binding: Binding) -> Self {
        self.binding = binding;
        self
    }

    /// The parameters this flow adds to the authorization request, exactly
    /// `code_challenge`, `code_challenge_method` (always `S256`) and
    /// `state`, in that order, not yet URL-encoded (none of the values
    /// needs encoding).
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 0)?;
    /// let query: Vec<String> = flow
    ///     .authorization_pairs()
    ///     .iter()
    ///     .map(|(k, v)| format!("{k}={v}"))
    ///     .collect();
    /// let url = format!(
    ///     "https://as.example/authorize?response_type=code&client_id=app&{}",
    ///     query.join("&"),
    /// );
    /// assert!(url.contains("&code_challenge_method=S256&state="));
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    #[must_use]
    pub fn authorization_pairs(&self) -> [(&'static str, &str); 3] {
        [
            ("code_challenge", self.challenge.as_str()),
            ("code_challenge_method", self.challenge.method().as_str()),
            ("state", self.state.as_str()),
        ]
    }

    /// The `state`: 43 base64url characters. Use it as the storage key of
    /// this flow; the authorization server returns it with the code.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 0)?;
    /// let key = format!("pkce.{}", flow.state());
    /// # assert_eq!(key.len(), 48);
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    #[must_use]
    pub fn state(&self) -> &str {
        self.state.as_str()
    }

    /// The S256 `code_challenge` of this flow's verifier.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 0)?;
    /// assert_eq!(flow.challenge().method(), proofkey::ChallengeMethod::S256);
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    #[must_use]
    pub fn challenge(&self) -> &CodeChallenge {
        &self.challenge
    }

    /// This flow's verifier, for a token request built by other means
    /// (e.g. the `oauth2` crate's `PkceCodeVerifier::new(v.secret().to_owned())`).
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 0)?;
    /// assert_eq!(flow.verifier().secret().len(), 43);
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    #[must_use]
    pub fn verifier(&self) -> &CodeVerifier {
        &self.verifier
    }

    /// When the flow started, as given to [`from_rng`](Self::from_rng).
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 1_700_000_000)?;
    /// assert_eq!(flow.issued_at(), 1_700_000_000);
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    #[must_use]
    pub const fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// The parameter this flow adds to the token request: exactly
    /// `code_verifier`. Call it only on a flow from [`resume`](Self::resume)
    /// or [`FlowStore::take`](crate::FlowStore::take), after the issuer check.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// # let flow = proofkey::ClientFlow::from_rng(&mut rng, 0)?;
    /// let mut form = vec![("grant_type", "authorization_code"), ("code", "SplxlOBeZQQ")];
    /// form.extend(flow.token_pairs());
    /// assert_eq!(form[2].0, "code_verifier");
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    ///
    /// # Security
    ///
    /// The value is the verifier ([`CodeVerifier::secret`]): send it only in
    /// the token request, over TLS, to the token endpoint of the issuer
    /// checked by [`check_issuer`](Self::check_issuer).
    #[must_use]
    pub fn token_pairs(&self) -> [(&'static str, &str); 1] {
        [("code_verifier", self.verifier.secret())]
    }

    /// The flow as text to keep across the redirect (format in
    /// [`StoredFlow`]); [`resume`](Self::resume) reads it back.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 1_700_000_000)?;
    /// let stored = flow.to_stored();
    /// let back = proofkey::ClientFlow::resume(stored.secret(), flow.state(), 1_700_000_001)?;
    /// assert_eq!(back.verifier().secret(), flow.verifier().secret());
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    #[must_use]
    pub fn to_stored(&self) -> StoredFlow {
        StoredFlow::encode(self.issued_at, &self.state, &self.binding, &self.verifier)
    }

    /// The flow kept as `stored`, if `returned_state` (the `state` of the
    /// authorization response) is its state and it is at most
    /// [`DEFAULT_MAX_AGE_SECS`](Self::DEFAULT_MAX_AGE_SECS) old at `now_secs`.
    ///
    /// ```
    /// use proofkey::{ClientFlow, FlowError};
    /// let mut rng = rand::rng();
    ///
    /// let flow = ClientFlow::from_rng(&mut rng, 1_700_000_000)?;
    /// let other = ClientFlow::from_rng(&mut rng, 1_700_000_000)?;
    /// let stored = flow.to_stored();
    /// assert!(ClientFlow::resume(stored.secret(), flow.state(), 1_700_000_600).is_ok());
    /// assert_eq!(
    ///     ClientFlow::resume(stored.secret(), other.state(), 1_700_000_001).unwrap_err(),
    ///     FlowError::StateMismatch,
    /// );
    /// assert_eq!(
    ///     ClientFlow::resume(stored.secret(), flow.state(), 1_700_000_601).unwrap_err(),
    ///     FlowError::Expired,
    /// );
    /// # Ok::<(), FlowError>(())
    /// ```
    ///
    /// `resume` does not consume anything: deleting the stored text (before
    /// calling it) is what makes a flow single-use.
    ///
    /// # Errors
    ///
    /// In this order: [`FlowError::Malformed`] if `stored` is not text from
    /// [`to_stored`](Self::to_stored) (any change fails the check value or
    /// the verifier syntax); [`FlowError::StateMismatch`] if `returned_state`
    /// differs from the flow's `state`; [`FlowError::FromFuture`] or
    /// [`FlowError::Expired`] for the flow's age.
    ///
    /// # Timing
    ///
    /// The `state` comparison is constant-time: its running time depends on
    /// the length of `returned_state`, not on its content nor on where it
    /// differs from the stored one. Parsing `stored` takes time that depends
    /// on its length and on where it is malformed (the caller's own data).
    pub fn resume(stored: &str, returned_state: &str, now_secs: u64) -> Result<Self, FlowError> {
        Self::resume_with_max_age(stored, returned_state, now_secs, Self::DEFAULT_MAX_AGE_SECS)
    }

    /// [`resume`](Self::resume) with a maximum age of `max_age_secs`: a flow
    /// is expired when `now_secs - issued_at > max_age_secs`.
    ///
    /// ```
    /// use proofkey::{ClientFlow, FlowError};
    /// let mut rng = rand::rng();
    ///
    /// let flow = ClientFlow::from_rng(&mut rng, 1_000)?;
    /// let stored = flow.to_stored();
    /// let resume = |t| ClientFlow::resume_with_max_age(stored.secret(), flow.state(), t, 120);
    /// assert!(resume(1_120).is_ok());
    /// assert_eq!(
    ///     resume(1_121).unwrap_err(),
    ///     FlowError::Expired,
    /// );
    /// # Ok::<(), FlowError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`resume`](Self::resume).
    pub fn resume_with_max_age(
        stored: &str,
        returned_state: &str,
        now_secs: u64,
        max_age_secs: u64,
    ) -> Result<Self, FlowError> {
        let parsed = StoredFlow::parse(stored)?;
        // RFC 6749 §10.12: the response belongs to this user agent's flow.
        if !bool::from(parsed.state.ct_eq(returned_state.as_bytes())) {
            return Err(FlowError::StateMismatch);
        }
        check_age(parsed.issued_at, now_secs, max_age_secs)?;
        Ok(Self::from_parts(
            parsed.verifier,
            parsed.state,
            parsed.issued_at,
            parsed.binding,
        ))
    }
}

impl ZeroizeOnDrop for ClientFlow {}

impl fmt::Debug for ClientFlow {
    /// Shows the start time; the `state` and the verifier are redacted.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 5)?;
    /// assert_eq!(
    ///     format!("{flow:?}"),
    ///     "ClientFlow { issued_at: 5, state: [REDACTED], verifier: [REDACTED] }",
    /// );
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("ClientFlow");
        out.field("issued_at", &self.issued_at);
        // Neither is secret; shown only for a bound flow.
        if let Some(issuer) = self.binding.issuer() {
            out.field("issuer", &issuer);
        }
        if let Some(resource) = self.binding.resource() {
            out.field("resource", &resource);
        }
        out.field("state", &format_args!("[REDACTED]"))
            .field("verifier", &format_args!("[REDACTED]"))
            .finish()
    }
}
