//! The errors of the authorization and token endpoints, with their
//! RFC 6749 error codes and descriptions that are safe to send.

use core::fmt;

use crate::error::Error;
use crate::method::ChallengeMethod;

/// Why [`Policy::authorize`](crate::Policy::authorize) rejected an
/// authorization request. Every variant is `invalid_request`
/// (RFC 7636 §4.4.1), sent by redirect with the request's `state`.
///
/// # Example
///
/// ```
/// use proofkey::{AuthorizeError, ClientType, Policy};
///
/// let challenge = Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
/// let err = Policy::production()
///     .authorize(ClientType::Public, challenge, Some("plain"))
///     .unwrap_err();
/// assert_eq!(err, AuthorizeError::MethodNotAllowed);
/// assert_eq!(err.error_code(), "invalid_request");
/// assert_eq!(err.to_string(), err.description());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{}", self.description())]
#[non_exhaustive]
pub enum AuthorizeError {
    /// `code_challenge_method` was sent without `code_challenge`.
    MethodWithoutChallenge,
    /// No `code_challenge`, and this client type must use PKCE.
    ChallengeRequired,
    /// No `code_challenge_method`, and the policy's
    /// [`MissingMethod`](crate::MissingMethod) rejects it (`Reject`, or
    /// `Plain` where plain is not allowed).
    MethodRequired,
    /// `code_challenge_method` is not exactly `S256` or `plain`.
    UnsupportedMethod,
    /// The method is `plain` and the policy does not allow it.
    MethodNotAllowed,
    /// The `code_challenge` does not have its method's syntax; the inner
    /// error says how (lengths and positions only).
    MalformedChallenge(#[source] Error),
    /// `code_challenge` appears more than once (`authorize_params`).
    RepeatedChallenge,
    /// `code_challenge_method` appears more than once (`authorize_params`).
    RepeatedMethod,
    /// The client presented a challenge from the same verifier before,
    /// within the window of a [`ReuseGuard`](crate::ReuseGuard)
    /// (RFC 9700 §2.1.1: constant PKCE challenges).
    ChallengeReused,
}

impl AuthorizeError {
    /// The RFC 6749 §4.1.2.1 `error` value: always `invalid_request`.
    ///
    /// ```
    /// assert_eq!(proofkey::AuthorizeError::ChallengeRequired.error_code(), "invalid_request");
    /// ```
    #[must_use]
    pub const fn error_code(&self) -> &'static str {
        "invalid_request"
    }

    /// An `error_description` safe to send: fixed ASCII text in the
    /// RFC 6749 charset (`%x20-21 / %x23-5B / %x5D-7E`), never any input.
    ///
    /// ```
    /// use proofkey::AuthorizeError;
    /// let err = AuthorizeError::UnsupportedMethod;
    /// assert_eq!(err.description(), "transform algorithm not supported");
    /// ```
    #[must_use]
    pub const fn description(&self) -> &'static str {
        match self {
            Self::MethodWithoutChallenge => "code_challenge_method sent without code_challenge",
            // RFC 7636 §4.4.1's own wording
            Self::ChallengeRequired => "code challenge required",
            Self::MethodRequired => "code_challenge_method required: use S256",
            Self::UnsupportedMethod => "transform algorithm not supported",
            Self::MethodNotAllowed => {
                "transform algorithm not supported: plain is not allowed, use S256"
            }
            Self::MalformedChallenge(e) => match e {
                Error::ChallengeLength {
                    method: ChallengeMethod::Plain,
                    ..
                }
                | Error::ChallengeCharset {
                    method: ChallengeMethod::Plain,
                    ..
                } => "code_challenge for plain must be 43 to 128 characters of [A-Za-z0-9-._~]",
                _ => {
                    "code_challenge for S256 must be 43 characters of unpadded base64url (a SHA-256 digest)"
                }
            },
            Self::RepeatedChallenge => "code_challenge parameter repeated",
            Self::RepeatedMethod => "code_challenge_method parameter repeated",
            Self::ChallengeReused => {
                "code_challenge was used before: use a fresh code_verifier for every authorization request"
            }
        }
    }

    /// The parameters of the error redirect (RFC 6749 §4.1.2.1):
    /// `("error", error_code)` and `("error_description", description)`.
    /// Add the request's `state` and, per RFC 9207, `iss`; the values are
    /// fixed ASCII text and need no escaping beyond the query's.
    ///
    /// ```
    /// use proofkey::AuthorizeError;
    ///
    /// let mut params = AuthorizeError::ChallengeRequired.query_pairs().to_vec();
    /// params.extend([("state", "af0ifjsldkj"), ("iss", "https://server.example.com")]);
    /// let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    /// assert_eq!(
    ///     query,
    ///     "error=invalid_request&error_description=code+challenge+required\
    ///      &state=af0ifjsldkj&iss=https%3A%2F%2Fserver.example.com",
    /// );
    /// ```
    #[must_use]
    pub const fn query_pairs(&self) -> [(&'static str, &'static str); 2] {
        [
            ("error", self.error_code()),
            ("error_description", self.description()),
        ]
    }
}

