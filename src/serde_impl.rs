//! `Serialize`/`Deserialize` for [`ChallengeMethod`] and [`CodeChallenge`]
//! (feature `serde`), without allocating.
//!
//! [`CodeVerifier`](crate::CodeVerifier) deliberately has no impls: a secret
//! is never serialized by accident (with a `#[derive(Serialize)]` on a struct
//! that holds one, say). A client writes it out explicitly with
//! [`secret`](crate::CodeVerifier::secret) and reads it back with
//! [`CodeVerifier::parse`](crate::CodeVerifier::parse).
//!
//! Errors are built from [`Error`]'s `Display` (lengths, positions, fixed
//! text) or serde's own field and type messages, and not from a value, which
//! for plain is the verifier itself. One case needs care: where a record is
//! expected and the input is a bare string, a format may write that string
//! into its own "invalid type" error before this crate's visitor runs
//! (serde_json does, for `"..."` where `{...}` was expected). Such an error
//! is replaced by a fixed one; see [`CodeChallenge`]'s `Deserialize`.

use core::cell::Cell;
use core::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::alphabet::MAX_LEN;
use crate::challenge::CodeChallenge;
use crate::error::Error;
use crate::method::ChallengeMethod;
use crate::secret_text::SecretText;

const STRUCT: &str = "CodeChallenge";
const VALUE: &str = "code_challenge";
const METHOD: &str = "code_challenge_method";
const FIELDS: &[&str] = &[VALUE, METHOD];

/// Serializes the registered name, `"S256"` or `"plain"`, as a string.
///
/// ```
/// use proofkey::ChallengeMethod;
///
/// assert_eq!(serde_json::to_string(&ChallengeMethod::S256)?, r#""S256""#);
/// assert_eq!(serde_json::to_string(&ChallengeMethod::Plain)?, r#""plain""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
impl Serialize for ChallengeMethod {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Deserializes a string through [`ChallengeMethod::parse`]: exactly
/// `"S256"` or `"plain"`, case-sensitive. Anything else is an error, never a
/// fallback to plain.
///
/// ```
/// use proofkey::ChallengeMethod;
///
/// let m: ChallengeMethod = serde_json::from_str(r#""S256""#)?;
/// assert_eq!(m, ChallengeMethod::S256);
/// assert!(serde_json::from_str::<ChallengeMethod>(r#""s256""#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<'de> Deserialize<'de> for ChallengeMethod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(MethodVisitor)
    }
}

struct MethodVisitor;

impl Visitor<'_> for MethodVisitor {
    type Value = ChallengeMethod;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a code_challenge_method, "S256" or "plain""#)
    }

    // Borrowed and transient strings (JSON with escapes, say) both end here.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        ChallengeMethod::parse(v).map_err(E::custom)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        let name = core::str::from_utf8(v).map_err(|_| E::custom(Error::UnsupportedMethod))?;
        self.visit_str(name)
    }
}

