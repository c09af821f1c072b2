//! Authorization codes and access tokens: 256 random bits each. The codes'
//! records live in the [`Store`](crate::Store).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// 32 random octets, base64url: 256 bits, for codes and access tokens.
pub(crate) fn random_token() -> Result<String, getrandom::Error> {
    let mut octets = [0u8; 32];
    getrandom::fill(&mut octets)?;
    Ok(URL_SAFE_NO_PAD.encode(octets))
}
