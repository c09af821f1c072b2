//! The request as received: a raw query string or form body, decoded just
//! for the PKCE parameters, without allocating.
//!
//! The decoding is `application/x-www-form-urlencoded` parsing (WHATWG URL
//! Standard §5.1): pairs split on `&`, name and value on the first `=`, `+`
//! is a space, `%XX` an octet, and a `%` not followed by two hex digits
//! stays as it is. Names are decoded too, so `code%5Fchallenge` is
//! `code_challenge` and counts as a repeat of it.

use zeroize::Zeroize;

use super::params::sealed;
use super::{AuthorizeError, ClientType, Param, Policy, TokenError};
use crate::CodeChallenge;
// A valid PKCE value is at most MAX_LEN (128) characters (RFC 7636 §4.1,
// §4.2) and never needs escaping, as is every method name.
use crate::alphabet::{MAX_LEN, hex_value};

impl Policy {
    /// [`authorize_params`](Self::authorize_params) over the authorization
    /// request's query string as received, the part after `?` (a leading
    /// `?` is skipped): axum's `RawQuery`, `Uri::query()`, ...
    ///
    /// This is the entry point that cannot be held wrong: no map stands
    /// between the request and the policy, so a repeated parameter is
    /// always seen. Only `code_challenge` and `code_challenge_method` are
    /// decoded (names included: `code%5Fchallenge` is `code_challenge`),
    /// into a 128-octet stack buffer; nothing is allocated. A value that
    /// decodes to more than 128 octets, or to text that is not UTF-8, can
    /// be no valid value: it is judged in its encoded form, which fails the
    /// same syntax check.
    ///
    /// ```
    /// use proofkey::{AuthorizeError, ClientType, Policy};
    ///
    /// let p = Policy::production();
    /// let query = "response_type=code&client_id=app&state=xyz\
    ///     &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
    ///     &code_challenge_method=S256";
    /// let bound = p.authorize_query(ClientType::Public, query)?;
    /// assert_eq!(bound.map(|c| c.method().as_str()), Some("S256"));
    ///
    /// // The same parameter twice, the second one encoded: refused.
    /// let twice = format!("{query}&code%5Fchallenge_method=plain");
    /// let err = p.authorize_query(ClientType::Public, &twice).unwrap_err();
    /// assert_eq!(err, AuthorizeError::RepeatedMethod);
    /// # Ok::<(), AuthorizeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`authorize_params`](Self::authorize_params).
    pub fn authorize_query(
        &self,
        client: ClientType,
        query: &str,
    ) -> Result<Option<CodeChallenge>, AuthorizeError> {
        let names = &["code_challenge", "code_challenge_method"];
        self.authorize_params(client, pairs(query, names))
    }

    /// [`token_params`](Self::token_params) over the token request's
    /// `application/x-www-form-urlencoded` body as received.
    ///
    /// Only `code_verifier` is decoded (its name included), into a
    /// 128-octet stack buffer that is zeroized when done; nothing is
    /// allocated. The body itself is the caller's: this does not wipe it.
    /// A value that decodes to more than 128 octets, or to text that is not
    /// UTF-8, is judged in its encoded form, which fails the syntax check.
    ///
    /// ```
    /// use proofkey::{ClientType, CodeChallenge, ChallengeMethod, Policy, TokenError};
    ///
    /// let bound = CodeChallenge::parse(
    ///     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    ///     ChallengeMethod::S256,
    /// )?;
    /// let body = "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA\
    ///     &client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb\
    ///     &code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /// let p = Policy::production();
    /// assert_eq!(p.token_form(ClientType::Public, Some(&bound), body), Ok(()));
    ///
    /// let twice = format!("{body}&code_verifier=x");
    /// let err = p.token_form(ClientType::Public, Some(&bound), &twice);
    /// assert_eq!(err, Err(TokenError::RepeatedVerifier));
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`token_params`](Self::token_params).
    pub fn token_form(
        &self,
        client: ClientType,
        bound: Option<&CodeChallenge>,
        body: &str,
    ) -> Result<(), TokenError> {
        self.token_params(client, bound, pairs(body, &["code_verifier"]))
    }
}

/// The pairs of `raw` whose decoded name is one of `names`, in order.
pub(super) fn pairs<'a>(raw: &'a str, names: &'static [&'static str]) -> RawPairs<'a> {
    // `RawQuery` and `Uri::query` give the query without its `?`; one
    // passed with it must not hide its first parameter.
    let rest = raw.strip_prefix('?').unwrap_or(raw);
    RawPairs { rest, names }
}

/// Iterator over the wanted pairs of a raw query or form body.
pub(super) struct RawPairs<'a> {
    rest: &'a str,
    names: &'static [&'static str],
}

impl<'a> Iterator for RawPairs<'a> {
    type Item = RawParam<'a>;

