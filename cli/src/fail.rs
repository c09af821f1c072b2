//! A failure that ends a command: one `error: ...` line and an exit code.

use std::fmt;

/// Exit code of a flow that the server or the redirect refused (`login`),
/// or of a rule the server does not enforce (`probe`).
pub(crate) const REFUSED: u8 = 1;
/// Exit code of usage, network and discovery errors, as clap uses for usage.
pub(crate) const BAD_INPUT: u8 = 2;

/// Why a command stopped. The message is shown as it is: it never holds a
/// secret (client secret, verifier, code or token).
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    /// Bad arguments, or a server the command cannot work with.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: BAD_INPUT,
            message: message.into(),
        }
    }

    /// The network, or a server answer that cannot be read.
    pub(crate) fn network(message: impl Into<String>) -> Self {
        Self::usage(message)
    }

    /// The flow was refused or failed a check (`login` exit 1).
    pub(crate) fn refused(message: impl Into<String>) -> Self {
        Self {
            code: REFUSED,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// `text` (from a server) with every occurrence of `secrets` replaced by
/// `[redacted]`: an error description may echo a code or a verifier.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        out = out.replace(secret, "[redacted]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_removes_every_secret() {
        let text = "code abcdefgh12 does not match verifier zyxwvuts99; abcdefgh12";
        assert_eq!(
            redact(text, &["abcdefgh12", "zyxwvuts99", "x"]),
            "code [redacted] does not match verifier [redacted]; [redacted]"
        );
    }
}
