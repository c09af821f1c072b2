//! The presets, named after the specifications they implement. Each one
//! quotes the sentences it implements; `tests/policy_profiles.rs` has one
//! test per sentence.

use super::{MissingMethod, Policy};

impl Policy {
    /// RFC 7636 with the rules of RFC 9700 (the default): public clients
    /// must send a challenge, confidential clients may; only S256 is
    /// accepted, and a challenge without a method is rejected.
    ///
    /// It implements:
    ///
    /// - RFC 9700 §2.1.1: "Public clients MUST use PKCE \[RFC7636\] to
    ///   this end". With RFC 7636 §4.4.1: "If the server requires Proof
    ///   Key for Code Exchange (PKCE) by OAuth public clients and the
    ///   client does not send the "code_challenge" in the request, the
    ///   authorization endpoint MUST return the authorization error
    ///   response with the "error" value set to "invalid_request"."
    /// - RFC 9700 §2.1.1: "For confidential clients, the use of PKCE
    ///   \[RFC7636\] is RECOMMENDED": recommended, so not required here
    ///   ([`require_for_confidential`](Self::require_for_confidential)
    ///   requires it).
    /// - RFC 9700 §2.1.1: "If a client sends a valid PKCE `code_challenge`
    ///   parameter in the authorization request, the authorization server
    ///   MUST enforce the correct usage of `code_verifier` at the token
    ///   endpoint."
    /// - RFC 9700 §2.1.1: "Authorization servers MUST mitigate PKCE
    ///   downgrade attacks by ensuring that a token request containing a
    ///   `code_verifier` parameter is accepted only if a `code_challenge`
    ///   parameter was present in the authorization request".
    /// - RFC 9700 §2.1.1: "When using PKCE, clients SHOULD use PKCE code
    ///   challenge methods that do not expose the PKCE verifier in the
    ///   authorization request. \[...\] Currently, `S256` is the only such
    ///   method." The server holds them to it: plain is rejected, and so
    ///   is a missing method, which RFC 7636 §4.3 reads as plain.
    /// - RFC 9700 §2.1.1: "It is RECOMMENDED for authorization servers to
    ///   publish the element `code_challenge_methods_supported` in their
    ///   Authorization Server Metadata \[RFC8414\] containing the supported
    ///   PKCE challenge methods": [`methods_supported`](Self::methods_supported)
    ///   is `["S256"]`.
    ///
    /// ```
    /// use proofkey::{ClientType, Policy};
    /// let p = Policy::production();
    /// assert_eq!(p.methods_supported(), ["S256"]);
    /// assert!(p.authorize(ClientType::Confidential, None, None)?.is_none());
    /// # Ok::<(), proofkey::AuthorizeError>(())
    /// ```
    #[must_use]
    pub const fn production() -> Self {
        Self {
            require_for_confidential: false,
            allow_plain: false,
            missing_method: MissingMethod::Reject,
        }
    }