/// Serializes as a struct of two fields, the names of the authorization
/// request's parameters, so a server can store it next to the code:
///
/// ```json
/// {
///   "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
///   "code_challenge_method": "S256"
/// }
/// ```
///
/// For plain, `code_challenge` is the verifier itself: store the record as
/// carefully as a password reset token, and do not log it.
///
/// ```
/// use proofkey::{ChallengeMethod, CodeChallenge};
///
/// let value = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// let c = CodeChallenge::parse(value, ChallengeMethod::S256)?;
/// let json = format!(r#"{{"code_challenge":"{value}","code_challenge_method":"S256"}}"#);
/// assert_eq!(serde_json::to_string(&c)?, json);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # The verifier is not `Serialize`
///
/// [`CodeVerifier`](crate::CodeVerifier) has no serde impls, so a struct
/// holding one cannot derive `Serialize` and a secret cannot end up in a
/// log line, a cookie or a cache by accident:
///
/// ```compile_fail,E0277
/// fn store<T: serde::Serialize>(_: &T) {}
/// let v = proofkey::CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
/// store(&v.challenge()); // fine
/// store(&v); // error: `CodeVerifier: Serialize` is not satisfied
/// # Ok::<(), proofkey::Error>(())
/// ```
///
/// # Keeping the verifier across a redirect (clients)
///
/// A client that must keep the verifier between the authorization redirect
/// and the callback (in a server-side session, an encrypted cookie, ...)
/// does so explicitly: it writes [`secret`](crate::CodeVerifier::secret)
/// into its own record and, in the callback, reads it back through
/// [`CodeVerifier::parse`](crate::CodeVerifier::parse), which validates it
/// again. Keep it server-side or encrypted, bound to the `state` of that one
/// request, and delete it once the token request is sent.
///
/// ```
/// use proofkey::CodeVerifier;
///
/// # #[cfg(not(feature = "getrandom"))] fn main() {}
/// # #[cfg(feature = "getrandom")]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // Before redirecting the user:
/// let verifier = CodeVerifier::random()?; // feature "getrandom"
/// let record = serde_json::json!({
///     "state": "af0ifjsldkj",
///     "code_verifier": verifier.secret(),
/// });
/// let stored = record.to_string(); // into the session store
///
/// // In the callback, after checking `state`:
/// let record: serde_json::Value = serde_json::from_str(&stored)?;
/// let secret = record["code_verifier"].as_str().ok_or("no code_verifier in the session")?;
/// let restored = CodeVerifier::parse(secret)?;
/// assert_eq!(restored.challenge(), verifier.challenge());
/// // send restored.secret() as code_verifier in the token request
/// # Ok(())
/// # }
/// ```
impl Serialize for CodeChallenge {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct(STRUCT, 2)?;
        s.serialize_field(VALUE, self.as_str())?;
        s.serialize_field(METHOD, &self.method())?;
        s.end()
    }
}

/// Deserializes a stored record and validates it with
/// [`CodeChallenge::parse`], as if it came from an authorization request.
///
/// - Both fields are required: a record without `code_challenge_method` is
///   an error, not plain (RFC 7636 §4.3's default applies to requests, and
///   [`Policy::authorize`](crate::Policy::authorize) has already applied it
///   before anything was stored).
/// - The method must be exactly `"S256"` or `"plain"`, and the value valid
///   for it: a padded, hex or otherwise non-canonical S256 value is an error.
/// - Unknown fields and repeated fields are errors. To keep other data in
///   the same record, put the challenge in a field of your own struct, or use
///   `#[serde(flatten)]`.
/// - Formats that write structs as sequences (postcard, bincode) are
///   supported: `[code_challenge, code_challenge_method]`, in that order.
///
/// Strings are copied into a fixed buffer, zeroized on drop, so nothing is
/// allocated and both borrowed and owned (unescaped) input work.
///
/// # A value where a record was expected
///
/// A bare string in place of the record (`"dBjftJeZ..."`, a column read
/// into the wrong field) may be the verifier. Formats such as serde_json
/// reject it *before* this impl's visitor sees it, with an error that
/// quotes the string. So the visitor rejects a string with a fixed error,
/// and when the format fails without ever handing the visitor a map, a
/// sequence or a string, its error is dropped and replaced by that same
/// fixed one: `invalid type: a value other than a record (not shown),
/// expected a code_challenge record ...`. Errors inside a record keep their
/// message. The cost: a syntax error right at the record's start loses the
/// format's own message. The dropped error was allocated by the format,
/// which this crate cannot zeroize.
///
/// ```
/// use proofkey::{ChallengeMethod, CodeChallenge};
///
/// let stored = r#"{"code_challenge":"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
///                  "code_challenge_method":"S256"}"#;
/// let c: CodeChallenge = serde_json::from_str(stored)?;
/// assert_eq!(c.method(), ChallengeMethod::S256);
/// assert!(c.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").is_ok());
///
/// let no_method = r#"{"code_challenge":"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}"#;
/// assert!(serde_json::from_str::<CodeChallenge>(no_method).is_err());
///
/// let bare = r#""dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk""#;
/// let err = serde_json::from_str::<CodeChallenge>(bare).unwrap_err().to_string();
/// assert!(!err.contains("dBjft"), "{err}");
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<'de> Deserialize<'de> for CodeChallenge {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_struct`, not `deserialize_any`: under
        // `#[serde(flatten)]` only the struct form hands over just our fields.
        let visited = Cell::new(false);
        let visitor = ChallengeVisitor { visited: &visited };
        deserializer
            .deserialize_struct(STRUCT, FIELDS, visitor)
            .map_err(|format_error| {
                if visited.get() {
                    format_error
                } else {
                    // The format rejected the input on its own and may have
                    // quoted it (a bare string: for plain, the verifier).
                    de::Error::invalid_type(NOT_SHOWN, &ChallengeVisitor { visited: &visited })
                }
            })
    }
}

