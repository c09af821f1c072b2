//! The probe's rules: each id names the weakness it looks for (the demo's
//! `--weaken` names are among them), with what the RFCs require, where the
//! failure was seen, and what a failure costs.

use super::report::{Rule, Severity};

pub(crate) static METADATA_S256: Rule = Rule {
    id: "metadata-s256",
    rule: "metadata advertises S256",
    requires: "RFC 8414 §2: code_challenge_methods_supported lists S256 (RFC 7636 §4.2: mandatory to implement)",
    source: "RFC 9700 §2.1.1",
    severity: Severity::Low,
};
pub(crate) static MISSING_CHALLENGE: Rule = Rule {
    id: "missing-challenge",
    rule: "a public client's authorization request without code_challenge is refused",
    requires: "RFC 9700 §2.1.1: public clients MUST use PKCE; OAuth 2.1: refuse with invalid_request",
    source: "RFC 9700 §2.1.1",
    severity: Severity::Critical,
};
pub(crate) static PLAIN: Rule = Rule {
    id: "plain",
    rule: "code_challenge_method=plain is refused",
    requires: "RFC 9700 §2.1.1: use a method that does not expose the verifier (S256); RFC 7636 §4.4.1: invalid_request",
    source: "RFC 9700 §2.1.1",
    severity: Severity::High,
};
pub(crate) static PLAIN_ALLOWED: Rule = Rule {
    id: "plain",
    rule: "plain, allowed deliberately (--allow-plain), is still verified",
    requires: "RFC 7636 §4.6: with plain, code_verifier must equal code_challenge, else invalid_grant",
    source: "RFC 7636 §4.6",
    severity: Severity::Critical,
};
pub(crate) static METHOD_CASE: Rule = Rule {
    id: "method-case",
    rule: "a lowercase (s256) or unknown (S512) code_challenge_method is refused",
    requires: "RFC 7636 §4.3, §6.2.1: method names are case-sensitive; §4.4.1: an unsupported method gets invalid_request",
    source: "RFC 7636 §6.2.1",
    severity: Severity::High,
};
pub(crate) static MALFORMED_CHALLENGE: Rule = Rule {
    id: "malformed-challenge",
    rule: "malformed S256 challenges are refused (hex digest, padded, 42 characters)",
    requires: "RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)), unpadded: 43 characters",
    source: "RFC 7636 §4.2",
    severity: Severity::Low,
};
pub(crate) static MISSING_METHOD: Rule = Rule {
    id: "missing-method",
    rule: "a challenge V without code_challenge_method is not redeemed with code_verifier=V",
    requires: "RFC 7636 §4.3 reads a missing method as plain; RFC 9700 §2.1.1: methods that expose the verifier must not be used (OAuth 2.1 draft -16 removes plain)",
    source: "RFC 9700 §2.1.1; workers-oauth-provider, better-auth #9575",
    severity: Severity::Critical,
};
pub(crate) static MISSING_VERIFIER: Rule = Rule {
    id: "missing-verifier",
    rule: "a code bound to a challenge is not redeemed without code_verifier",
    requires: "RFC 7636 §4.5, §4.6; RFC 9700 §2.1.1: the token request MUST carry the matching code_verifier",
    source: "RFC 7636 §4.6; CVE-2023-48228",
    severity: Severity::Critical,
};
pub(crate) static WRONG_VERIFIER: Rule = Rule {
    id: "wrong-verifier",
    rule: "a wrong code_verifier is refused (one character changed; the challenge itself)",
    requires: "RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the challenge, else invalid_grant",
    source: "RFC 7636 §4.6",
    severity: Severity::Critical,
};
pub(crate) static FAILED_ATTEMPT: Rule = Rule {
    id: "failed-attempt",
    rule: "after a wrong code_verifier, the code is not redeemed with the right one",
    requires: "RFC 6749 §4.1.2, §10.5: a code is single-use; a failed guess must not leave it open to the next (RFC 7636 §7.1)",
    source: "CVE-2026-41213",
    severity: Severity::High,
};
pub(crate) static SHORT_VERIFIER: Rule = Rule {
    id: "short-verifier",
    rule: "verifiers of 42 and 1 characters are refused, even with their S256 challenge",
    requires: "RFC 7636 §4.1: code_verifier is 43 to 128 characters; §4.6: else invalid_grant",
    source: "RFC 7636 §4.1; CVE-2026-41213",
    severity: Severity::High,
};
pub(crate) static DOWNGRADE: Rule = Rule {
    id: "downgrade",
    rule: "a code_verifier for a code issued without code_challenge is refused",
    requires: "RFC 9700 §2.1.1, §4.8.2: the token endpoint MUST reject a code_verifier if the authorization request had no code_challenge",
    source: "RFC 9700 §4.8.2",
    severity: Severity::High,
};
pub(crate) static REPLAY: Rule = Rule {
    id: "replay",
    rule: "a redeemed code is refused again: with the same verifier, none, or a wrong one (control: a code never issued)",
    requires: "RFC 6749 §4.1.2: a code MUST NOT be used more than once",
    source: "RFC 6749 §4.1.2; CVE-2026-26232",
    severity: Severity::Critical,
};
pub(crate) static CONCURRENT_REDEMPTION: Rule = Rule {
    id: "concurrent-redemption",
    rule: "simultaneous token requests for one code get one token",
    requires: "RFC 6749 §4.1.2, §10.5: a code MUST NOT be used more than once",
    source: "ory/fosite #778; CVE-2026-73311",
    severity: Severity::High,
};
pub(crate) static CROSS_FLOW: Rule = Rule {
    id: "cross-flow",
    rule: "a verifier from another pending flow is refused",
    requires: "RFC 7636 §4.6: the verifier is checked against the challenge bound to this code",
    source: "RFC 7636 §4.6",
    severity: Severity::Critical,
};
pub(crate) static ISS: Rule = Rule {
    id: "iss",
    rule: "authorization responses (success and error) carry iss, equal to the issuer",
    requires: "RFC 9207 §2: iss is required when the metadata sets authorization_response_iss_parameter_supported (OAuth 2.1 draft -16: always)",
    source: "RFC 9207 §2.4",
    severity: Severity::Low,
};

/// Every rule id, in the order of the report: what `--only` and `--skip` take.
pub(crate) const IDS: [&str; 15] = [
    "metadata-s256",
    "missing-challenge",
    "plain",
    "method-case",
    "malformed-challenge",
    "missing-method",
    "missing-verifier",
    "wrong-verifier",
    "failed-attempt",
    "short-verifier",
    "downgrade",
    "replay",
    "concurrent-redemption",
    "cross-flow",
    "iss",
];
