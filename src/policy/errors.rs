//! The errors of the authorization and token endpoints, with their
//! RFC 6749 error codes and descriptions that are safe to send.

use core::fmt;

use crate::{ChallengeMethod, Error};

/// Why [`Policy::authorize`](crate::Policy::authorize) rejected an
/// authorization request. Every variant is `invalid_request`
/// (RFC 7636 §4.4.1), sent by redirect with the request's `state`.
///
/// # Example
///
/// ```
/// use proofkey::{AuthorizeError, ClientType, Policy};
///
/// let err = Policy::production()
///     .authorize(ClientType::Public, Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), Some("plain"))
///     .unwrap_err();
/// assert_eq!(err, AuthorizeError::MethodNotAllowed);
/// assert_eq!(err.error_code(), "invalid_request");
/// assert_eq!(err.to_string(), err.description());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthorizeError {
    /// `code_challenge_method` was sent without `code_challenge`.
    MethodWithoutChallenge,
    /// No `code_challenge`, and this client type must use PKCE.
    ChallengeRequired,
    /// No `code_challenge_method`, and the policy does not allow plain
    /// (which is what a missing method means, RFC 7636 §4.3).
    MethodRequired,
    /// `code_challenge_method` is not exactly `S256` or `plain`.
    UnsupportedMethod,
    /// The method is `plain` and the policy does not allow it.
    MethodNotAllowed,
    /// The `code_challenge` does not have its method's syntax; the inner
    /// error says how (lengths and positions only).
    MalformedChallenge(Error),
    /// `code_challenge` appears more than once (`authorize_params`).
    RepeatedChallenge,
    /// `code_challenge_method` appears more than once (`authorize_params`).
    RepeatedMethod,
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
    /// assert_eq!(AuthorizeError::UnsupportedMethod.description(), "transform algorithm not supported");
    /// ```
    #[must_use]
    pub const fn description(&self) -> &'static str {
        match self {
            Self::MethodWithoutChallenge => "code_challenge_method sent without code_challenge",
            // RFC 7636 §4.4.1's own wording
            Self::ChallengeRequired => "code challenge required",
            Self::MethodRequired => "code_challenge_method required: this server accepts S256 only",
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
        }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    MalformedVerifier(Error),
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
}

impl fmt::Display for AuthorizeError {
    /// Writes [`AuthorizeError::description`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

impl fmt::Display for TokenError {
    /// Writes [`TokenError::description`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

impl core::error::Error for AuthorizeError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::MalformedChallenge(e) => Some(e),
            _ => None,
        }
    }
}

impl core::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::MalformedVerifier(e) => Some(e),
            _ => None,
        }
    }
}
