//! `arbitrary::Arbitrary` for the public types (feature `arbitrary`), so that
//! users can fuzz their own authorization and token endpoints with values the
//! library would accept.
//!
//! Every impl builds its value through the public constructors
//! ([`CodeVerifier::parse`], [`CodeChallenge::parse`], the [`Policy`] presets
//! and builders), so a generated value is always one the library accepts: a
//! valid verifier, a challenge valid for its method. None of them fails,
//! panics or allocates, whatever the input: an exhausted [`Unstructured`]
//! yields zeros, and zeros map to valid values (a 43-character verifier of
//! `A`, [`Policy::production`], S256).
//!
//! A verifier made from fuzzer bytes is not secret: it is for fuzzing only.
//! Real verifiers come from `CodeVerifier::from_rng` or `CodeVerifier::random`.

use arbitrary::{Arbitrary, Error as ArbitraryError, Result, Unstructured, size_hint};

use crate::alphabet::{self, MAX_LEN, MIN_LEN};
use crate::challenge::CodeChallenge;
use crate::method::ChallengeMethod;
use crate::policy::{ClientType, MissingMethod, Policy};
use crate::verifier::CodeVerifier;

/// The verifier length bounds as the `u8` that `int_in_range` draws.
const MIN_LEN_U8: u8 = MIN_LEN as u8;
const MAX_LEN_U8: u8 = MAX_LEN as u8;
const _: () = assert!(MIN_LEN_U8 as usize == MIN_LEN && MAX_LEN_U8 as usize == MAX_LEN);
/// Index of the last of the 66 unreserved characters.
const LAST_UNRESERVED: u8 = 65;

/// One byte picks one of a few cases (`int_in_range` over a `u8` range).
const ONE_BYTE: (usize, Option<usize>) = (1, Some(1));

/// Draws a choice among `last + 1` cases from one byte; 0 when `u` is empty.
fn case(u: &mut Unstructured<'_>, last: u8) -> Result<u8> {
    u.int_in_range(0..=last)
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for ChallengeMethod {
    /// S256 or plain, from one byte (S256 when `u` is empty).
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match case(u, 1)? {
            0 => Self::S256,
            _ => Self::Plain,
        })
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        ONE_BYTE
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for ClientType {
    /// Public or confidential, from one byte (public when `u` is empty).
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match case(u, 1)? {
            0 => Self::Public,
            _ => Self::Confidential,
        })
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        ONE_BYTE
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for Policy {
    /// A preset ([`production`](Policy::production),
    /// [`development`](Policy::development), [`oauth21`](Policy::oauth21)
    /// or [`fapi2`](Policy::fapi2)), then each builder
    /// (`require_for_confidential`, `allow_plain`, `missing_method`) either
    /// left alone or called with an arbitrary value: every policy the
    /// builders can make. An empty `u` gives [`Policy::production`].
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut policy = match case(u, 3)? {
            0 => Self::production(),
            1 => Self::development(),
            2 => Self::oauth21(),
            _ => Self::fapi2(),
        };
        if let Some(required) = Option::<bool>::arbitrary(u)? {
            policy = policy.require_for_confidential(required);
        }
        if let Some(allowed) = Option::<bool>::arbitrary(u)? {
            policy = policy.allow_plain(allowed);
        }
        if bool::arbitrary(u)? {
            policy = policy.missing_method(match case(u, 2)? {
                0 => MissingMethod::Reject,
                1 => MissingMethod::Plain,
                _ => MissingMethod::S256,
            });
        }
        Ok(policy)
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        let flag = <Option<bool> as Arbitrary<'a>>::size_hint(depth);
        // The same shape as `Option<bool>`: a tag byte, then one byte.
        size_hint::and_all(&[ONE_BYTE, flag, flag, flag])
    }
}

