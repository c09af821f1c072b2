//! The token endpoint: RFC 7636 §4.5, §4.6.

use super::{ClientType, Param, Policy, TokenError};
use crate::challenge::CodeChallenge;

impl Policy {
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
    /// The pairs can come from any parser (see [`Param`]). Pass the raw list
    /// of pairs, in full: a map has already dropped the repeats this method
    /// must reject. Nothing is allocated. Pairs passed by value are dropped
    /// here as the caller would drop them: a `String` holding the verifier
    /// is the caller's, and is not zeroized.
    ///
    /// ```
    /// use proofkey::{ClientType, CodeVerifier, Policy, TokenError};
    ///
    /// let v = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// let body = format!(
    ///     "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&code_verifier={}",
    ///     v.secret(),
    /// );
    /// let p = Policy::production();
    /// let form = form_urlencoded::parse(body.as_bytes());
    /// p.token_params(ClientType::Public, Some(&v.challenge()), form)?;
    ///
    /// // owned pairs, by value or by reference
    /// let form: Vec<(String, String)> =
    ///     form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    /// p.token_params(ClientType::Public, Some(&v.challenge()), &form)?;
    /// p.token_params(ClientType::Public, Some(&v.challenge()), form)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`TokenError::RepeatedVerifier`] (`invalid_request`) when
    /// `code_verifier` appears more than once; otherwise as [`token`](Self::token).
    pub fn token_params<I>(
        &self,
        client: ClientType,
        bound: Option<&CodeChallenge>,
        params: I,
    ) -> Result<(), TokenError>
    where
        I: IntoIterator,
        I::Item: Param,
    {
        let mut verifier: Option<I::Item> = None;
        for param in params {
            if param.name() == "code_verifier" && verifier.replace(param).is_some() {
                return Err(TokenError::RepeatedVerifier);
            }
        }
        self.token(client, bound, verifier.as_ref().map(Param::value))
    }
}
