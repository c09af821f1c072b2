//! A flow bound to its issuer and resource: what MCP clients need.

use super::binding::Binding;
use super::{ClientFlow, FlowError};

impl ClientFlow {
    /// This flow, bound to the authorization server `issuer` (the `issuer`
    /// of its RFC 8414 metadata, exactly as published) and, if given, to
    /// `resource` (the RFC 8707 resource indicator its token is for).
    ///
    /// Call it right after [`from_rng`](Self::from_rng) or `random`, before
    /// [`to_stored`](Self::to_stored): the issuer and the resource are then
    /// part of the stored text (covered by its check value),
    /// [`resume`](Self::resume) and [`FlowStore`](crate::FlowStore) give
    /// them back, and the checks after the redirect use the recorded
    /// values instead of whatever the caller holds then:
    /// [`check_recorded_issuer`](Self::check_recorded_issuer) for the
    /// response's `iss`, [`token_endpoint`](Self::token_endpoint) before the
    /// verifier leaves. This is the record the MCP authorization spec
    /// (2026-07-28, SEP-2468) asks for: "MUST record the `issuer` ... and
    /// associate it with the same per-request record used to store the PKCE
    /// code verifier".
    ///
    /// # How an MCP client uses it
    ///
    /// 1. From the MCP server's 401, find its protected-resource metadata
    ///    (RFC 9728) and pick an authorization server; fetch that server's
    ///    metadata and refuse it without S256 in
    ///    `code_challenge_methods_supported`
    ///    ([`ChallengeMethod::negotiate`](crate::ChallengeMethod::negotiate)).
    /// 2. `ClientFlow::random(now)?.for_issuer(&metadata.issuer, Some(resource))?`;
    ///    put [`authorization_pairs`](Self::authorization_pairs) and
    ///    [`resource_pair`](Self::resource_pair) in the authorization URL;
    ///    store [`to_stored`](Self::to_stored) under the `state`.
    /// 3. On the callback: [`resume`](Self::resume), then
    ///    [`check_recorded_issuer`](Self::check_recorded_issuer) before
    ///    reading `code` or `error`, then
    ///    [`token_endpoint`](Self::token_endpoint) with the metadata you are
    ///    about to use, then the token request with
    ///    [`token_pairs`](Self::token_pairs) and
    ///    [`resource_pair`](Self::resource_pair).
    ///
    /// ```
    /// use proofkey::{ClientFlow, IssParameter};
    /// let mut rng = rand::rng();
    ///
    /// let flow = ClientFlow::from_rng(&mut rng, 1_700_000_000)?
    ///     .for_issuer("https://as.example", Some("https://mcp.example/mcp"))?;
    /// let stored = flow.to_stored();
    /// let back = ClientFlow::resume(stored.secret(), flow.state(), 1_700_000_010)?;
    /// assert_eq!(back.issuer(), Some("https://as.example"));
    /// assert_eq!(back.resource_pair(), Some(("resource", "https://mcp.example/mcp")));
    /// back.check_recorded_issuer(Some("https://as.example"), IssParameter::Advertised)?;
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`FlowError::InvalidBinding`] if `issuer` or `resource` is empty,
    /// longer than [`MAX_ISSUER_LEN`](crate::MAX_ISSUER_LEN) or
    /// [`MAX_RESOURCE_LEN`](crate::MAX_RESOURCE_LEN) octets, or holds
    /// anything but visible ASCII, or if this flow is already bound (a
    /// flow is never re-bound: start a new one). The flow is dropped then.
    pub fn for_issuer(self, issuer: &str, resource: Option<&str>) -> Result<Self, FlowError> {
        let (_, _, binding) = self.parts();
        if binding.issuer().is_some() {
            return Err(FlowError::InvalidBinding);
        }
        Ok(self.with_binding(Binding::new(issuer, resource)?))
    }

    /// The issuer this flow was started for, `None` if it is unbound.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 0)?;
    /// assert_eq!(flow.issuer(), None);
    /// let flow = flow.for_issuer("https://as.example", None)?;
    /// assert_eq!(flow.issuer(), Some("https://as.example"));
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.parts().2.issuer()
    }

    /// The resource (RFC 8707) this flow was started for, if any.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 0)?
    ///     .for_issuer("https://as.example", Some("https://rs.example"))?;
    /// assert_eq!(flow.resource(), Some("https://rs.example"));
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    #[must_use]
    pub fn resource(&self) -> Option<&str> {
        self.parts().2.resource()
    }

    /// `("resource", value)` for a flow bound to a resource: add it to the
    /// authorization request and to the token request alike (RFC 8707 §2;
    /// the MCP spec requires both). `None` otherwise. Not URL-encoded.
    ///
    /// ```
    /// let mut rng = rand::rng();
    /// let flow = proofkey::ClientFlow::from_rng(&mut rng, 0)?
    ///     .for_issuer("https://as.example", Some("https://rs.example/mcp"))?;
    /// let mut query: Vec<(&str, &str)> = flow.authorization_pairs().to_vec();
    /// query.extend(flow.resource_pair());
    /// assert_eq!(query[3], ("resource", "https://rs.example/mcp"));
    /// # Ok::<(), proofkey::FlowError>(())
    /// ```
    #[must_use]
    pub fn resource_pair(&self) -> Option<(&'static str, &str)> {
        self.resource().map(|r| ("resource", r))
    }
}
