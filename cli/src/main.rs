//! `pkce`: a small command line tool for debugging OAuth PKCE flows by hand.
//!
//! ```text
//! cargo install --path cli          # or: cargo run -p proofkey-cli -- ...
//! pkce generate [--len N] [--json]
//! pkce challenge <VERIFIER> [--method S256|plain]
//! pkce verify [--method S256|plain] <CHALLENGE> <VERIFIER>
//! ```
//!
//! Exit codes: 0 success (for `verify`: the verifier matches), 1 `verify`
//! found no match (malformed challenge, malformed verifier or mismatch;
//! stderr then has one `hint: ...` line naming the likely client mistake,
//! from `proofkey::diagnose`), 2 bad input or usage (one `error: ...`
//! message on stderr).
//!
//! `generate` prints a secret on purpose: this tool is for test flows, not
//! for production credentials.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier, Error, diagnose};

/// PKCE (RFC 7636) helper for debugging OAuth flows by hand.
#[derive(Parser)]
// Without a subcommand: an `error:` line (exit 2), not the help text.
#[command(name = "pkce", version, arg_required_else_help = false)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a code_verifier and its S256 code_challenge.
    ///
    /// Without --len: 32 random octets, base64url-encoded (43 characters,
    /// as RFC 7636 §4.1 recommends). With --len N: N characters drawn
    /// uniformly from [A-Za-z0-9-._~].
    Generate {
        /// Length of the verifier, 43 to 128.
        #[arg(long, value_name = "N")]
        len: Option<usize>,
        /// Print one JSON object: code_verifier, code_challenge, code_challenge_method.
        #[arg(long)]
        json: bool,
    },
    /// Print the code_challenge of a code_verifier.
    Challenge {
        /// The code_verifier (43 to 128 characters of [A-Za-z0-9-._~]).
        #[arg(allow_hyphen_values = true)]
        verifier: String,
        /// The code_challenge_method: S256 or plain (case-sensitive).
        #[arg(long, default_value = "S256")]
        method: ChallengeMethod,
    },
    /// Check a code_verifier against a code_challenge: exit 0 on a match, 1 otherwise.
    ///
    /// On no match, stderr gets a `hint:` line naming the likely client
    /// mistake (a hex digest, padding, standard base64, a trailing newline, ...).
    Verify {
        /// The code_challenge_method the challenge was sent with: S256 or plain.
        #[arg(long, default_value = "S256")]
        method: ChallengeMethod,
        /// The code_challenge from the authorization request.
        #[arg(allow_hyphen_values = true)]
        challenge: String,
        /// The code_verifier from the token request.
        #[arg(allow_hyphen_values = true)]
        verifier: String,
    },
}

/// Exit code for a `verify` that found no match.
const NO_MATCH: u8 = 1;
/// Exit code for bad input, as clap uses for usage errors.
const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    // Usage errors: clap prints its message (starting with "error:") and
    // exits 2; --help and --version exit 0.
    let cli = Cli::parse();
    match cli.command {
        Command::Generate { len, json } => generate(len, json),
        Command::Challenge { verifier, method } => challenge(&verifier, method),
        Command::Verify {
            method,
            challenge,
            verifier,
        } => verify(method, &challenge, &verifier),
    }
}

fn generate(len: Option<usize>, json: bool) -> ExitCode {
    let mut rng = getrandom::SysRng;
    let verifier = match len {
        None => CodeVerifier::try_generate(&mut rng),
        Some(n) => CodeVerifier::try_generate_with_len(&mut rng, n),
    };
    let verifier = match verifier {
        Ok(v) => v,
        Err(e) => return fail(&e),
    };
    let challenge = verifier.challenge();
    let (v, c, m) = (verifier.secret(), challenge.as_str(), challenge.method());
    // Both values are in [A-Za-z0-9-._~] and the method is S256: nothing
    // to escape in JSON.
    let out = if json {
        format!(r#"{{"code_verifier":"{v}","code_challenge":"{c}","code_challenge_method":"{m}"}}"#)
    } else {
        format!("code_verifier: {v}\ncode_challenge: {c}\ncode_challenge_method: {m}")
    };
    print_line(&out)
}

fn challenge(verifier: &str, method: ChallengeMethod) -> ExitCode {
    match CodeVerifier::parse(verifier) {
        Ok(v) => print_line(v.challenge_with(method).as_str()),
        Err(e) => fail(&e),
    }
}

fn verify(method: ChallengeMethod, challenge: &str, verifier: &str) -> ExitCode {
    let result = CodeChallenge::parse(challenge, method).and_then(|c| c.verify(verifier));
    let line = match result {
        Ok(()) => format!("match: the code_verifier matches the {method} code_challenge"),
        Err(e) => format!("no match ({}): {e}", rule(&e)),
    };
    let code = print_line(&line);
    match result {
        Ok(()) => code,
        Err(_) => {
            // The likely client mistake, as a server would log it; fixed
            // text, never the values.
            let _ = writeln!(
                io::stderr().lock(),
                "hint: {}",
                diagnose(challenge, method, verifier)
            );
            ExitCode::from(NO_MATCH)
        }
    }
}

/// Which check of RFC 7636 §4.6 an error comes from.
fn rule(e: &Error) -> &'static str {
    match e {
        Error::ChallengeLength { .. }
        | Error::ChallengeCharset { .. }
        | Error::ChallengeNonCanonical => "malformed challenge",
        Error::VerifierLength { .. } | Error::VerifierCharset { .. } => "malformed verifier",
        Error::Mismatch => "mismatch",
        _ => "error",
    }
}

fn print_line(line: &str) -> ExitCode {
    // Not println!: it panics when stdout is closed (`pkce generate | true`).
    match writeln!(io::stdout().lock(), "{line}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Prints `error: <e>` on stderr, returns exit code 2.
fn fail(e: &dyn std::error::Error) -> ExitCode {
    // If stderr is gone too there is no one left to tell.
    let _ = writeln!(io::stderr().lock(), "error: {e}");
    ExitCode::from(BAD_INPUT)
}
