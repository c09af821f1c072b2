//! Deliberately broken servers, for testing PKCE probes (`--weaken RULE`).
//!
//! Each [`Weakness`] overrides exactly one refusal of the strict decision,
//! at the demo's own layer: the library's answer is computed first, and
//! only the one error the rule names is turned into an acceptance. Every
//! other check (client authentication, `redirect_uri`, expiry, the other
//! PKCE rules, the reuse guard) stays as strict as in the default server.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proofkey::{AuthorizeError, ChallengeMethod, ClientType, CodeChallenge, Policy, TokenError};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// One PKCE rule the server deliberately breaks. Never use a weakened
/// server for anything but testing a client or a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Weakness {
    /// The token endpoint accepts a `code_verifier` for a code bound to no
    /// challenge, instead of `invalid_grant` (the downgrade of RFC 9700 §4.8.2).
    Downgrade,
    /// A code bound to a challenge is redeemed without any `code_verifier`
    /// (authentik CVE-2023-48228).
    MissingVerifier,
    /// The authorization endpoint accepts `code_challenge_method=plain`
    /// even where the policy refuses it, and the token endpoint verifies
    /// the plain challenge. A *missing* method is still the policy's.
    Plain,
    /// The authorization endpoint issues a code to a public client without
    /// a `code_challenge`, and the token endpoint accepts that code without
    /// a verifier.
    MissingChallenge,
    /// A code can be redeemed again after a success (it is not consumed;
    /// a failed attempt still consumes it).
    Replay,
    /// A `code_challenge` without `code_challenge_method` is read as plain
    /// (RFC 7636 §4.3) although plain is refused when asked for and the
    /// metadata lists S256 only (the Authlib / workers-oauth-provider bug).
    MissingMethod,
    /// After a success the code stays redeemable with its PKCE binding
    /// dropped: then without any `code_verifier`.
    ReplayWithoutVerifier,
    /// A wrong `code_verifier` does not consume the code: the right one can
    /// follow, so the verifier can be guessed online (CVE-2026-41213).
    FailedAttempt,
    /// A verifier of 1 to 42 characters is checked against the S256
    /// challenge instead of refused (RFC 7636 §4.1; CVE-2026-41213).
    ShortVerifier,
    /// The code is checked, then removed after a yield: simultaneous
    /// token requests each get a token (ory/fosite #778).
    ConcurrentRedemption,
    /// The metadata omits `code_challenge_methods_supported` (as Entra ID
    /// and Cognito do), while the endpoints still enforce S256: strict MCP
    /// clients must refuse the server, lenient ones assume S256.
    NoMethodsMetadata,
}

impl Weakness {
    /// Every rule, in the order of `--help`.
    pub const ALL: [Self; 11] = [
        Self::Downgrade,
        Self::MissingVerifier,
        Self::Plain,
        Self::MissingChallenge,
        Self::Replay,
        Self::MissingMethod,
        Self::ReplayWithoutVerifier,
        Self::FailedAttempt,
        Self::ShortVerifier,
        Self::ConcurrentRedemption,
        Self::NoMethodsMetadata,
    ];

