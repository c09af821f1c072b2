//! `FlowError`: why a client-side step of an authorization was refused.

/// Why [`ClientFlow`](crate::ClientFlow), [`FlowStore`](crate::FlowStore) or
/// [`ChallengeMethod::negotiate`](crate::ChallengeMethod::negotiate) refused.
///
/// Every message is fixed text: no state, verifier, stored text, issuer or
/// time is ever part of it, so an error can be logged or shown as it is.
/// Any of these errors ends the authorization attempt: start a new
/// [`ClientFlow`](crate::ClientFlow), with fresh values (OAuth 2.1: after
/// an error, fresh `code_challenge` values MUST be chosen).
///
/// # Example
///
/// ```
/// use proofkey::{ClientFlow, FlowError};
///
/// let err = ClientFlow::resume("v2.garbage", "some-state", 1_700_000_000).unwrap_err();
/// assert_eq!(err, FlowError::Malformed);
/// assert_eq!(err.to_string(), "the stored authorization flow is malformed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The random number generator failed, or gave the same output twice;
    /// no flow was started.
    #[error("the random number generator failed")]
    Rng,

    /// The stored text is not one that [`ClientFlow::to_stored`](crate::ClientFlow::to_stored)
    /// wrote: wrong version, field, length, character or check value.
    #[error("the stored authorization flow is malformed")]
    Malformed,

    /// The `state` returned with the authorization response belongs to no
    /// pending flow: forged, replayed, from another user agent, or from a
    /// flow already completed (RFC 6749 §10.12, RFC 9700 §4.7).
    #[error("the returned state matches no pending authorization flow")]
    StateMismatch,

    /// The flow is older than its maximum age.
    #[error("the authorization flow has expired")]
    Expired,

    /// The flow's start time is later than now by more than the allowed
    /// clock skew of 60 seconds.
    #[error("the authorization flow was started in the future")]
    FromFuture,

    /// The authorization response's `iss` differs from the expected issuer
    /// (RFC 9207 §2.4: a possible mix-up attack).
    #[error("the iss parameter does not match the expected issuer")]
    IssuerMismatch,

    /// The authorization response has no `iss` although the server's metadata
    /// says `authorization_response_iss_parameter_supported` (RFC 9207 §2.4).
    #[error("the authorization response lacks the iss parameter the server advertises")]
    MissingIssuer,

    /// The [`FlowStore`](crate::FlowStore) is full of flows that have not
    /// expired; the new flow was not stored.
    #[error("too many pending authorization flows")]
    Full,

    /// The [`FlowStore`](crate::FlowStore) already holds a flow with this
    /// `state`; the new flow was not stored.
    #[error("a pending authorization flow already has this state")]
    DuplicateState,

    /// The issuer or resource given to
    /// [`ClientFlow::for_issuer`](crate::ClientFlow::for_issuer) is empty,
    /// longer than [`MAX_ISSUER_LEN`](crate::MAX_ISSUER_LEN) or
    /// [`MAX_RESOURCE_LEN`](crate::MAX_RESOURCE_LEN) octets, or not visible
    /// ASCII; or the flow was already bound.
    #[error("the issuer or resource to bind the flow to is empty, too long or not visible ASCII")]
    InvalidBinding,

    /// The check needs the flow's recorded issuer, and the flow was not
    /// started for one (see [`ClientFlow::for_issuer`](crate::ClientFlow::for_issuer)).
    #[error("the authorization flow is not bound to an issuer")]
    Unbound,

    /// The token endpoint comes from the metadata of another issuer than
    /// the one the flow was started for: the code and the verifier must not
    /// be sent there (the MCP SDK CVEs of 2026).
    #[error("the token endpoint is not the bound issuer's")]
    ForeignTokenEndpoint,

    /// The server's metadata has no `code_challenge_methods_supported`
    /// (RFC 8414 §2: the server does not support PKCE).
    #[error("the server does not advertise code_challenge_methods_supported")]
    MethodsNotAdvertised,

    /// The server's `code_challenge_methods_supported` does not list `S256`.
    #[error("the server does not advertise the S256 code_challenge_method")]
    S256NotAdvertised,
}
