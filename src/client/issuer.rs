//! RFC 9207: the authorization response's `iss`, and where the code and
//! the verifier may go.

use super::{ClientFlow, FlowError};

/// Whether the server's metadata advertises the `iss` parameter
/// (`authorization_response_iss_parameter_supported`, RFC 9207 §3): with
/// it, a response without `iss` is refused.
///
/// ```
/// use proofkey::IssParameter;
/// // From metadata: the field, `false` when absent.
/// let advertised: Option<bool> = Some(true);
/// assert_eq!(IssParameter::from_metadata(advertised), IssParameter::Advertised);
/// assert_eq!(IssParameter::from_metadata(None), IssParameter::NotAdvertised);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssParameter {
    /// The metadata says `"authorization_response_iss_parameter_supported": true`.
    Advertised,
    /// The field is `false` or absent.
    NotAdvertised,
}

impl IssParameter {
    /// From the metadata's `authorization_response_iss_parameter_supported`
    /// (`None` when absent, which RFC 9207 §3 reads as `false`).
    ///
    /// ```
    /// use proofkey::IssParameter;
    /// assert_eq!(IssParameter::from_metadata(Some(false)), IssParameter::NotAdvertised);
    /// ```
    #[must_use]
    pub const fn from_metadata(supported: Option<bool>) -> Self {
        match supported {
            Some(true) => Self::Advertised,
            _ => Self::NotAdvertised,
        }
    }
}

/// The decision table of RFC 9207 §2.4 and the MCP spec (2026-07-28,
/// SEP-2468): present and equal (octet for octet, no normalising) passes;
/// present and different fails; missing fails if advertised.
fn check(expected: &str, returned: Option<&str>, iss: IssParameter) -> Result<(), FlowError> {
    match (returned, iss) {
        (Some(returned), _) if returned == expected => Ok(()),
        (Some(_), _) => Err(FlowError::IssuerMismatch),
        (None, IssParameter::Advertised) => Err(FlowError::MissingIssuer),
        (None, IssParameter::NotAdvertised) => Ok(()),
    }
}

impl ClientFlow {
    /// Checks the authorization response's `iss` against the issuer this
    /// flow recorded ([`for_issuer`](Self::for_issuer)). Call it after
    /// [`resume`](Self::resume) and before reading `code` or `error`:
    ///
    /// | `iss` in the response | advertised | not advertised |
    /// |---|---|---|
    /// | equal to the recorded issuer | pass | pass |
    /// | present and different | [`IssuerMismatch`](FlowError::IssuerMismatch) | [`IssuerMismatch`](FlowError::IssuerMismatch) |
    /// | missing | [`MissingIssuer`](FlowError::MissingIssuer) | pass |
    ///
    /// "Equal" is octet for octet (RFC 3986 §6.2.1 simple string
    /// comparison): no case folding, no trailing-slash trimming. Neither
    /// value is secret; the comparison is not constant-time.
    ///
    /// ```
    /// use proofkey::{ClientFlow, FlowError, IssParameter::*};
    /// let mut rng = rand::rng();
    /// let flow = ClientFlow::from_rng(&mut rng, 0)?.for_issuer("https://a.example", None)?;
    ///
    /// assert_eq!(flow.check_recorded_issuer(Some("https://a.example"), Advertised), Ok(()));
    /// let b = Some("https://b.example");
    /// assert_eq!(flow.check_recorded_issuer(b, NotAdvertised), Err(FlowError::IssuerMismatch));
    /// assert_eq!(flow.check_recorded_issuer(None, Advertised), Err(FlowError::MissingIssuer));
    /// assert_eq!(flow.check_recorded_issuer(None, NotAdvertised), Ok(()));
    /// # Ok::<(), FlowError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`FlowError::IssuerMismatch`] or [`FlowError::MissingIssuer`] as in
    /// the table; [`FlowError::Unbound`] if the flow recorded no issuer.
    /// On any error the response must not be acted on, an error response
    /// included: do not redeem its code, do not show or follow its `error`,
    /// `error_description` or `error_uri` (they may come from another
    /// server, RFC 9207 §2.4); end the flow.
    pub fn check_recorded_issuer(
        &self,
        returned: Option<&str>,
        iss: IssParameter,
    ) -> Result<(), FlowError> {
        let recorded = self.issuer().ok_or(FlowError::Unbound)?;
        check(recorded, returned, iss)
    }

