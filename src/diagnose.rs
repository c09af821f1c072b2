//! `diagnose`: the likely client mistake behind a failed verification, for
//! server logs and tools.

use core::fmt;

use base64ct::{Base64, Base64Unpadded, Base64Url, Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::alphabet::{self, B64_32_LEN};
use crate::challenge::CodeChallenge;
use crate::method::ChallengeMethod;
use crate::verifier::CodeVerifier;

/// Why a `code_verifier` does (or does not) match a stored `code_challenge`:
/// the result of [`diagnose`].
///
/// Each variant but [`Match`](Self::Match) and
/// [`WrongVerifier`](Self::WrongVerifier) names a client mistake that
/// [`diagnose`] recognised by recomputing it from the presented verifier;
/// its `Display` gives one fixed sentence
/// naming the mistake and its fix, never any part of the input.
///
/// # Example
///
/// ```
/// use proofkey::{diagnose, ChallengeMethod, Diagnosis};
///
/// let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// // The client sent SHA-256 in hex instead of base64url.
/// let hex = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";
/// let diagnosis = diagnose(hex, ChallengeMethod::Plain, verifier);
/// assert_eq!(diagnosis, Diagnosis::HexDigest);
/// assert!(diagnosis.to_string().contains("hex"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Diagnosis {
    /// The verifier matches the challenge: `CodeChallenge::parse` and
    /// `verify` succeed.
    Match,
    /// The verifier or the challenge has ASCII white space around it
    /// (typically a trailing newline) and matches without it.
    SurroundingWhitespace,
    /// The verifier is not 43 to 128 characters of `[A-Za-z0-9-._~]`
    /// (RFC 7636 §4.1), and trimming white space does not make it match.
    MalformedVerifier,
    /// The challenge is SHA-256 of the verifier in hex (either case), not
    /// base64url.
    HexDigest,
    /// Bound as `plain`, but the challenge is the S256 of the verifier: the
    /// client left out `code_challenge_method=S256` (RFC 7636 §4.3: a
    /// missing method means `plain`) or sent `plain`.
    S256UnderPlain,
    /// The challenge is the S256 of the verifier with `=` padding.
    Padded,
    /// The challenge is SHA-256 of the verifier in the standard base64
    /// alphabet (`+`, `/`), with or without `=` padding.
    StandardBase64,
    /// Bound as S256, but the challenge is the verifier itself: the client
    /// sent its verifier as the challenge, or the challenge as the verifier.
    VerifierAsChallenge,
    /// The challenge is the S256 of the verifier followed by a newline
    /// (`echo` without `-n` piped into a hash).
    HashOfVerifierWithNewline,
    /// The challenge is the base64url SHA-256 of the octets the verifier
    /// decodes to as base64url, not of the verifier's ASCII text.
    HashOfDecodedVerifier,
    /// The stored challenge is not valid for its method
    /// ([`CodeChallenge::parse`] fails) and is none of the mistakes above.
    MalformedChallenge,
    /// Both are well-formed, and the challenge is none of the known
    /// transforms of this verifier: a different verifier, e.g. one from
    /// another authorization request.
    WrongVerifier,
}

impl Diagnosis {
    /// The sentence that `Display` writes.
    const fn text(self) -> &'static str {
        match self {
            Self::Match => "The code_verifier matches the code_challenge; there is nothing to fix.",
            Self::SurroundingWhitespace => {
                "The code_verifier or code_challenge has white space around it (often a trailing \
                 newline from a file, an environment variable or echo); the client must send the \
                 exact value with nothing added."
            }
            Self::MalformedVerifier => {
                "The code_verifier is not 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 \
                 section 4.1); the client must generate it from that alphabet and send it \
                 unchanged, not encoded or truncated."
            }
            Self::HexDigest => {
                "The code_challenge is the SHA-256 of the code_verifier in hex; the client must \
                 base64url-encode the 32 raw digest octets without padding and send \
                 code_challenge_method=S256."
            }
            Self::S256UnderPlain => {
                "The code_challenge is the S256 of the code_verifier but was bound as plain; the \
                 client must send code_challenge_method=S256 with it, since a missing method \
                 means plain (RFC 7636 section 4.3)."
            }
            Self::Padded => {
                "The code_challenge is base64url with = padding; the client must strip the \
                 trailing = characters, as S256 is base64url without padding (RFC 7636 \
                 Appendix A)."
            }
            Self::StandardBase64 => {
                "The code_challenge uses the standard base64 alphabet (+ and /); the client must \
                 use base64url (- and _) without = padding (RFC 7636 Appendix A)."
            }
            Self::VerifierAsChallenge => {
                "The code_challenge equals the code_verifier under S256 (the verifier sent as the \
                 challenge, or the challenge sent as the verifier); the client must send \
                 BASE64URL(SHA256(code_verifier)) as the challenge and the verifier itself to the \
                 token endpoint."
            }
            Self::HashOfVerifierWithNewline => {
                "The code_challenge is the S256 of the code_verifier followed by a newline (as \
                 from echo without -n); the client must hash the verifier alone."
            }
            Self::HashOfDecodedVerifier => {
                "The code_challenge is the SHA-256 of the octets the code_verifier decodes to; \
                 the client must hash the verifier's ASCII text as sent, not decode it first \
                 (RFC 7636 section 4.2)."
            }
            Self::MalformedChallenge => {
                "The stored code_challenge is not valid for its method and is no known encoding \
                 mistake; the authorization endpoint must reject it, and the client must send \
                 BASE64URL(SHA256(code_verifier)) with code_challenge_method=S256."
            }
            Self::WrongVerifier => {
                "The code_verifier is well-formed but is not the one this code_challenge was made \
                 from; the client must send the verifier it generated for this same \
                 authorization request."
            }
        }
    }
}