    /// The rule's name on the command line: `downgrade`,
    /// `missing-verifier`, `plain`, `missing-challenge`, `replay`,
    /// `missing-method`, `replay-without-verifier`, `failed-attempt`,
    /// `short-verifier`, `concurrent-redemption` or `no-methods-metadata`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Downgrade => "downgrade",
            Self::MissingVerifier => "missing-verifier",
            Self::Plain => "plain",
            Self::MissingChallenge => "missing-challenge",
            Self::Replay => "replay",
            Self::MissingMethod => "missing-method",
            Self::ReplayWithoutVerifier => "replay-without-verifier",
            Self::FailedAttempt => "failed-attempt",
            Self::ShortVerifier => "short-verifier",
            Self::ConcurrentRedemption => "concurrent-redemption",
            Self::NoMethodsMetadata => "no-methods-metadata",
        }
    }

    /// The `pkce probe` rule this weakness breaks: its name, except
    /// `replay-without-verifier`, which breaks `replay`, and
    /// `no-methods-metadata`, which breaks `metadata-s256`.
    #[must_use]
    pub const fn rule(self) -> &'static str {
        match self {
            Self::ReplayWithoutVerifier => "replay",
            Self::NoMethodsMetadata => "metadata-s256",
            other => other.name(),
        }
    }

    /// What the weakened server does wrong, in one line.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::Downgrade => {
                "accepts a code_verifier for a code issued without code_challenge (RFC 9700 §4.8.2)"
            }
            Self::MissingVerifier => {
                "redeems a code bound to a challenge without code_verifier (CVE-2023-48228)"
            }
            Self::Plain => "accepts code_challenge_method=plain and verifies it",
            Self::MissingChallenge => {
                "issues codes to the public client without code_challenge, redeemed without verifier"
            }
            Self::Replay => "does not consume a code on success: it can be redeemed again",
            Self::MissingMethod => {
                "reads a code_challenge without code_challenge_method as plain (RFC 7636 §4.3), though the metadata lists S256 only"
            }
            Self::ReplayWithoutVerifier => {
                "drops the PKCE binding after a success: the code is redeemed again without code_verifier"
            }
            Self::FailedAttempt => {
                "a wrong code_verifier does not consume the code: the verifier can be guessed online"
            }
            Self::ShortVerifier => {
                "accepts code_verifiers of 1 to 42 characters (RFC 7636 §4.1: 43 to 128)"
            }
            Self::ConcurrentRedemption => {
                "checks the code, then removes it after a yield: simultaneous redemptions each get a token"
            }
            Self::NoMethodsMetadata => {
                "omits code_challenge_methods_supported from its metadata (PKCE still enforced)"
            }
        }
    }

    /// The startup warning, for stderr.
    #[must_use]
    pub fn warning(self) -> String {
        format!(
            "WARNING: --weaken {}: this server is deliberately broken for testing; never use it for anything else ({})",
            self.name(),
            self.description()
        )
    }
}

impl fmt::Display for Weakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown `--weaken` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWeakness;

impl fmt::Display for UnknownWeakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "unknown rule: expected downgrade, missing-verifier, plain, missing-challenge, replay, missing-method, replay-without-verifier, failed-attempt, short-verifier, concurrent-redemption or no-methods-metadata",
        )
    }
}

impl std::error::Error for UnknownWeakness {}

impl FromStr for Weakness {
    type Err = UnknownWeakness;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|w| w.name() == s)
            .ok_or(UnknownWeakness)
    }
}

/// Whether a decision was the policy's, or one a weakness overrode (logged).
pub(crate) type Weakened = Option<Weakness>;

/// The authorization endpoint's PKCE decision: the policy's, except the
/// one refusal `weakness` overrides.
pub(crate) fn authorize(
    weakness: Option<Weakness>,
    policy: &Policy,
    client: ClientType,
    query: &str,
) -> Result<(Option<CodeChallenge>, Weakened), AuthorizeError> {
    let strict = policy.authorize_query(client, query);
    match (weakness, strict) {
        // MethodNotAllowed only comes from an explicit method the policy
        // refuses, that is plain: allow it for this request only.
        (Some(w @ Weakness::Plain), Err(AuthorizeError::MethodNotAllowed)) => policy
            .allow_plain(true)
            .authorize_query(client, query)
            .map(|bound| (bound, Some(w))),
        (Some(w @ Weakness::MissingChallenge), Err(AuthorizeError::ChallengeRequired))
            if client == ClientType::Public =>
        {
            Ok((None, Some(w)))
        }
        // MethodRequired: a challenge without a method. Read it as RFC
        // 7636 §4.3 does (plain), for this request only.
        (Some(w @ Weakness::MissingMethod), Err(AuthorizeError::MethodRequired)) => policy
            .allow_plain(true)
            .missing_method(proofkey::MissingMethod::Plain)
            .authorize_query(client, query)
            .map(|bound| (bound, Some(w))),
        (_, strict) => strict.map(|bound| (bound, None)),
    }
}

