//! The probe's rules: each id names the weakness it looks for (the demo's
//! `--weaken` names are among them), with what the RFCs require.

use super::report::Rule;

pub(crate) static METADATA_S256: Rule = Rule {
    id: "metadata-s256",
    rule: "metadata advertises S256",
    requires: "RFC 8414 §2: code_challenge_methods_supported lists S256 (RFC 7636 §4.2: mandatory to implement)",
};
pub(crate) static MISSING_CHALLENGE: Rule = Rule {
    id: "missing-challenge",
    rule: "a public client's authorization request without code_challenge is refused",
    requires: "RFC 9700 §2.1.1: public clients MUST use PKCE; OAuth 2.1: refuse with invalid_request",
};
pub(crate) static PLAIN: Rule = Rule {
    id: "plain",
    rule: "code_challenge_method=plain is refused",
    requires: "RFC 9700 §2.1.1: use a method that does not expose the verifier (S256); RFC 7636 §4.4.1: invalid_request",
};
pub(crate) static PLAIN_ALLOWED: Rule = Rule {
    id: "plain",
    rule: "plain, allowed deliberately (--allow-plain), is still verified",
    requires: "RFC 7636 §4.6: with plain, code_verifier must equal code_challenge, else invalid_grant",
};
pub(crate) static METHOD_CASE: Rule = Rule {
    id: "method-case",
    rule: "a lowercase (s256) or unknown (S512) code_challenge_method is refused",
    requires: "RFC 7636 §4.3, §6.2.1: method names are case-sensitive; §4.4.1: an unsupported method gets invalid_request",
};
pub(crate) static MALFORMED_CHALLENGE: Rule = Rule {
    id: "malformed-challenge",
    rule: "malformed S256 challenges are refused (hex digest, padded, 42 characters)",
    requires: "RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)), unpadded: 43 characters",
};
pub(crate) static MISSING_VERIFIER: Rule = Rule {
    id: "missing-verifier",
    rule: "a code bound to a challenge is not redeemed without code_verifier",
    requires: "RFC 7636 §4.5, §4.6; RFC 9700 §2.1.1: the token request MUST carry the matching code_verifier",
};
pub(crate) static WRONG_VERIFIER: Rule = Rule {
    id: "wrong-verifier",
    rule: "a wrong code_verifier is refused (one character changed; the challenge itself)",
    requires: "RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the challenge, else invalid_grant",
};
pub(crate) static DOWNGRADE: Rule = Rule {
    id: "downgrade",
    rule: "a code_verifier for a code issued without code_challenge is refused",
    requires: "RFC 9700 §2.1.1, §4.8.2: the token endpoint MUST reject a code_verifier if the authorization request had no code_challenge",
};
pub(crate) static REPLAY: Rule = Rule {
    id: "replay",
    rule: "the same code redeemed twice is refused",
    requires: "RFC 6749 §4.1.2: a code MUST NOT be used more than once",
};
pub(crate) static CROSS_FLOW: Rule = Rule {
    id: "cross-flow",
    rule: "a verifier from another pending flow is refused",
    requires: "RFC 7636 §4.6: the verifier is checked against the challenge bound to this code",
};
