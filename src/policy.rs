//! The authorization server's PKCE rules.

use core::hash::{Hash, Hasher};

use crate::method::ChallengeMethod;

mod authorize;
mod error;
mod missing;
mod params;
mod presets;
mod raw;
mod token;
pub use error::{AuthorizeError, TokenError};
pub use missing::MissingMethod;
pub use params::Param;

/// How the client authenticates, from its registration (RFC 6749 §2.1).
///
/// Take it from the client's registered record, never from anything in the
/// request: a request that claims to be confidential proves nothing.
///
/// # Example
///
/// ```
/// use proofkey::{ClientType, Policy};
///
/// assert!(Policy::production().requires_pkce(ClientType::Public));
/// assert!(!Policy::production().requires_pkce(ClientType::Confidential));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientType {
    /// Cannot keep a secret: SPAs, mobile and desktop apps, CLIs. Must use PKCE.
    Public,
    /// Authenticates to the token endpoint with its own credentials.
    Confidential,
}

/// The PKCE rules of an authorization server: who must use PKCE, which
/// methods are accepted, and how the authorization and token endpoints
/// decide. The default is [`Policy::production`].
///
/// # Presets
///
/// | preset | implements | public clients | confidential | methods | missing method |
/// |---|---|---|---|---|---|
/// | [`production`] (default) | RFC 7636 + RFC 9700 | PKCE | may | S256 | rejected |
/// | [`development`] | RFC 7636 as written | PKCE | may | S256, plain | plain (§4.3) |
/// | [`oauth21`] | OAuth 2.1 (draft) | PKCE | PKCE | S256 | S256 |
/// | [`fapi2`] | FAPI 2.0 Security Profile | PKCE | PKCE | S256 | rejected |
///
/// ("PKCE": must use PKCE; "may": PKCE is optional; §4.3 is RFC 7636's.)
///
/// [`production`]: Self::production
/// [`development`]: Self::development
/// [`oauth21`]: Self::oauth21
/// [`fapi2`]: Self::fapi2
///
/// Each preset's documentation quotes the sentences it implements. Each
/// column has its builder: [`require_for_confidential`](Self::require_for_confidential),
/// [`allow_plain`](Self::allow_plain), [`missing_method`](Self::missing_method).
/// Two policies are equal when they decide every request alike.
///
/// # Server guide
///
/// 1. **Authorization endpoint.** Validate `client_id` and `redirect_uri`
///    first: until they are known to be good, errors are shown to the user,
///    not redirected. Then call [`authorize_params`](Self::authorize_params)
///    with the query's decoded pairs (or [`authorize`](Self::authorize) with
///    the two values). An `Err` is sent to the client by redirect: its
///    [`query_pairs`](AuthorizeError::query_pairs) (`error`,
///    `error_description`), the request's `state`, and `iss` (RFC 9207).
///    To refuse a challenge the client used before (RFC 9700 §2.1.1),
///    pass the bound challenge to a [`ReuseGuard`](crate::ReuseGuard)
///    before issuing the code.
/// 2. **Store the binding with the code**, atomically, in the same record.
///    `Some(challenge)` is the binding, `None` an explicit "no PKCE". A
///    [`CodeChallenge`](crate::CodeChallenge) can be kept as it is in memory
///    (it is `Clone` and owns its value). To persist it, store two columns,
///    `code_challenge` ([`as_str`](crate::CodeChallenge::as_str)) and
///    `code_challenge_method` ([`method`](crate::CodeChallenge::method)), and
///    read them back with [`CodeChallenge::parse`](crate::CodeChallenge::parse);
///    or use its `serde` form (feature `serde`), a record with those two
///    fields. For plain the value is the verifier: store it like a secret.
///    A missing or unreadable record is never "no PKCE" (concluding so is
///    how downgrades happen): it is an invalid code (`invalid_grant`) or a
///    server error.
/// 3. **Token endpoint.** Load the record by code, rebuild the challenge, and
///    call [`token_params`](Self::token_params) with the form's decoded pairs
///    (or [`token`](Self::token) with `code_verifier`). The method is the
///    stored one (RFC 7636 §4.5); nothing in the token request can change
///    it. An `Err` is a [`status_code`](TokenError::status_code) (400)
///    response with the body [`json`](TokenError::json), as
///    `application/json` with `Cache-Control: no-store` (RFC 6749 §5.2).
/// 4. **Consume the code on any PKCE failure**, so that a verifier cannot be
///    guessed online one request at a time.
/// 5. Publish [`methods_supported`](Self::methods_supported) as
///    `code_challenge_methods_supported` in the server metadata (RFC 8414).
///
/// # Example
///
/// ```
/// use proofkey::{ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Policy};
///
/// let policy = Policy::production();
/// // A client draws it with CodeVerifier::random().
/// let verifier = CodeVerifier::from_random_bytes(&[42; 32]);
/// let sent = verifier.challenge();
///
/// // authorization endpoint
/// let query = format!(
///     "response_type=code&code_challenge={}&code_challenge_method=S256",
///     sent.as_str(),
/// );
/// let query = form_urlencoded::parse(query.as_bytes());
/// let bound = policy.authorize_params(ClientType::Public, query)?;
/// let stored = bound.as_ref().map(|c| (c.as_str().to_owned(), c.method().as_str()));
///
/// // token endpoint
/// let bound = match &stored {
///     Some((value, method)) => Some(CodeChallenge::parse(value, method.parse()?)?),
///     None => None,
/// };
/// let body = format!(
///     "grant_type=authorization_code&code=xyz&code_verifier={}",
///     verifier.secret(),
/// );
/// let form = form_urlencoded::parse(body.as_bytes());
/// policy.token_params(ClientType::Public, bound.as_ref(), form)?;
///
/// // an attacker with the code but not the verifier
/// let stolen = policy.token(ClientType::Public, bound.as_ref(), None).unwrap_err();
/// assert_eq!(stolen.status_code(), 400);
/// assert_eq!(
///     stolen.json().to_string(),
///     r#"{"error":"invalid_grant","error_description":"code_verifier required"}"#,
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    require_for_confidential: bool,
    allow_plain: bool,
    missing_method: MissingMethod,
}

