//! The authorization endpoint: RFC 7636 §4.3, §4.4.

use super::{AuthorizeError, ClientType, Param, Policy};
use crate::challenge::CodeChallenge;
use crate::method::ChallengeMethod;

impl Policy {
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
    /// required; no method where the policy's
    /// [`MissingMethod`](crate::MissingMethod) rejects it; a method other
    /// than exactly `S256` or `plain`, or plain where not allowed; a
    /// challenge malformed for its method. An empty value counts as absent
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
            // RFC 7636 §4.3 defaults to plain; RFC 9700 §2.1.1 is why the
            // policy decides (MissingMethod).
            None => self
                .method_when_missing()
                .ok_or(AuthorizeError::MethodRequired)?,
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
    /// The pairs can come from any parser: `form_urlencoded::parse`, a
    /// `Vec<(String, String)>` (by value or by reference), a slice of
    /// `(&str, &str)`, ... (see [`Param`]). Pass the raw list of pairs, in
    /// full: a map (`HashMap<String, String>`) has already dropped the
    /// repeats this method must reject. Nothing is allocated.
    ///
    /// ```
    /// use proofkey::{AuthorizeError, ClientType, Policy};
    ///
    /// let query = "response_type=code\
    ///     &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
    ///     &code_challenge_method=S256&code_challenge_method=plain";
    /// let pairs = form_urlencoded::parse(query.as_bytes());
    /// let err = Policy::production().authorize_params(ClientType::Public, pairs).unwrap_err();
    /// assert_eq!(err, AuthorizeError::RepeatedMethod);
    /// assert_eq!(
    ///     err.query_pairs(),
    ///     [
    ///         ("error", "invalid_request"),
    ///         ("error_description", "code_challenge_method parameter repeated"),
    ///     ],
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// [`AuthorizeError::RepeatedChallenge`] or
    /// [`AuthorizeError::RepeatedMethod`] when a PKCE parameter appears more
    /// than once, even with an empty value (RFC 6749 §3.1: parameters must
    /// not be included more than once); otherwise as [`authorize`](Self::authorize).
    pub fn authorize_params<I>(
        &self,
        client: ClientType,
        params: I,
    ) -> Result<Option<CodeChallenge>, AuthorizeError>
    where
        I: IntoIterator,
        I::Item: Param,
    {
        // The pairs themselves are kept: an owned value lives in its pair.
        let mut challenge: Option<I::Item> = None;
        let mut method: Option<I::Item> = None;
        for param in params {
            let (slot, repeated) = match param.name() {
                "code_challenge" => (&mut challenge, AuthorizeError::RepeatedChallenge),
                "code_challenge_method" => (&mut method, AuthorizeError::RepeatedMethod),
                _ => continue,
            };
            if slot.replace(param).is_some() {
                return Err(repeated);
            }
        }
        self.authorize(
            client,
            challenge.as_ref().map(Param::value),
            method.as_ref().map(Param::value),
        )
    }
}
