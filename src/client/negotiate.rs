//! Choosing the method from a server's RFC 8414 metadata: client-side, so
//! it lives with the client's errors (the core's `ChallengeMethod` depends
//! on nothing of the client).

use super::FlowError;
use crate::method::ChallengeMethod;

impl ChallengeMethod {
    /// The method a client uses with a server, from the server's RFC 8414
    /// metadata `code_challenge_methods_supported`: `S256` when the server
    /// lists it, and a refusal otherwise. Never `plain`.
    ///
    /// Pass the metadata field as it was parsed: `None` when the field is
    /// absent, else any iterator of method names (`&[String]`, `Vec<&str>`,
    /// a JSON array's strings). Names compare exactly, case-sensitively
    /// (RFC 7636 §6.2.1): `s256` is not `S256`.
    ///
    /// RFC 8414 §2 says a server that omits the field does not support PKCE,
    /// and the Model Context Protocol's authorization spec requires a client
    /// to refuse to proceed then: this function refuses. A server that lists
    /// only `plain` is refused too: `plain` does not protect against an
    /// observed authorization request (RFC 7636 §7.2), and falling back to
    /// it is the downgrade this crate exists to prevent. For a server that
    /// predates RFC 8414 metadata, see [`negotiate_legacy`](Self::negotiate_legacy).
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, FlowError};
    ///
    /// use ChallengeMethod as M;
    /// assert_eq!(M::negotiate(Some(["plain", "S256"])), Ok(M::S256));
    /// assert_eq!(M::negotiate(Some(["plain"])), Err(FlowError::S256NotAdvertised));
    /// assert_eq!(M::negotiate(Some(["s256"])), Err(FlowError::S256NotAdvertised));
    /// let absent = None::<[&str; 0]>;
    /// assert_eq!(ChallengeMethod::negotiate(absent), Err(FlowError::MethodsNotAdvertised));
    ///
    /// // From parsed metadata, e.g. `Option<Vec<String>>`:
    /// let supported: Option<Vec<String>> = Some(vec!["S256".to_owned()]);
    /// assert_eq!(ChallengeMethod::negotiate(supported.as_deref()), Ok(ChallengeMethod::S256));
    /// ```
    ///
    /// # Errors
    ///
    /// [`FlowError::MethodsNotAdvertised`] when `supported` is `None`;
    /// [`FlowError::S256NotAdvertised`] when it is present but does not
    /// contain exactly `S256` (empty, `plain` only, other names).
    pub fn negotiate<I, S>(supported: Option<I>) -> Result<Self, FlowError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        match supported {
            None => Err(FlowError::MethodsNotAdvertised),
            Some(names) => Self::s256_if_listed(names),
        }
    }

    /// [`negotiate`](Self::negotiate), but a server whose metadata has no
    /// `code_challenge_methods_supported` (or that has no RFC 8414 metadata
    /// at all) is assumed to support `S256`.
    ///
    /// An opt-in for a server known, from its documentation, to implement
    /// RFC 7636 but that predates RFC 8414 metadata: RFC 7636 §4.2 makes
    /// `S256` mandatory to implement on every server that supports PKCE, so
    /// such a server supports it. Against a server that does not support
    /// PKCE at all, the flow then runs without PKCE protection and the
    /// server silently ignores the challenge: do not use it for the Model
    /// Context Protocol, which requires [`negotiate`](Self::negotiate)'s
    /// refusal. A list that is present is still read strictly: without
    /// `S256`, it is refused.
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, FlowError};
    ///
    /// let absent = ChallengeMethod::negotiate_legacy(None::<[&str; 0]>);
    /// assert_eq!(absent, Ok(ChallengeMethod::S256));
    /// let plain_only = ChallengeMethod::negotiate_legacy(Some(["plain"]));
    /// assert_eq!(plain_only, Err(FlowError::S256NotAdvertised));
    /// ```
    ///
    /// # Errors
    ///
    /// [`FlowError::S256NotAdvertised`] when `supported` is present but does
    /// not contain exactly `S256`.
    pub fn negotiate_legacy<I, S>(supported: Option<I>) -> Result<Self, FlowError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        match supported {
            // RFC 7636 §4.2: S256 is mandatory to implement on the server.
            None => Ok(Self::S256),
            Some(names) => Self::s256_if_listed(names),
        }
    }

    fn s256_if_listed<I, S>(names: I) -> Result<Self, FlowError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // RFC 7636 §6.2.1: method names compare case-sensitively.
        if names
            .into_iter()
            .any(|name| name.as_ref() == Self::S256.as_str())
        {
            Ok(Self::S256)
        } else {
            Err(FlowError::S256NotAdvertised)
        }
    }
}