    fn next(&mut self) -> Option<RawParam<'a>> {
        while !self.rest.is_empty() {
            let (pair, rest) = self.rest.split_once('&').unwrap_or((self.rest, ""));
            self.rest = rest;
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if let Some(&wanted) = self.names.iter().find(|n| decodes_to(name, n)) {
                return Some(RawParam {
                    name: wanted,
                    value: Value::decode(value),
                });
            }
        }
        None
    }
}

/// One wanted pair: its name and its decoded value.
pub(super) struct RawParam<'a> {
    name: &'static str,
    value: Value<'a>,
}

impl sealed::Sealed for RawParam<'_> {}

impl Param for RawParam<'_> {
    fn name(&self) -> &str {
        self.name
    }

    fn value(&self) -> &str {
        match &self.value {
            Value::Raw(s) => s,
            // Decoded from valid UTF-8 when built; "" is unreachable.
            Value::Decoded { buf, len } => buf
                .get(..usize::from(*len))
                .and_then(|b| core::str::from_utf8(b).ok())
                .unwrap_or(""),
        }
    }
}

/// A value as it stands in the request, or decoded into a stack buffer.
enum Value<'a> {
    Raw(&'a str),
    Decoded { buf: [u8; MAX_LEN], len: u8 },
}

impl<'a> Value<'a> {
    fn decode(raw: &'a str) -> Self {
        if !raw.bytes().any(|b| b == b'%' || b == b'+') {
            return Value::Raw(raw);
        }
        let mut buf = [0u8; MAX_LEN];
        let mut decoded = Decoded::new(raw);
        let mut len = 0usize;
        for (slot, byte) in buf.iter_mut().zip(&mut decoded) {
            *slot = byte;
            len = len.saturating_add(1);
        }
        // Longer than any valid value: judged in its encoded form, whose
        // `%` or `+` is outside the alphabet (refused alike).
        if decoded.next().is_some() {
            buf.zeroize();
            return Value::Raw(raw);
        }
        match (buf.get(..len).map(core::str::from_utf8), u8::try_from(len)) {
            (Some(Ok(_)), Ok(len)) => Value::Decoded { buf, len },
            // Not UTF-8: no valid value either; the encoded form is refused.
            _ => {
                buf.zeroize();
                Value::Raw(raw)
            }
        }
    }
}

impl Drop for Value<'_> {
    fn drop(&mut self) {
        // The buffer may hold a code_verifier (the token endpoint).
        if let Value::Decoded { buf, .. } = self {
            buf.zeroize();
        }
    }
}

/// Whether `encoded` decodes to exactly `name`.
fn decodes_to(encoded: &str, name: &str) -> bool {
    // A decoded octet comes from 1 to 3 encoded ones: a cheap filter first.
    if encoded.len() < name.len() || encoded.len() > name.len().saturating_mul(3) {
        return false;
    }
    Decoded::new(encoded).eq(name.bytes())
}

/// The octets `application/x-www-form-urlencoded` decoding gives.
struct Decoded<'a> {
    bytes: &'a [u8],
}

impl<'a> Decoded<'a> {
    fn new(encoded: &'a str) -> Self {
        Self {
            bytes: encoded.as_bytes(),
        }
    }
}

impl Iterator for Decoded<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        match first {
            b'+' => Some(b' '),
            b'%' => {
                let escaped = match rest {
                    [hi, lo, ..] => hex_value(*hi).zip(hex_value(*lo)),
                    _ => None,
                };
                match (escaped, rest.get(2..)) {
                    (Some((hi, lo)), Some(after)) => {
                        self.bytes = after;
                        Some(hi << 4 | lo)
                    }
                    // WHATWG: a `%` not followed by two hex digits is kept.
                    _ => Some(b'%'),
                }
            }
            other => Some(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(raw: &str) -> ([u8; 64], usize) {
        let mut out = [0u8; 64];
        let mut n = 0;
        for b in Decoded::new(raw) {
            out[n] = b;
            n += 1;
        }
        (out, n)
    }

    #[test]
    fn decodes_as_whatwg_does() {
        for (raw, want) in [
            ("a+b", &b"a b"[..]),
            ("%41%62", b"Ab"),
            ("%4", b"%4"),
            ("%zz", b"%zz"),
            ("100%", b"100%"),
            ("%%41", b"%A"),
            ("%7e%7E", b"~~"),
        ] {
            let (out, n) = decoded(raw);
            assert_eq!(&out[..n], want, "{raw}");
        }
    }

    #[test]
    fn names_are_decoded() {
        assert!(decodes_to("code%5Fchallenge", "code_challenge"));
        assert!(decodes_to("%63ode_verifier", "code_verifier"));
        assert!(!decodes_to("code_challenge_method", "code_challenge"));
        assert!(!decodes_to("code+challenge", "code_challenge"));
        // Every octet escaped: three times the name's length, the longest
        // encoding the length filter lets through.
        let escaped: &str = "%63%6F%64%65%5F%63%68%61%6C%6C%65%6E%67%65";
        assert!(decodes_to(escaped, "code_challenge"));
        assert!(!decodes_to(&escaped[..escaped.len() - 1], "code_challenge"));
    }
}