/// The token endpoint's PKCE decision: the policy's, except the one
/// refusal `weakness` overrides.
pub(crate) fn token(
    weakness: Option<Weakness>,
    policy: &Policy,
    client: ClientType,
    bound: Option<&CodeChallenge>,
    body: &str,
    pairs: &[(String, String)],
) -> Result<Weakened, TokenError> {
    // Plain: a bound plain challenge is verified, not refused as no longer
    // allowed (under MissingMethod, only a method-less request binds one).
    let effective = match weakness {
        Some(Weakness::Plain | Weakness::MissingMethod) => policy.allow_plain(true),
        _ => *policy,
    };
    match (weakness, effective.token_form(client, bound, body)) {
        (Some(w @ Weakness::Downgrade), Err(TokenError::UnexpectedVerifier))
        | (Some(w @ Weakness::MissingVerifier), Err(TokenError::VerifierRequired)) => Ok(Some(w)),
        (Some(w @ Weakness::MissingChallenge), Err(TokenError::PkceRequired))
            if client == ClientType::Public =>
        {
            Ok(Some(w))
        }
        (Some(w @ (Weakness::Plain | Weakness::MissingMethod)), Ok(()))
            if bound.is_some_and(|c| !policy.allows(c.method())) =>
        {
            Ok(Some(w))
        }
        // Only a code whose binding was dropped after a success has no
        // challenge for the public client (the authorization endpoint
        // refuses one without).
        (Some(w @ Weakness::ReplayWithoutVerifier), Err(TokenError::PkceRequired))
            if client == ClientType::Public =>
        {
            Ok(Some(w))
        }
        (Some(w @ Weakness::ShortVerifier), Err(TokenError::MalformedVerifier(_)))
            if bound.is_some_and(|c| short_s256_matches(c, pairs)) =>
        {
            Ok(Some(w))
        }
        (_, result) => result.map(|()| None),
    }
}

/// Whether the request's `code_verifier` is 1 to 42 characters of the
/// verifier alphabet whose S256 digest is the bound challenge: what a
/// server without the length check of RFC 7636 §4.1 accepts.
fn short_s256_matches(bound: &CodeChallenge, pairs: &[(String, String)]) -> bool {
    let Some((_, verifier)) = pairs.iter().find(|(n, _)| n == "code_verifier") else {
        return false;
    };
    let alphabet = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    bound.method() == ChallengeMethod::S256
        && (1..43).contains(&verifier.len())
        && verifier.bytes().all(alphabet)
        && bool::from(digest.as_bytes().ct_eq(bound.as_str().as_bytes()))
}

/// `code_challenge_methods_supported`: the policy's, with plain under
/// [`Weakness::Plain`], absent (`None`) under [`Weakness::NoMethodsMetadata`].
pub(crate) fn methods_supported(
    weakness: Option<Weakness>,
    policy: &Policy,
) -> Option<&'static [&'static str]> {
    match weakness {
        Some(Weakness::Plain) => Some(policy.allow_plain(true).methods_supported()),
        Some(Weakness::NoMethodsMetadata) => None,
        _ => Some(policy.methods_supported()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_is_refused() {
        for w in Weakness::ALL {
            assert_eq!(w.name().parse::<Weakness>(), Ok(w));
            assert!(
                w.warning()
                    .starts_with(&format!("WARNING: --weaken {}: ", w.name()))
            );
        }
        assert_eq!("S256".parse::<Weakness>(), Err(UnknownWeakness));
        assert_eq!("".parse::<Weakness>(), Err(UnknownWeakness));
    }
}