/// What a rejected non-record is called, in place of its value.
const NOT_SHOWN: Unexpected<'static> = Unexpected::Other("a value other than a record (not shown)");

struct ChallengeVisitor<'a> {
    /// Set once the format hands this visitor a map, a sequence or a
    /// string: from then on errors are this module's or serde's field and
    /// type messages, which never quote a value.
    visited: &'a Cell<bool>,
}

impl<'de> Visitor<'de> for ChallengeVisitor<'_> {
    type Value = CodeChallenge;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a code_challenge record with code_challenge and code_challenge_method")
    }

    // serde's default would quote the string: for plain, the verifier.
    // Borrowed and owned strings forward here by default.
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        self.visited.set(true);
        Err(E::invalid_type(NOT_SHOWN, &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        self.visited.set(true);
        let mut value: Option<ValueBuf> = None;
        let mut method: Option<ChallengeMethod> = None;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Value if value.is_some() => return Err(de::Error::duplicate_field(VALUE)),
                Field::Method if method.is_some() => {
                    return Err(de::Error::duplicate_field(METHOD));
                }
                Field::Value => value = Some(map.next_value()?),
                Field::Method => method = Some(map.next_value()?),
            }
        }
        let value = value.ok_or_else(|| de::Error::missing_field(VALUE))?;
        let method = method.ok_or_else(|| de::Error::missing_field(METHOD))?;
        value.parse(method).map_err(de::Error::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        self.visited.set(true);
        let value: ValueBuf = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let method: ChallengeMethod = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        value.parse(method).map_err(de::Error::custom)
    }
}

/// A field name of the stored record.
enum Field {
    Value,
    Method,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

struct FieldVisitor;

impl Visitor<'_> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`code_challenge` or `code_challenge_method`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
        match v {
            VALUE => Ok(Field::Value),
            METHOD => Ok(Field::Method),
            // A field name is not a secret: serde's message names it.
            _ => Err(E::unknown_field(v, FIELDS)),
        }
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Field, E> {
        match core::str::from_utf8(v) {
            Ok(name) => self.visit_str(name),
            Err(_) => Err(E::invalid_value(Unexpected::Bytes(v), &self)),
        }
    }

    // Formats that identify fields by index.
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Field, E> {
        match v {
            0 => Ok(Field::Value),
            1 => Ok(Field::Method),
            _ => Err(E::invalid_value(
                Unexpected::Unsigned(v),
                &"field index 0 or 1",
            )),
        }
    }
}

/// A `code_challenge` string copied out of the deserializer, before its
/// method is known (fields may come in either order).
struct ValueBuf {
    // The string, when it fits.
    text: Option<SecretText<MAX_LEN>>,
    // The input's length in bytes, also when it did not fit.
    len: usize,
}

impl ValueBuf {
    /// [`CodeChallenge::parse`] on the stored string. A string too long for
    /// the buffer is too long for either method, and gets the error `parse`
    /// would give it.
    fn parse(&self, method: ChallengeMethod) -> Result<CodeChallenge, Error> {
        match &self.text {
            Some(text) => CodeChallenge::parse(text.as_str(), method),
            None => Err(Error::ChallengeLength {
                method,
                len: self.len,
            }),
        }
    }
}

impl<'de> Deserialize<'de> for ValueBuf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ValueVisitor)
    }
}

struct ValueVisitor;

impl Visitor<'_> for ValueVisitor {
    type Value = ValueBuf;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a code_challenge string")
    }

    // Borrowed and transient strings both end here. The default
    // `visit_bytes` rejects bytes without printing them.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<ValueBuf, E> {
        // A plain value is a verifier: `SecretText` zeroizes it on drop.
        Ok(ValueBuf {
            text: SecretText::copy_of(v),
            len: v.len(),
        })
    }
}
