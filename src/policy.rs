//! The authorization server's PKCE rules.

use crate::{ChallengeMethod, CodeChallenge};

mod errors;
pub use errors::{AuthorizeError, TokenError};

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
/// | preset | public clients | confidential clients | methods | missing method |
/// |---|---|---|---|---|
/// | [`production`](Self::production) (default) | must use PKCE | may | S256 | rejected |
/// | [`development`](Self::development) | must use PKCE | may | S256, plain | plain (RFC 7636 §4.3) |
/// | [`oauth21`](Self::oauth21) | must use PKCE | must use PKCE | S256 | rejected |
///
/// # Server guide
///
/// 1. **Authorization endpoint.** Validate `client_id` and `redirect_uri`
///    first: until they are known to be good, errors are shown to the user,
///    not redirected. Then call [`authorize`](Self::authorize) (or
///    [`authorize_params`](Self::authorize_params) with the decoded query).
///    An `Err` is sent to the client by redirect, as `error`
///    ([`AuthorizeError::error_code`]), `error_description`
///    ([`AuthorizeError::description`]) and the request's `state`.
/// 2. **Store the binding with the code**, atomically, in the same record:
///    `Some(challenge)` as its [`as_str`](CodeChallenge::as_str) and
///    [`method`](CodeChallenge::method); `None` as "no PKCE". Never conclude
///    "no PKCE" from a missing or unreadable record: that is how downgrades
///    happen.
/// 3. **Token endpoint.** Load the record by code, rebuild the challenge with
///    [`CodeChallenge::parse`], and call [`token`](Self::token) (or
///    [`token_params`](Self::token_params) with the decoded form). The method
///    is the stored one (RFC 7636 §4.5); nothing in the token request can
///    change it. An `Err` is a 400 JSON error response (RFC 6749 §5.2).
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
/// let verifier = CodeVerifier::from_random_bytes(&[42; 32]);    // client: use CodeVerifier::random()
/// let sent = verifier.challenge();
///
/// // authorization endpoint
/// let bound = policy.authorize(ClientType::Public, Some(sent.as_str()), Some("S256"))?;
/// let stored = bound.as_ref().map(|c| (c.as_str().to_owned(), c.method()));
///
/// // token endpoint
/// let bound = match &stored {
///     Some((value, method)) => Some(CodeChallenge::parse(value, *method)?),
///     None => None,
/// };
/// policy.token(ClientType::Public, bound.as_ref(), Some(verifier.secret()))?;
///
/// // an attacker with the code but not the verifier
/// let stolen = policy.token(ClientType::Public, bound.as_ref(), None);
/// assert_eq!(stolen.unwrap_err().error_code(), "invalid_grant");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Policy {
    require_for_confidential: bool,
    allow_plain: bool,
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

/// The values of `code_challenge_methods_supported`, S256 first.
const S256_ONLY: &[&str] = &[ChallengeMethod::S256.as_str()];
const S256_AND_PLAIN: &[&str] = &[
    ChallengeMethod::S256.as_str(),
    ChallengeMethod::Plain.as_str(),
];

impl Policy {
    /// Public clients must send a challenge, confidential clients may;
    /// only S256 is accepted, and a challenge without a method is rejected.
    ///
    /// ```
    /// use proofkey::{ClientType, Policy};
    /// let p = Policy::production();
    /// assert_eq!(p.methods_supported(), ["S256"]);
    /// assert!(p.authorize(ClientType::Confidential, None, None)?.is_none());
    /// # Ok::<(), proofkey::AuthorizeError>(())
    /// ```
    #[must_use]
    pub const fn production() -> Self {
        Self {
            require_for_confidential: false,
            allow_plain: false,
        }
    }

