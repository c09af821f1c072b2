//! RFC 9207: the authorization response's `iss` against the expected issuer.

use super::{ClientFlow, FlowError};

impl ClientFlow {
    /// Checks the `iss` parameter of the authorization response (RFC 9207
    /// §2.4), a defence against mix-up attacks when a client uses more than
    /// one authorization server. Call it after [`resume`](Self::resume) and
    /// before the token request, also for error responses.
    ///
    /// - `expected`: the `issuer` of the server this flow was sent to, from
    ///   its RFC 8414 metadata. A client of several servers keeps it with
    ///   the flow (next to the stored text, under the same `state` key).
    /// - `returned`: the response's `iss`, URL-decoded, or `None`.
    /// - `iss_parameter_supported`: the server metadata's
    ///   `authorization_response_iss_parameter_supported` (`false` if absent).
    ///
    /// A present `iss` must equal `expected` exactly (simple string
    /// comparison, RFC 3986 §6.2.1: no case folding, no trailing-slash
    /// trimming). A missing one is accepted only from a server that does not
    /// advertise the parameter. Neither value is secret; the comparison is
    /// not constant-time.
    ///
    /// ```
    /// use proofkey::{ClientFlow, FlowError};
    /// let mut rng = rand::rng();
    /// # let flow = ClientFlow::from_rng(&mut rng, 0)?;
    ///
    /// let issuer = "https://as.example";
    /// let check = |returned, supported| flow.check_issuer(issuer, returned, supported);
    /// assert_eq!(check(Some("https://as.example"), true), Ok(()));
    /// assert_eq!(check(Some("https://evil.example"), true), Err(FlowError::IssuerMismatch));
    /// assert_eq!(check(Some("https://as.example/"), false), Err(FlowError::IssuerMismatch));
    /// assert_eq!(check(None, true), Err(FlowError::MissingIssuer));
    /// assert_eq!(check(None, false), Ok(()));
    /// # Ok::<(), FlowError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`FlowError::IssuerMismatch`] if `returned` is present and differs
    /// from `expected`; [`FlowError::MissingIssuer`] if it is absent and
    /// `iss_parameter_supported` is `true`. Either way, do not use the code
    /// (RFC 9207 §2.4: the response MUST be rejected), and do not trust an
    /// error response's content.
    pub fn check_issuer(
        &self,
        expected: &str,
        returned: Option<&str>,
        iss_parameter_supported: bool,
    ) -> Result<(), FlowError> {
        match returned {
            Some(iss) if iss == expected => Ok(()),
            Some(_) => Err(FlowError::IssuerMismatch),
            None if iss_parameter_supported => Err(FlowError::MissingIssuer),
            None => Ok(()),
        }
    }
}