/// Why [`Policy::token`](crate::Policy::token) rejected a token request.
/// `invalid_grant` (RFC 7636 §4.6) except [`RepeatedVerifier`](Self::RepeatedVerifier),
/// which is `invalid_request`. On any of them, consume the code.
///
/// # Example
///
/// ```
/// use proofkey::{ClientType, Policy, TokenError};
///
/// let err = Policy::production().token(ClientType::Public, None, None).unwrap_err();
/// assert_eq!(err, TokenError::PkceRequired);
/// assert_eq!(err.error_code(), "invalid_grant");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{}", self.description())]
#[non_exhaustive]
pub enum TokenError {
    /// A challenge is bound to the code but no `code_verifier` was sent.
    VerifierRequired,
    /// A `code_verifier` was sent but no challenge is bound to the code:
    /// the PKCE downgrade of RFC 9700 §4.8.2.
    UnexpectedVerifier,
    /// Neither a bound challenge nor a verifier, and this client type must use PKCE.
    PkceRequired,
    /// The bound challenge's method is one the policy does not allow
    /// (for example plain, bound before the policy changed): fail closed.
    MethodNotAllowed,
    /// The `code_verifier` is not 43 to 128 characters of `[A-Za-z0-9-._~]`;
    /// the inner error says how (lengths and positions only).
    MalformedVerifier(#[source] Error),
    /// The `code_verifier` does not match the bound challenge.
    Mismatch,
    /// `code_verifier` appears more than once (`token_params`).
    RepeatedVerifier,
}

impl TokenError {
    pub(crate) const fn from_verify(e: Error) -> Self {
        match e {
            Error::Mismatch => Self::Mismatch,
            other => Self::MalformedVerifier(other),
        }
    }

    /// The RFC 6749 §5.2 `error` value.
    ///
    /// ```
    /// use proofkey::TokenError;
    /// assert_eq!(TokenError::Mismatch.error_code(), "invalid_grant");
    /// assert_eq!(TokenError::RepeatedVerifier.error_code(), "invalid_request");
    /// ```
    #[must_use]
    pub const fn error_code(&self) -> &'static str {
        match self {
            Self::RepeatedVerifier => "invalid_request",
            _ => "invalid_grant",
        }
    }

    /// An `error_description` safe to send: fixed ASCII text in the
    /// RFC 6749 charset (`%x20-21 / %x23-5B / %x5D-7E`), never any input.
    ///
    /// ```
    /// use proofkey::TokenError;
    /// assert_eq!(TokenError::VerifierRequired.description(), "code_verifier required");
    /// ```
    #[must_use]
    pub const fn description(&self) -> &'static str {
        match self {
            Self::VerifierRequired => "code_verifier required",
            Self::UnexpectedVerifier => {
                "code_verifier sent, but the authorization request had no code_challenge"
            }
            Self::PkceRequired => "PKCE required, but the authorization code has no code_challenge",
            Self::MethodNotAllowed => {
                "the code_challenge_method bound to this code is no longer accepted"
            }
            Self::MalformedVerifier(_) => {
                "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]"
            }
            Self::Mismatch => "code_verifier does not match the code_challenge",
            Self::RepeatedVerifier => "code_verifier parameter repeated",
        }
    }

    /// The HTTP status of the error response: 400 for every variant
    /// (RFC 6749 §5.2; only `invalid_client` may be 401, and PKCE never
    /// raises it).
    ///
    /// ```
    /// assert_eq!(proofkey::TokenError::Mismatch.status_code(), 400);
    /// ```
    #[must_use]
    pub const fn status_code(&self) -> u16 {
        400
    }

    /// The error response body (RFC 6749 §5.2),
    /// `{"error":"…","error_description":"…"}`, written by `Display` without
    /// allocating. Valid JSON as written: [`description`](Self::description)
    /// is in RFC 6749's charset, which has no `"`, `\` or control
    /// character to escape. Send it as `application/json`, with
    /// `Cache-Control: no-store`, and [`status_code`](Self::status_code).
    ///
    /// ```
    /// use proofkey::TokenError;
    ///
    /// assert_eq!(
    ///     TokenError::Mismatch.json().to_string(),
    ///     r#"{"error":"invalid_grant","#.to_owned()
    ///         + r#""error_description":"code_verifier does not match the code_challenge"}"#,
    /// );
    /// ```
    #[must_use]
    pub const fn json(&self) -> impl fmt::Display + use<> {
        TokenErrorJson(*self)
    }
}

/// [`TokenError::json`]: the RFC 6749 §5.2 body.
struct TokenErrorJson(TokenError);

impl fmt::Display for TokenErrorJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Both values are fixed text in the RFC 6749 charset: nothing to escape.
        f.write_str(r#"{"error":""#)?;
        f.write_str(self.0.error_code())?;
        f.write_str(r#"","error_description":""#)?;
        f.write_str(self.0.description())?;
        f.write_str(r#""}"#)
    }
}