    /// RFC 7636 as written: as [`production`](Self::production), but
    /// plain is accepted and a challenge without a method means plain.
    /// For local development and legacy clients only: a missing method
    /// exposes the verifier ([`MissingMethod`] says how, RFC 9700 §2.1.1).
    ///
    /// It implements:
    ///
    /// - RFC 7636 §4.3, `code_challenge_method`: "OPTIONAL, defaults to
    ///   "plain" if not present in the request."
    /// - RFC 7636 §4.2: "Clients are permitted to use "plain" only if they
    ///   cannot support "S256" for some technical reason and know via
    ///   out-of-band configuration that the server supports "plain"."
    ///   Plain is accepted, and [`methods_supported`](Self::methods_supported)
    ///   publishes it: `["S256", "plain"]`.
    /// - RFC 7636 §4.6: "If the "code_challenge_method" from Section 4.3
    ///   was "plain", they are compared directly".
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, ClientType, MissingMethod, Policy};
    /// let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /// let bound = Policy::development().authorize(ClientType::Public, Some(v), None)?;
    /// assert_eq!(bound.unwrap().method(), ChallengeMethod::Plain);
    /// assert_eq!(
    ///     Policy::development(),
    ///     Policy::production().allow_plain(true).missing_method(MissingMethod::Plain),
    /// );
    /// # Ok::<(), proofkey::AuthorizeError>(())
    /// ```
    #[must_use]
    pub const fn development() -> Self {
        Self {
            require_for_confidential: false,
            allow_plain: true,
            missing_method: MissingMethod::Plain,
        }
    }

    /// OAuth 2.1 (draft-ietf-oauth-v2-1): every client must use PKCE, S256
    /// only, and a challenge without a method is validated and bound as an
    /// S256 challenge ([`MissingMethod::S256`]).
    ///
    /// It implements, from §4.1.1 of the draft:
    ///
    /// - "Clients MUST use `code_challenge` and `code_verifier` and
    ///   authorization servers MUST enforce their use except under the
    ///   conditions described in Section 7.5.1." The exception (a
    ///   confidential client whose OpenID Connect `nonce` the server can
    ///   rely on) is the deployment's to grant, with
    ///   [`require_for_confidential(false)`](Self::require_for_confidential).
    /// - "The `plain` transformation method defined in \[RFC7636\] is
    ///   removed and explicitly prohibited in this specification."
    /// - `code_challenge_method`: "OPTIONAL, defaults to `S256` if not
    ///   present in the request." This is the text of the revision that
    ///   removed plain; a later editors' copy makes the parameter
    ///   "REQUIRED, the value S256 or a value defined by a future
    ///   extension". The two readings differ only on a missing method, and
    ///   both fail closed: bound as S256, a value meant as plain can never
    ///   redeem the code. For the stricter reading, use
    ///   [`fapi2`](Self::fapi2) or `.missing_method(MissingMethod::Reject)`.
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, ClientType, Policy};
    /// let p = Policy::oauth21();
    /// assert!(p.requires_pkce(ClientType::Confidential));
    /// assert_eq!(p.methods_supported(), ["S256"]);
    /// let c = Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// let bound = p.authorize(ClientType::Public, c, None)?;
    /// assert_eq!(bound.unwrap().method(), ChallengeMethod::S256);
    /// # Ok::<(), proofkey::AuthorizeError>(())
    /// ```
    #[must_use]
    pub const fn oauth21() -> Self {
        Self {
            require_for_confidential: true,
            allow_plain: false,
            missing_method: MissingMethod::S256,
        }
    }

    /// FAPI 2.0 Security Profile: every client must use PKCE with S256,
    /// named as such: a challenge without a method is rejected.
    ///
    /// It implements §5.3.2.2: "shall require PKCE \[RFC7636\] with S256 as
    /// the code challenge method". A request without `code_challenge` (from
    /// any client), with `plain`, or without `code_challenge_method` is
    /// rejected. FAPI 2.0 also requires (§5.3.2.1) that the server "shall
    /// only support confidential clients": that is the client
    /// registration's rule, not PKCE's.
    ///
    /// ```
    /// use proofkey::{AuthorizeError, ClientType, Policy};
    /// let p = Policy::fapi2();
    /// let c = Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// let confidential = |c, m| p.authorize(ClientType::Confidential, c, m);
    /// assert_eq!(confidential(None, None), Err(AuthorizeError::ChallengeRequired));
    /// assert_eq!(confidential(c, None), Err(AuthorizeError::MethodRequired));
    /// assert!(p.authorize(ClientType::Confidential, c, Some("S256"))?.is_some());
    /// # Ok::<(), AuthorizeError>(())
    /// ```
    #[must_use]
    pub const fn fapi2() -> Self {
        Self {
            require_for_confidential: true,
            allow_plain: false,
            missing_method: MissingMethod::Reject,
        }
    }
}
