//! `code_challenge_method`: the transform from verifier to challenge.

use core::fmt;
use core::str::FromStr;

use crate::error::Error;

/// A `code_challenge_method` (RFC 7636 §4.2, registry in §6.2).
///
/// # Example
///
/// ```
/// use proofkey::ChallengeMethod;
///
/// assert_eq!(ChallengeMethod::parse("S256"), Ok(ChallengeMethod::S256));
/// assert!(ChallengeMethod::parse("s256").is_err()); // names are case-sensitive
/// assert_eq!(ChallengeMethod::Plain.as_str(), "plain");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeMethod {
    /// `S256`: `BASE64URL(SHA256(ASCII(code_verifier)))`. Use this one.
    S256,
    /// `plain`: the challenge is the verifier itself. RFC 7636 §4.2 allows it
    /// only when S256 cannot be supported; it offers no protection if the
    /// authorization request is observed.
    Plain,
}

impl ChallengeMethod {
    /// Parses a method name exactly as registered: `"S256"` or `"plain"`.
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, Error};
    ///
    /// assert_eq!(ChallengeMethod::parse("plain"), Ok(ChallengeMethod::Plain));
    /// assert_eq!(ChallengeMethod::parse("PLAIN"), Err(Error::UnsupportedMethod));
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedMethod`] for anything else, including other cases,
    /// surrounding white space and the empty string (RFC 7636 §6.2.1: method
    /// names are compared case-sensitively).
    pub const fn parse(s: &str) -> Result<Self, Error> {
        match s.as_bytes() {
            b"S256" => Ok(Self::S256),
            b"plain" => Ok(Self::Plain),
            _ => Err(Error::UnsupportedMethod),
        }
    }

    /// The registered name, as sent in `code_challenge_method`.
    ///
    /// ```
    /// assert_eq!(proofkey::ChallengeMethod::S256.as_str(), "S256");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }
}

impl fmt::Display for ChallengeMethod {
    /// Writes the registered name.
    ///
    /// ```
    /// assert_eq!(proofkey::ChallengeMethod::S256.to_string(), "S256");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChallengeMethod {
    type Err = Error;

    /// Same as [`ChallengeMethod::parse`].
    ///
    /// ```
    /// let m: proofkey::ChallengeMethod = "S256".parse().unwrap();
    /// assert_eq!(m, proofkey::ChallengeMethod::S256);
    /// ```
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for ChallengeMethod {
    type Error = Error;

    /// Same as [`ChallengeMethod::parse`].
    ///
    /// ```
    /// use proofkey::ChallengeMethod;
    /// assert_eq!(ChallengeMethod::try_from("plain"), Ok(ChallengeMethod::Plain));
    /// ```
    fn try_from(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}