    /// As [`production`](Self::production), but plain is accepted and a
    /// challenge without a method means plain (RFC 7636 §4.3). For local
    /// development and legacy clients only.
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, ClientType, Policy};
    /// let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /// let bound = Policy::development().authorize(ClientType::Public, Some(v), None)?;
    /// assert_eq!(bound.unwrap().method(), ChallengeMethod::Plain);
    /// # Ok::<(), proofkey::AuthorizeError>(())
    /// ```
    #[must_use]
    pub const fn development() -> Self {
        Self {
            require_for_confidential: false,
            allow_plain: true,
        }
    }

    /// Every client must use PKCE with S256 (OAuth 2.1 §4.1.1, §7.5.1).
    ///
    /// ```
    /// use proofkey::{ClientType, Policy};
    /// assert!(Policy::oauth21().requires_pkce(ClientType::Confidential));
    /// assert!(Policy::oauth21().authorize(ClientType::Confidential, None, None).is_err());
    /// ```
    #[must_use]
    pub const fn oauth21() -> Self {
        Self {
            require_for_confidential: true,
            allow_plain: false,
        }
    }

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

    /// Whether the plain method is accepted (and a missing method means plain).
    ///
    /// ```
    /// use proofkey::Policy;
    /// assert_eq!(Policy::production().allow_plain(true), Policy::development());
    /// ```
    #[must_use]
    pub const fn allow_plain(self, allowed: bool) -> Self {
        Self {
            allow_plain: allowed,
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

    /// `code_challenge_methods_supported` for the server metadata (RFC 8414 §2).
    ///
    /// ```
    /// use proofkey::Policy;
    /// assert_eq!(Policy::production().methods_supported(), ["S256"]);
    /// assert_eq!(Policy::development().methods_supported(), ["S256", "plain"]);
    /// ```
    #[must_use]
    pub const fn methods_supported(&self) -> &'static [&'static str] {
        if self.allow_plain {
            S256_AND_PLAIN
        } else {
            S256_ONLY
        }
    }

    /// Validates the PKCE parameters of an authorization request
    /// (RFC 7636 §4.3, §4.4).
    ///
    /// Pass the raw parameter values, `None` when absent. Returns
    /// `Some(challenge)` to store with the code, or `None` when the code has
    /// no PKCE binding (a confidential client that sent no challenge, where
    /// the policy allows it).
    ///
    /// ```
    /// use proofkey::{ClientType, Policy};
    ///
    /// let p = Policy::production();
    /// let err = p.authorize(ClientType::Public, None, None).unwrap_err();
    /// assert_eq!(err.error_code(), "invalid_request");
    /// assert_eq!(err.description(), "code challenge required");
    /// ```
    ///
    /// # Errors
    ///
    /// An [`AuthorizeError`], all `invalid_request` (RFC 7636 §4.4.1), in
    /// this order: a method without a challenge; no challenge where PKCE is
    /// required; no method where plain is not allowed; a method other than
    /// exactly `S256` or `plain`, or plain where not allowed; a challenge
    /// malformed for its method. An empty value counts as absent
    /// (RFC 6749 §3.1).
    pub fn authorize(
        &self,
        client: ClientType,
        code_challenge: Option<&str>,
        code_challenge_method: Option<&str>,
    ) -> Result<Option<CodeChallenge>, AuthorizeError> {
        // RFC 6749 §3.1: a parameter sent without a value is treated as omitted.
        let challenge = code_challenge.filter(|s| !s.is_empty());
        let method = code_challenge_method.filter(|s| !s.is_empty());
        let Some(challenge) = challenge else {
            if method.is_some() {
                return Err(AuthorizeError::MethodWithoutChallenge);
            }
            if self.requires_pkce(client) {
                return Err(AuthorizeError::ChallengeRequired);
            }
            return Ok(None);
        };
        let method = match method {
            // RFC 7636 §4.3: "defaults to plain if not present in the request".
            None if self.allow_plain => ChallengeMethod::Plain,
            None => return Err(AuthorizeError::MethodRequired),
            Some(name) => {
                ChallengeMethod::parse(name).map_err(|_| AuthorizeError::UnsupportedMethod)?
            }
        };
        if !self.allows(method) {
            return Err(AuthorizeError::MethodNotAllowed);
        }
        CodeChallenge::parse(challenge, method)
            .map(Some)
            .map_err(AuthorizeError::MalformedChallenge)
    }

    /// [`authorize`](Self::authorize) over the request's decoded
    /// (name, value) pairs. Parameters other than `code_challenge` and
    /// `code_challenge_method` are ignored.
    ///
    /// ```
    /// use proofkey::{AuthorizeError, ClientType, Policy};
    ///
    /// let query = [
    ///     ("response_type", "code"),
    ///     ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
    ///     ("code_challenge_method", "S256"),
    ///     ("code_challenge_method", "plain"),
    /// ];
    /// let err = Policy::production().authorize_params(ClientType::Public, query).unwrap_err();
    /// assert_eq!(err, AuthorizeError::RepeatedMethod);
    /// ```
    ///
    /// # Errors
    ///
    /// [`AuthorizeError::RepeatedChallenge`] or
    /// [`AuthorizeError::RepeatedMethod`] when a PKCE parameter appears more
    /// than once, even with an empty value (RFC 6749 §3.1: parameters must
    /// not be included more than once); otherwise as [`authorize`](Self::authorize).
    pub fn authorize_params<'a>(
        &self,
        client: ClientType,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Option<CodeChallenge>, AuthorizeError> {
        let mut challenge = None;
        let mut method = None;
        for (name, value) in params {
            let (slot, repeated) = match name {
                "code_challenge" => (&mut challenge, AuthorizeError::RepeatedChallenge),
                "code_challenge_method" => (&mut method, AuthorizeError::RepeatedMethod),
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(repeated);
            }
        }
        self.authorize(client, challenge, method)
    }

    /// Checks the PKCE part of a token request (RFC 7636 §4.5, §4.6) against
    /// the challenge bound to the code (`None` if the code has no binding).
    ///
    /// ```
    /// use proofkey::{ClientType, CodeVerifier, Policy, TokenError};
    ///
    /// let v = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// let bound = v.challenge();
    /// let p = Policy::production();
    /// assert_eq!(p.token(ClientType::Public, Some(&bound), Some(v.secret())), Ok(()));
    /// // the downgrade of RFC 9700 §4.8.2: a verifier for a code that has no challenge
    /// assert_eq!(
    ///     p.token(ClientType::Confidential, None, Some(v.secret())),
    ///     Err(TokenError::UnexpectedVerifier),
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`TokenError`], `invalid_grant` (RFC 7636 §4.6): a bound challenge
    /// whose method the policy no longer allows; a bound challenge and no
    /// verifier; a verifier but no bound challenge (for every client type);
    /// neither, where this client type must use PKCE; a malformed verifier;
    /// a mismatch. The comparison is [`CodeChallenge::verify`], in constant
    /// time. An empty `code_verifier` counts as absent.
    pub fn token(
        &self,
        client: ClientType,
        bound: Option<&CodeChallenge>,
        code_verifier: Option<&str>,
    ) -> Result<(), TokenError> {
        let verifier = code_verifier.filter(|s| !s.is_empty());
        match (bound, verifier) {
            (Some(challenge), _) if !self.allows(challenge.method()) => {
                Err(TokenError::MethodNotAllowed)
            }
            (Some(_), None) => Err(TokenError::VerifierRequired),
            // RFC 9700 §4.8.2: reject a verifier for a code issued without a challenge.
            (None, Some(_)) => Err(TokenError::UnexpectedVerifier),
            (None, None) if self.requires_pkce(client) => Err(TokenError::PkceRequired),
            (None, None) => Ok(()),
            // RFC 7636 §4.5: the method is the one bound to the code.
            (Some(challenge), Some(v)) => challenge.verify(v).map_err(TokenError::from_verify),
        }
    }

    /// [`token`](Self::token) over the token request's decoded (name, value)
    /// pairs. Only `code_verifier` is read: a `code_challenge_method` in the
    /// token request is ignored, as the method is the bound one.
    ///
    /// ```
    /// use proofkey::{ClientType, CodeVerifier, Policy, TokenError};
    ///
    /// let v = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// let form = [("grant_type", "authorization_code"), ("code_verifier", v.secret())];
    /// Policy::production().token_params(ClientType::Public, Some(&v.challenge()), form)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`TokenError::RepeatedVerifier`] (`invalid_request`) when
    /// `code_verifier` appears more than once; otherwise as [`token`](Self::token).
    pub fn token_params<'a>(
        &self,
        client: ClientType,
        bound: Option<&CodeChallenge>,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), TokenError> {
        let mut verifier = None;
        for (name, value) in params {
            if name == "code_verifier" && verifier.replace(value).is_some() {
                return Err(TokenError::RepeatedVerifier);
            }
        }
        self.token(client, bound, verifier)
    }
}