impl Default for Policy {
    /// [`Policy::production`].
    ///
    /// ```
    /// assert_eq!(proofkey::Policy::default(), proofkey::Policy::production());
    /// ```
    fn default() -> Self {
        Self::production()
    }
}

impl PartialEq for Policy {
    /// Equal when every request gets the same answer: a missing method
    /// cannot mean plain where plain is not allowed, so
    /// `development().allow_plain(false) == production()`.
    ///
    /// ```
    /// use proofkey::Policy;
    /// assert_eq!(Policy::development().allow_plain(false), Policy::production());
    /// assert_ne!(Policy::production().allow_plain(true), Policy::development());
    /// ```
    fn eq(&self, other: &Self) -> bool {
        self.decisions() == other.decisions()
    }
}

impl Eq for Policy {}

impl Hash for Policy {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.decisions().hash(state);
    }
}

/// The values of `code_challenge_methods_supported`, S256 first.
const S256_ONLY: &[&str] = &[ChallengeMethod::S256.as_str()];
const S256_AND_PLAIN: &[&str] = &[
    ChallengeMethod::S256.as_str(),
    ChallengeMethod::Plain.as_str(),
];

impl Policy {
    /// Whether confidential clients must use PKCE too. Public clients always must.
    ///
    /// ```
    /// use proofkey::{ClientType, Policy};
    /// let p = Policy::production().require_for_confidential(true);
    /// assert!(p.requires_pkce(ClientType::Confidential));
    /// ```
    #[must_use]
    pub const fn require_for_confidential(self, required: bool) -> Self {
        Self {
            require_for_confidential: required,
            ..self
        }
    }