/// Valid verifiers for fuzzing; **not secret**.
///
/// # Example: fuzzing a token endpoint
///
/// The body of a `cargo fuzz` target (`fuzz_target!(|data: &[u8]| {
/// let _ = fuzz_token_endpoint(data); });`): whatever the policy, client
/// and method, the holder of the verifier gets a token exactly when the
/// policy allows the method, and nobody else does.
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use proofkey::{
///     ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Policy, TokenError,
/// };
///
/// /// Your endpoint: the binding stored with the code, and the request's form.
/// fn token_endpoint(
///     policy: &Policy,
///     client: ClientType,
///     stored: Option<&CodeChallenge>,
///     form: &[(&str, &str)],
/// ) -> Result<(), TokenError> {
///     policy.token_params(client, stored, form.iter().copied())
/// }
///
/// fn fuzz_token_endpoint(data: &[u8]) -> arbitrary::Result<()> {
///     let mut u = Unstructured::new(data);
///     let policy = Policy::arbitrary(&mut u)?;
///     let client = ClientType::arbitrary(&mut u)?;
///     let verifier = CodeVerifier::arbitrary(&mut u)?;
///     let method = ChallengeMethod::arbitrary(&mut u)?;
///     let guess = CodeVerifier::arbitrary(&mut u)?;
///     let stored = verifier.challenge_with(method);
///
///     let form = [
///         ("grant_type", "authorization_code"),
///         ("code_verifier", verifier.secret()),
///     ];
///     let granted = token_endpoint(&policy, client, Some(&stored), &form).is_ok();
///     assert_eq!(granted, policy.allows(method));
///     // An attacker with the code: no verifier, a guessed one, or the
///     // real one replayed on a code issued without PKCE (a downgrade).
///     assert!(token_endpoint(&policy, client, Some(&stored), &[]).is_err());
///     if guess.secret() != verifier.secret() {
///         let form = [("code_verifier", guess.secret())];
///         assert!(token_endpoint(&policy, client, Some(&stored), &form).is_err());
///     }
///     assert!(token_endpoint(&policy, client, None, &form).is_err());
///     Ok(())
/// }
///
/// fuzz_token_endpoint(&[])?;
/// fuzz_token_endpoint(&[7; 300])?;
/// fuzz_token_endpoint(b"the fuzzer's bytes: 43..=128 characters follow")?;
/// # Ok::<(), arbitrary::Error>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for CodeVerifier {
    /// A valid verifier: a length byte (43..=128), then one byte per
    /// character, each mapped onto the 66 unreserved characters, so every
    /// length and every character is reachable. An empty `u` gives 43 `A`s.
    ///
    /// **Not secret**: it is exactly as unpredictable as the fuzzer's input.
    /// Use it to fuzz, never to protect an authorization code.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let len = usize::from(u.int_in_range(MIN_LEN_U8..=MAX_LEN_U8)?);
        let mut buf = [0u8; MAX_LEN];
        let chars = buf.get_mut(..len).ok_or(ArbitraryError::IncorrectFormat)?;
        for c in chars.iter_mut() {
            *c = alphabet::unreserved_char(case(u, LAST_UNRESERVED)?);
        }
        // Through `parse`, so the value is checked like any other verifier;
        // it cannot fail, and failing would be an error, not a panic.
        let s = core::str::from_utf8(chars).map_err(|_| ArbitraryError::IncorrectFormat)?;
        CodeVerifier::parse(s).map_err(|_| ArbitraryError::IncorrectFormat)
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        // The length byte, then one byte per character.
        (1 + MIN_LEN, Some(1 + MAX_LEN))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for CodeChallenge {
    /// A challenge valid for its method, which is one of:
    ///
    /// - S256 of an arbitrary 32-octet digest (every canonical S256 value),
    /// - S256 of an arbitrary [`CodeVerifier`],
    /// - plain, an arbitrary [`CodeVerifier`].
    ///
    /// It always parses back to itself with [`CodeChallenge::parse`]. An
    /// empty `u` gives the S256 challenge of the all-zero digest.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        match case(u, 2)? {
            0 => {
                let mut digest = [0u8; 32];
                u.fill_buffer(&mut digest)?;
                // The base64url of 32 octets is exactly the S256 syntax
                // (RFC 7636 §4.2), and `from_random_bytes` encodes it.
                let encoded = CodeVerifier::from_random_bytes(&digest);
                CodeChallenge::parse(encoded.secret(), ChallengeMethod::S256)
                    .map_err(|_| ArbitraryError::IncorrectFormat)
            }
            1 => Ok(CodeVerifier::arbitrary(u)?.challenge()),
            _ => Ok(CodeVerifier::arbitrary(u)?.challenge_with(ChallengeMethod::Plain)),
        }
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        let digest = (32, Some(32));
        let verifier = <CodeVerifier as Arbitrary<'a>>::size_hint(depth);
        size_hint::and(ONE_BYTE, size_hint::or(digest, verifier))
    }
}