impl fmt::Display for Diagnosis {
    /// One sentence naming the client's likely mistake and the fix: fixed
    /// ASCII text ending with `.`, never any part of the input, in the
    /// RFC 6749 `error_description` character set (but see [`diagnose`]:
    /// it belongs in server logs, not in a response). Written without
    /// allocating.
    ///
    /// ```
    /// use proofkey::Diagnosis;
    ///
    /// let why = Diagnosis::Padded.to_string();
    /// assert!(why.contains("padding") && why.ends_with('.'));
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// Finds the likely client mistake when `code_verifier` does not match the
/// `challenge` bound with `method`, for server logs and tools.
///
/// `challenge` and `method` are what the server stored at the authorization
/// endpoint (the raw text, whether or not it parses), `code_verifier` is the
/// raw text of the token request. The checks run in this order and the
/// first that holds wins:
///
/// 1. [`Match`](Diagnosis::Match): the challenge parses for `method` and
///    [`CodeChallenge::verify`] accepts the verifier.
/// 2. [`SurroundingWhitespace`](Diagnosis::SurroundingWhitespace): the same
///    holds once ASCII white space is trimmed from both ends of both values.
/// 3. [`MalformedVerifier`](Diagnosis::MalformedVerifier): the verifier
///    breaks RFC 7636 §4.1. The checks below need a well-formed verifier.
/// 4. With `D = SHA256(ASCII(code_verifier))`, the challenge is:
///    `D` in hex, either case ([`HexDigest`](Diagnosis::HexDigest));
///    under `plain`, `BASE64URL(D)`
///    ([`S256UnderPlain`](Diagnosis::S256UnderPlain)); `BASE64URL(D)` with
///    `=` padding ([`Padded`](Diagnosis::Padded)); `D` in standard base64,
///    padded or not ([`StandardBase64`](Diagnosis::StandardBase64)); under
///    S256, the verifier itself
///    ([`VerifierAsChallenge`](Diagnosis::VerifierAsChallenge)).
/// 5. The challenge is `BASE64URL(SHA256(code_verifier || "\n"))`
///    ([`HashOfVerifierWithNewline`](Diagnosis::HashOfVerifierWithNewline)),
///    or, if the verifier is canonical unpadded base64url,
///    `BASE64URL(SHA256(BASE64URL-DECODE(code_verifier)))`
///    ([`HashOfDecodedVerifier`](Diagnosis::HashOfDecodedVerifier)).
/// 6. [`MalformedChallenge`](Diagnosis::MalformedChallenge): the challenge
///    does not parse for `method`.
/// 7. Otherwise [`WrongVerifier`](Diagnosis::WrongVerifier).
///
/// Where no method is named, the mistakes in 4 and 5 are recognised under
/// either method, since a client that leaves out `code_challenge_method`
/// gets `plain`.
///
/// # Not for the hot path, not for responses
///
/// It is **not constant time**, by design: it returns at the first check
/// that holds and compares with early exits, so its running time depends on
/// the stored challenge. Call it only after [`CodeChallenge::verify`] (or
/// [`Policy::token`](crate::Policy::token)) has failed, off the request's
/// critical path, and write the result only to server logs or a tool's
/// output such as the `pkce` CLI. Never put it in a response body: the
/// client gets `invalid_grant` (RFC 6749 §5.2), and an attacker must not
/// learn how a guess relates to the stored challenge. The diagnosis and its
/// text never contain the verifier or the challenge. No allocation: the
/// encodings are built in stack buffers, and the decoded verifier octets
/// are zeroized after use.
///
/// ```
/// use proofkey::{diagnose, ChallengeMethod, Diagnosis};
///
/// let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// assert_eq!(diagnose(challenge, ChallengeMethod::S256, verifier), Diagnosis::Match);
///
/// // At the token endpoint, after verify failed:
/// let presented = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\n";
/// let diagnosis = diagnose(challenge, ChallengeMethod::S256, presented);
/// assert_eq!(diagnosis, Diagnosis::SurroundingWhitespace);
/// // log::info!("token request: invalid_grant: {diagnosis}");
///
/// // No method sent, so the S256 challenge was bound as plain:
/// let diagnosis = diagnose(challenge, ChallengeMethod::Plain, verifier);
/// assert_eq!(diagnosis, Diagnosis::S256UnderPlain);
/// ```
#[must_use]
pub fn diagnose(challenge: &str, method: ChallengeMethod, code_verifier: &str) -> Diagnosis {
    if matches(challenge, method, code_verifier) {
        return Diagnosis::Match;
    }
    let (trimmed_challenge, trimmed_verifier) =
        (challenge.trim_ascii(), code_verifier.trim_ascii());
    let was_trimmed =
        trimmed_challenge.len() != challenge.len() || trimmed_verifier.len() != code_verifier.len();
    if was_trimmed && matches(trimmed_challenge, method, trimmed_verifier) {
        return Diagnosis::SurroundingWhitespace;
    }
    if CodeVerifier::parse(code_verifier).is_err() {
        return Diagnosis::MalformedVerifier;
    }
    if let Some(mistake) = encoding_mistake(challenge.as_bytes(), method, code_verifier.as_bytes())
    {
        return mistake;
    }
    if CodeChallenge::parse(challenge, method).is_err() {
        return Diagnosis::MalformedChallenge;
    }
    Diagnosis::WrongVerifier
}

/// Whether `challenge` parses for `method` and `verifier` matches it.
fn matches(challenge: &str, method: ChallengeMethod, verifier: &str) -> bool {
    CodeChallenge::parse(challenge, method).is_ok_and(|c| c.verify(verifier).is_ok())
}

/// Steps 4 and 5 of [`diagnose`], for a well-formed `verifier`.
fn encoding_mistake(
    challenge: &[u8],
    method: ChallengeMethod,
    verifier: &[u8],
) -> Option<Diagnosis> {
    let digest: [u8; 32] = Sha256::digest(verifier).into();
    let s256 = method == ChallengeMethod::S256;
    // Hash again only for a challenge of the one length it can match.
    let s256_len = challenge.len() == B64_32_LEN;
    // Under S256 the unpadded base64url form is a match, found before.
    let mistake = if is_hex(challenge, &digest) {
        Diagnosis::HexDigest
    } else if !s256 && encodes::<Base64UrlUnpadded>(challenge, &digest) {
        Diagnosis::S256UnderPlain
    } else if encodes::<Base64Url>(challenge, &digest) {
        Diagnosis::Padded
    } else if encodes::<Base64>(challenge, &digest) || encodes::<Base64Unpadded>(challenge, &digest)
    {
        // Reached only when the standard form differs from the base64url
        // forms above: the digest's encoding has a `+` or `/`.
        Diagnosis::StandardBase64
    } else if s256 && challenge == verifier {
        Diagnosis::VerifierAsChallenge
    } else if s256_len && encodes::<Base64UrlUnpadded>(challenge, &with_newline(verifier)) {
        Diagnosis::HashOfVerifierWithNewline
    } else if s256_len
        && decoded_digest(verifier).is_some_and(|d| encodes::<Base64UrlUnpadded>(challenge, &d))
    {
        Diagnosis::HashOfDecodedVerifier
    } else {
        return None;
    };
    Some(mistake)
}

/// Whether `challenge` is `digest` in hex, in either case.
fn is_hex(challenge: &[u8], digest: &[u8; 32]) -> bool {
    if challenge.len() != 64 {
        return false;
    }
    let mut hex = [0u8; 64];
    alphabet::encode_hex(digest, &mut hex);
    challenge.eq_ignore_ascii_case(&hex)
}

/// Whether `challenge` is `digest` in the encoding `E`. 44 octets hold any
/// base64 form of 32 octets.
fn encodes<E: Encoding>(challenge: &[u8], digest: &[u8; 32]) -> bool {
    // Skips the encoding for a challenge of any other length.
    if E::encoded_len(digest) != challenge.len() {
        return false;
    }
    let mut buf = [0u8; 44];
    E::encode(digest, &mut buf).is_ok_and(|encoded| encoded.as_bytes() == challenge)
}

/// SHA-256 of `verifier` followed by `\n`.
fn with_newline(verifier: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update(verifier)
        .chain_update(b"\n")
        .finalize()
        .into()
}

/// SHA-256 of the octets `verifier` encodes as canonical unpadded base64url,
/// if it is that: at most 96 octets for 128 characters.
fn decoded_digest(verifier: &[u8]) -> Option<[u8; 32]> {
    let mut octets = [0u8; 96];
    let digest = Base64UrlUnpadded::decode(verifier, &mut octets)
        .ok()
        .map(|decoded| Sha256::digest(decoded).into());
    // The decoded octets are as secret as the verifier.
    octets.as_mut_slice().zeroize();
    digest
}
