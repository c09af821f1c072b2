//! What a `code_challenge` without `code_challenge_method` means.

use crate::method::ChallengeMethod;

/// What [`Policy::authorize`](crate::Policy::authorize) does with a
/// `code_challenge` sent without `code_challenge_method`; set with
/// [`Policy::missing_method`](crate::Policy::missing_method).
///
/// RFC 7636 §4.3 says a missing method "defaults to plain". That default is
/// a downgrade: a client that forgets the method, or an attacker who strips
/// it from the request, gets its S256 challenge bound as plain. The
/// challenge then *is* the verifier, and whoever saw the authorization
/// request (a log, a proxy, the browser history: attacker A4 of RFC 9700
/// §3) redeems a stolen code by sending the challenge itself as
/// `code_verifier`. RFC 9700 §2.1.1 asks for methods "that do not expose
/// the PKCE verifier in the authorization request"; only
/// [`Reject`](Self::Reject) and [`S256`](Self::S256) keep that promise.
///
/// | preset | missing method |
/// |---|---|
/// | [`Policy::production`] | [`Reject`](Self::Reject) |
/// | [`Policy::development`] | [`Plain`](Self::Plain) (RFC 7636 §4.3) |
/// | [`Policy::oauth21`] | [`S256`](Self::S256) (OAuth 2.1 draft) |
/// | [`Policy::fapi2`] | [`Reject`](Self::Reject) |
///
/// [`Policy::production`]: crate::Policy::production
/// [`Policy::development`]: crate::Policy::development
/// [`Policy::oauth21`]: crate::Policy::oauth21
/// [`Policy::fapi2`]: crate::Policy::fapi2
///
/// The enum is exhaustive on purpose: a server that matches on its own
/// setting gets a compile error, not a silent fallback, if a meaning is
/// ever added (which would be a new major version).
///
/// # Example
///
/// ```
/// use proofkey::{AuthorizeError, ChallengeMethod, ClientType, MissingMethod, Policy};
///
/// let challenge = Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
/// let strict = Policy::production();
/// let refused = strict.authorize(ClientType::Public, challenge, None);
/// assert_eq!(refused, Err(AuthorizeError::MethodRequired));
///
/// // A client known to send S256 challenges but to omit the method.
/// let lenient = Policy::production().missing_method(MissingMethod::S256);
/// let bound = lenient.authorize(ClientType::Public, challenge, None)?.unwrap();
/// assert_eq!(bound.method(), ChallengeMethod::S256);
/// # Ok::<(), AuthorizeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MissingMethod {
    /// The request is rejected with
    /// [`AuthorizeError::MethodRequired`](crate::AuthorizeError::MethodRequired).
    /// The default.
    Reject,
    /// The challenge is validated and bound as plain (RFC 7636 §4.3), if the
    /// policy [allows plain](crate::Policy::allow_plain); otherwise the
    /// request is rejected as under [`Reject`](Self::Reject). Exposes the
    /// verifier of any client that omits the method (see above).
    Plain,
    /// The challenge is validated and bound as an S256 challenge. A client
    /// that meant plain then fails: at the authorization endpoint if its
    /// value is not S256's syntax, or at the token endpoint with a mismatch.
    /// Fails closed: the value in the request never redeems the code.
    S256,
}

impl MissingMethod {
    /// The method a challenge without one is bound with, if any.
    pub(crate) const fn method(self) -> Option<ChallengeMethod> {
        match self {
            Self::Reject => None,
            Self::Plain => Some(ChallengeMethod::Plain),
            Self::S256 => Some(ChallengeMethod::S256),
        }
    }
}