    /// [`check_recorded_issuer`](Self::check_recorded_issuer) for an
    /// unbound flow, with the issuer the caller kept beside it. Prefer a
    /// bound flow ([`for_issuer`](Self::for_issuer)), which keeps the
    /// issuer with the verifier: a client that talks to more than one
    /// server (every MCP client) must. On a bound flow, `expected` must be
    /// the recorded issuer too.
    ///
    /// ```
    /// use proofkey::{ClientFlow, FlowError, IssParameter};
    /// let mut rng = rand::rng();
    /// # let flow = ClientFlow::from_rng(&mut rng, 0)?;
    ///
    /// let issuer = "https://as.example";
    /// let check = |returned, iss| flow.check_issuer(issuer, returned, iss);
    /// assert_eq!(check(Some("https://as.example"), IssParameter::Advertised), Ok(()));
    /// assert_eq!(
    ///     check(Some("https://as.example/"), IssParameter::NotAdvertised),
    ///     Err(FlowError::IssuerMismatch),
    /// );
    /// assert_eq!(check(None, IssParameter::Advertised), Err(FlowError::MissingIssuer));
    /// assert_eq!(check(None, IssParameter::NotAdvertised), Ok(()));
    /// # Ok::<(), FlowError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As for [`check_recorded_issuer`](Self::check_recorded_issuer), and
    /// [`FlowError::IssuerMismatch`] if the flow is bound to another issuer
    /// than `expected`.
    pub fn check_issuer(
        &self,
        expected: &str,
        returned: Option<&str>,
        iss: IssParameter,
    ) -> Result<(), FlowError> {
        if self.issuer().is_some_and(|recorded| recorded != expected) {
            return Err(FlowError::IssuerMismatch);
        }
        check(expected, returned, iss)
    }

    /// `token_endpoint`, if it comes from the metadata of the issuer this
    /// flow recorded: `metadata_issuer` is the `issuer` of the metadata
    /// document the endpoint was read from, and must equal the recorded
    /// issuer octet for octet. Call it just before the token request, with
    /// the metadata you are about to use: if anything between the
    /// authorization request and now (an untrusted MCP server, a second
    /// discovery) chose another server, the code and the verifier are not
    /// sent there.
    ///
    /// It checks which server the endpoint belongs to, not the endpoint's
    /// URL itself (a server may put its token endpoint on another host):
    /// take both values from one metadata document, fetched from the
    /// recorded issuer's well-known URL over TLS, whose `issuer` matched
    /// (RFC 8414 §3.3).
    ///
    /// ```
    /// use proofkey::{ClientFlow, FlowError};
    /// let mut rng = rand::rng();
    /// let flow = ClientFlow::from_rng(&mut rng, 0)?.for_issuer("https://a.example", None)?;
    ///
    /// let url = flow.token_endpoint("https://a.example", "https://a.example/token")?;
    /// assert_eq!(url, "https://a.example/token");
    /// assert_eq!(
    ///     flow.token_endpoint("https://evil.example", "https://evil.example/token"),
    ///     Err(FlowError::ForeignTokenEndpoint),
    /// );
    /// # Ok::<(), FlowError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`FlowError::ForeignTokenEndpoint`] if `metadata_issuer` is not the
    /// recorded issuer; [`FlowError::Unbound`] if the flow recorded none.
    pub fn token_endpoint<'e>(
        &self,
        metadata_issuer: &str,
        token_endpoint: &'e str,
    ) -> Result<&'e str, FlowError> {
        let recorded = self.issuer().ok_or(FlowError::Unbound)?;
        if recorded == metadata_issuer {
            Ok(token_endpoint)
        } else {
            Err(FlowError::ForeignTokenEndpoint)
        }
    }
}
