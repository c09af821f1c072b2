//! What a code's record holds, with its bounds.

use std::time::SystemTime;

use proofkey::CodeChallenge;

/// The longest client id a record holds, in octets.
pub const MAX_CLIENT_ID: usize = 255;
/// The longest redirect URI a record holds, in octets.
pub const MAX_REDIRECT_URI: usize = 2048;
/// The most opaque application data a record holds, in octets.
pub const MAX_APP_DATA: usize = 1024;

/// The PKCE binding of a code (RFC 7636 §4.4): the challenge it was issued
/// with, or explicitly none. A missing record is never this `Unbound`: a
/// store answers "no such code" with `Ok(None)` from
/// [`CodeStore::take`](crate::CodeStore::take), never with a record.
///
/// ```
/// use proofkey::{ChallengeMethod, CodeChallenge};
/// use proofkey_store::Pkce;
/// let c = CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", ChallengeMethod::S256)?;
/// assert_eq!(Pkce::Bound(c.clone()).challenge(), Some(&c));
/// assert_eq!(Pkce::Unbound.challenge(), None);
/// # Ok::<(), proofkey::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pkce {
    /// Issued with this challenge, and its method: the token request must
    /// carry the matching verifier.
    Bound(CodeChallenge),
    /// Issued without PKCE (only where the policy allowed it).
    Unbound,
}

impl Pkce {
    /// The challenge, for [`proofkey::Policy::token_params`]'s `bound`.
    ///
    /// ```
    /// assert_eq!(proofkey_store::Pkce::Unbound.challenge(), None);
    /// ```
    #[must_use]
    pub fn challenge(&self) -> Option<&CodeChallenge> {
        match self {
            Self::Bound(c) => Some(c),
            Self::Unbound => None,
        }
    }
}

impl From<Option<CodeChallenge>> for Pkce {
    /// `Policy::authorize`'s answer as a binding: `None` is [`Pkce::Unbound`].
    ///
    /// ```
    /// assert_eq!(proofkey_store::Pkce::from(None), proofkey_store::Pkce::Unbound);
    /// ```
    fn from(bound: Option<CodeChallenge>) -> Self {
        bound.map_or(Self::Unbound, Self::Bound)
    }
}

/// A record that does not fit the bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The client id is empty.
    #[error("the client id is empty")]
    EmptyClientId,
    /// The client id is longer than [`MAX_CLIENT_ID`] octets.
    #[error("the client id is longer than 255 octets")]
    ClientIdTooLong,
    /// The redirect URI is longer than [`MAX_REDIRECT_URI`] octets.
    #[error("the redirect URI is longer than 2048 octets")]
    RedirectUriTooLong,
    /// The application data is longer than [`MAX_APP_DATA`] octets.
    #[error("the application data is longer than 1024 octets")]
    AppDataTooLong,
}

/// Everything the token endpoint needs about one code, in one record, so
/// that the PKCE binding is consumed with the code (RFC 7636 §4.5: the
/// challenge is the one bound to this code, never looked up elsewhere).
///
/// ```
/// use proofkey_store::{CodeRecord, Pkce};
/// let record = CodeRecord::new("spa", "http://127.0.0.1:9000/callback", Pkce::Unbound)?
///     .with_app_data(b"user=42".to_vec())?;
/// assert_eq!(record.client_id(), "spa");
/// assert_eq!(record.app_data(), b"user=42");
/// # Ok::<(), proofkey_store::RecordError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    client_id: String,
    redirect_uri: String,
    pkce: Pkce,
    app_data: Vec<u8>,
}

impl CodeRecord {
    /// A record for a code issued to `client_id` with `redirect_uri`
    /// (RFC 6749 §4.1.3: the token request must repeat it) and `pkce`.
    ///
    /// ```
    /// let r = proofkey_store::CodeRecord::new("spa", "https://a.example/cb", proofkey_store::Pkce::Unbound)?;
    /// assert_eq!(r.redirect_uri(), "https://a.example/cb");
    /// # Ok::<(), proofkey_store::RecordError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`RecordError`] when the client id is empty or longer than
    /// [`MAX_CLIENT_ID`], or the URI longer than [`MAX_REDIRECT_URI`].
    pub fn new(
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
        pkce: Pkce,
    ) -> Result<Self, RecordError> {
        let (client_id, redirect_uri) = (client_id.into(), redirect_uri.into());
        if client_id.is_empty() {
            return Err(RecordError::EmptyClientId);
        }
        if client_id.len() > MAX_CLIENT_ID {
            return Err(RecordError::ClientIdTooLong);
        }
        if redirect_uri.len() > MAX_REDIRECT_URI {
            return Err(RecordError::RedirectUriTooLong);
        }
        Ok(Self {
            client_id,
            redirect_uri,
            pkce,
            app_data: Vec::new(),
        })
    }

    /// Adds opaque application data (a user id, scopes, a nonce...), kept
    /// and returned as is.
    ///
    /// ```
    /// use proofkey_store::{CodeRecord, Pkce, RecordError};
    /// let r = CodeRecord::new("spa", "https://a.example/cb", Pkce::Unbound)?;
    /// assert_eq!(r.with_app_data(vec![0; 1025]).unwrap_err(), RecordError::AppDataTooLong);
    /// # Ok::<(), RecordError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`RecordError::AppDataTooLong`] past [`MAX_APP_DATA`] octets.
    pub fn with_app_data(self, app_data: Vec<u8>) -> Result<Self, RecordError> {
        if app_data.len() > MAX_APP_DATA {
            return Err(RecordError::AppDataTooLong);
        }
        Ok(Self { app_data, ..self })
    }

    /// The client the code was issued to.
    ///
    /// ```
    /// # let r = proofkey_store::CodeRecord::new("spa", "", proofkey_store::Pkce::Unbound)?;
    /// assert_eq!(r.client_id(), "spa");
    /// # Ok::<(), proofkey_store::RecordError>(())
    /// ```
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The redirect URI of the authorization request.
    ///
    /// ```
    /// # let r = proofkey_store::CodeRecord::new("spa", "https://a.example/cb", proofkey_store::Pkce::Unbound)?;
    /// assert_eq!(r.redirect_uri(), "https://a.example/cb");
    /// # Ok::<(), proofkey_store::RecordError>(())
    /// ```
    #[must_use]
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The PKCE binding.
    ///
    /// ```
    /// # let r = proofkey_store::CodeRecord::new("spa", "", proofkey_store::Pkce::Unbound)?;
    /// assert_eq!(r.pkce(), &proofkey_store::Pkce::Unbound);
    /// # Ok::<(), proofkey_store::RecordError>(())
    /// ```
    #[must_use]
    pub fn pkce(&self) -> &Pkce {
        &self.pkce
    }

    /// The opaque application data (empty unless set).
    ///
    /// ```
    /// # let r = proofkey_store::CodeRecord::new("spa", "", proofkey_store::Pkce::Unbound)?;
    /// assert!(r.app_data().is_empty());
    /// # Ok::<(), proofkey_store::RecordError>(())
    /// ```
    #[must_use]
    pub fn app_data(&self) -> &[u8] {
        &self.app_data
    }
}

/// A record taken out of a store, with its expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemed {
    /// The record as inserted.
    pub record: CodeRecord,
    /// When the record expires, by the clock of the instance that inserted
    /// it (insert time + ttl, to the millisecond). The store itself
    /// enforces expiry by its own clock: a record it returns was live there.
    pub expires_at: SystemTime,
}