    /// Whether a challenge sent with `code_challenge_method=plain` is
    /// accepted (and a bound plain challenge honoured at the token endpoint).
    /// What a *missing* method means is [`missing_method`](Self::missing_method)'s.
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, ClientType, Policy};
    /// let v = Some("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    /// let p = Policy::production().allow_plain(true);
    /// let bound = p.authorize(ClientType::Public, v, Some("plain"))?;
    /// assert_eq!(bound.unwrap().method(), ChallengeMethod::Plain);
    /// assert!(p.authorize(ClientType::Public, v, None).is_err()); // still rejected
    /// # Ok::<(), proofkey::AuthorizeError>(())
    /// ```
    #[must_use]
    pub const fn allow_plain(self, allowed: bool) -> Self {
        Self {
            allow_plain: allowed,
            ..self
        }
    }

    /// What a `code_challenge` without `code_challenge_method` means:
    /// rejected, plain (RFC 7636 §4.3's default, and only where
    /// [plain is allowed](Self::allow_plain)), or S256. Read
    /// [`MissingMethod`] before choosing plain (RFC 9700 §2.1.1).
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, ClientType, MissingMethod, Policy};
    /// let c = Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// let p = Policy::development().missing_method(MissingMethod::S256);
    /// let bound = p.authorize(ClientType::Public, c, None)?;
    /// assert_eq!(bound.unwrap().method(), ChallengeMethod::S256);
    /// # Ok::<(), proofkey::AuthorizeError>(())
    /// ```
    #[must_use]
    pub const fn missing_method(self, meaning: MissingMethod) -> Self {
        Self {
            missing_method: meaning,
            ..self
        }
    }

    /// Whether a client of this type must use PKCE.
    ///
    /// ```
    /// use proofkey::{ClientType, Policy};
    /// assert!(Policy::development().requires_pkce(ClientType::Public));
    /// ```
    #[must_use]
    pub const fn requires_pkce(&self, client: ClientType) -> bool {
        match client {
            ClientType::Public => true,
            ClientType::Confidential => self.require_for_confidential,
        }
    }

    /// Whether challenges with this method are accepted.
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, Policy};
    /// assert!(!Policy::production().allows(ChallengeMethod::Plain));
    /// assert!(Policy::development().allows(ChallengeMethod::Plain));
    /// ```
    #[must_use]
    pub const fn allows(&self, method: ChallengeMethod) -> bool {
        match method {
            ChallengeMethod::S256 => true,
            ChallengeMethod::Plain => self.allow_plain,
        }
    }

    /// `code_challenge_methods_supported` for the server metadata (RFC 8414 §2):
    /// the methods a client may name, S256 first. Only
    /// [`development`](Self::development) (or [`allow_plain`](Self::allow_plain))
    /// lists plain. [`missing_method`](Self::missing_method) does not change
    /// it, as metadata cannot express it: under [`oauth21`](Self::oauth21)
    /// a missing method means S256, under [`fapi2`](Self::fapi2) it is
    /// rejected, and both publish `["S256"]`.
    ///
    /// ```
    /// use proofkey::Policy;
    /// assert_eq!(Policy::production().methods_supported(), ["S256"]);
    /// assert_eq!(Policy::development().methods_supported(), ["S256", "plain"]);
    /// assert_eq!(Policy::oauth21().methods_supported(), ["S256"]);
    /// assert_eq!(Policy::fapi2().methods_supported(), ["S256"]);
    /// ```
    #[must_use]
    pub const fn methods_supported(&self) -> &'static [&'static str] {
        if self.allow_plain {
            S256_AND_PLAIN
        } else {
            S256_ONLY
        }
    }

    /// The method a challenge without one is bound with, `None` to reject:
    /// [`MissingMethod`] where the policy allows that method.
    const fn method_when_missing(&self) -> Option<ChallengeMethod> {
        match self.missing_method.method() {
            Some(method) if self.allows(method) => Some(method),
            _ => None,
        }
    }

    /// What every decision depends on (`Eq` and `Hash`).
    const fn decisions(&self) -> (bool, bool, Option<ChallengeMethod>) {
        (
            self.require_for_confidential,
            self.allow_plain,
            self.method_when_missing(),
        )
    }
}
