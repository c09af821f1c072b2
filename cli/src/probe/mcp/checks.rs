//! The MCP checklist: each check names the MCP authorization spec revision
//! and sentence it comes from, and how the official SDKs' leniency differs.

use crate::probe::report::Severity;

/// One row of the MCP profile.
pub(crate) struct Check {
    pub(crate) id: &'static str,
    pub(crate) check: &'static str,
    /// The spec revision(s) and the sentence the strict verdict follows.
    pub(crate) spec: &'static str,
    /// The general probe's rule this check runs, if any.
    pub(crate) reuses: Option<&'static str>,
    /// The severity of a failure where the row is not a general rule's.
    pub(crate) severity: Severity,
}

pub(crate) static RESOURCE_METADATA: Check = Check {
    id: "resource-metadata",
    check: "protected-resource metadata found, naming an authorization server",
    spec: "MCP 2025-11-25, 2026-07-28: \"MCP servers MUST implement the OAuth 2.0 Protected Resource Metadata (RFC9728) specification to indicate the locations of authorization servers\"",
    reuses: None,
    severity: Severity::High,
};
pub(crate) static METHODS_METADATA: Check = Check {
    id: "methods-metadata",
    check: "code_challenge_methods_supported present and listing S256 (RFC 8414 and OpenID discovery)",
    spec: "MCP 2025-11-25, 2026-07-28: \"If code_challenge_methods_supported is absent, the authorization server does not support PKCE and MCP clients MUST refuse to proceed\"; \"Authorization servers providing OpenID Connect Discovery 1.0 MUST include code_challenge_methods_supported\"",
    reuses: None,
    severity: Severity::High,
};
pub(crate) static RESOURCE: Check = Check {
    id: "resource",
    check: "resource (RFC 8707) accepted in the authorization and the token request",
    spec: "MCP 2025-11-25, 2026-07-28: the resource parameter \"MUST be included in both authorization requests and token requests\"",
    reuses: None,
    severity: Severity::High,
};
pub(crate) static PLAIN: Check = Check {
    id: "plain",
    check: "plain neither advertised nor accepted",
    spec: "MCP 2025-11-25, 2026-07-28: \"MCP clients MUST use the S256 code challenge method\"",
    reuses: Some("plain"),
    severity: Severity::High,
};
pub(crate) static MISSING_METHOD: Check = Check {
    id: "missing-method",
    check: "a challenge without method is never read as plain",
    spec: "MCP 2025-11-25, 2026-07-28: \"MCP clients MUST use the S256 code challenge method\" (RFC 7636 §4.3 reads a missing method as plain)",
    reuses: Some("missing-method"),
    severity: Severity::Critical,
};
pub(crate) static MISSING_CHALLENGE: Check = Check {
    id: "missing-challenge",
    check: "an authorization request without code_challenge is refused",
    spec: "MCP 2025-11-25, 2026-07-28: \"MCP clients MUST implement PKCE according to OAuth 2.1\" (RFC 9700 §2.1.1: public clients MUST use PKCE)",
    reuses: Some("missing-challenge"),
    severity: Severity::Critical,
};
pub(crate) static DOWNGRADE: Check = Check {
    id: "downgrade",
    check: "a code_verifier for a code issued without challenge is refused",
    spec: "MCP 2025-11-25, 2026-07-28: PKCE per OAuth 2.1 (RFC 9700 §4.8.2: reject a code_verifier if the request had no code_challenge)",
    reuses: Some("downgrade"),
    severity: Severity::High,
};
pub(crate) static ISS: Check = Check {
    id: "iss",
    check: "iss exact when advertised, on success and error",
    spec: "MCP 2026-07-28 (SEP-2468): advertised but missing iss: reject; iss different from the recorded issuer (no normalising): reject",
    reuses: Some("iss"),
    severity: Severity::Low,
};
pub(crate) static LOOPBACK_PORT: Check = Check {
    id: "loopback-port",
    check: "a loopback redirect URI on another port than registered is accepted",
    spec: "MCP 2025-11-25, 2026-07-28: redirect URIs MUST be localhost or https; RFC 8252 §7.3: the server \"MUST allow any port to be specified at the time of the request for loopback IP redirect URIs\"",
    reuses: None,
    severity: Severity::High,
};
pub(crate) static CONCURRENT_REDEMPTION: Check = Check {
    id: "concurrent-redemption",
    check: "simultaneous token requests for one code get one token",
    spec: "MCP 2025-11-25, 2026-07-28: OAuth 2.1 applies (§4.1.2: a code MUST NOT be used more than once)",
    reuses: Some("concurrent-redemption"),
    severity: Severity::High,
};

/// The checklist, in the order of the report.
pub(crate) static ALL: [&Check; 10] = [
    &RESOURCE_METADATA,
    &METHODS_METADATA,
    &RESOURCE,
    &PLAIN,
    &MISSING_METHOD,
    &MISSING_CHALLENGE,
    &DOWNGRADE,
    &ISS,
    &LOOPBACK_PORT,
    &CONCURRENT_REDEMPTION,
];
