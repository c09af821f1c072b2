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
/// Every non-empty secret counts, however short; the longest go first, so
/// that a secret inside another is not left half-shown.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut sorted: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_owned();
    for secret in sorted {
        out = out.replace(secret, "[redacted]");
    }
    out
}

/// `text` safe for a terminal: every control character (ESC, CR, BEL, ...)
/// written as a `\u{..}` escape, so that server text cannot move the
/// cursor, clear the screen or set the window title. `\n` is kept only if
/// `keep_newlines` (the tool's own multi-line output).
pub(crate) fn printable(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && !(keep_newlines && c == '\n') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
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
        // Short secrets too (a 1-character verifier, a 4-character secret).
        assert_eq!(
            redact("secret abcd, v=Q", &["abcd", "Q", ""]),
            "secret [redacted], v=[redacted]"
        );
        assert_eq!(redact("xyzw", &["xy", "xyzw"]), "[redacted]");
    }

    #[test]
    fn printable_escapes_control_characters() {
        let hostile = "ok\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nnext";
        assert_eq!(
            printable(hostile, false),
            "ok\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{d}\\u{a}next"
        );
        assert_eq!(printable("a\nb\u{9b}", true), "a\nb\\u{9b}");
    }
}
