//! What a store operation can fail with.

/// A store operation that did not happen. Every variant means "nothing was
/// changed" except where stated, and none is ever "no PKCE": a token
/// endpoint answers any of them with an error (503
/// `temporarily_unavailable` for [`Unavailable`](Self::Unavailable)),
/// never with a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store holds as many records as it may (memory backend).
    #[error("the store is full")]
    Full,
    /// The client already holds its quota of unexpired codes.
    #[error("the client holds its quota of unexpired codes")]
    QuotaReached,
    /// A live record with this code exists already; it was left as it was.
    #[error("a live record with this code exists already")]
    Duplicate,
    /// The time to live is zero, or too long for the backend.
    #[error("the time to live is zero or too long")]
    BadTtl,
    /// The backend did not answer in time, or the connection failed. The
    /// operation may or may not have happened on the server: a `take` that
    /// fails this way may have consumed the code, which is safe (the code
    /// is burnt), never the other way round.
    #[error("the store is unavailable")]
    Unavailable,
    /// The backend refused the command (a schema missing, a permission).
    #[error("the store refused the command")]
    Refused,
    /// A stored record does not decode: it was consumed and is not returned.
    #[error("a stored record is corrupt")]
    Corrupt,
}
