//! `pkce`: a small command line tool for debugging OAuth PKCE flows by hand.
//!
//! ```text
//! cargo install --path cli          # or: cargo run -p proofkey-cli -- ...
//! pkce generate [--len N] [--json]
//! pkce challenge <VERIFIER | -> [--method S256|plain]
//! pkce verify [--method S256|plain] <CHALLENGE> <VERIFIER | ->
//! pkce login ISSUER --client-id ID [--client-secret S] [--scope S] [--no-browser]
//! pkce login --resource URL [--client-id ID | --register] [--no-browser]
//! pkce probe ISSUER [--public-client ID] [--confidential-client ID --client-secret S] [--auto] [--json]
//!            [--only RULE...] [--skip RULE...] [--fail-on critical|high|low] (see `pkce probe --help`)
//! pkce probe --profile mcp RESOURCE_URL [--public-client ID | --register] [--lenient] [--auto] [--json]
//! ```
//!
//! Exit codes: 0 success (for `verify`: the verifier matches; for `probe`:
//! nothing failed at or above `--fail-on` and nothing inconclusive), 1
//! `verify` found no match (malformed challenge, malformed verifier or
//! mismatch; stderr then has one `hint: ...` line naming the likely client
//! mistake, from `proofkey::diagnose`), `login`'s flow was refused or
//! failed a check, or `probe` found a rule not enforced, 2 bad input,
//! usage, network or discovery errors (one `error: ...` message on
//! stderr), 3 `probe` found no failure but a rule it could not judge.
//!
//! `generate` prints a secret on purpose, and `login` prints the tokens:
//! this tool is for test flows, not for production credentials. `probe`
//! prints no secret: no client secret, verifier, code or token.

mod authz;
mod discovery;
mod fail;
mod http;
mod login;
mod loopback;
mod probe;
mod register;
mod resource;
mod secret_input;
mod token;

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
    ///
    /// Give `-` as the verifier to read it from standard input (one line),
    /// which keeps it out of the shell history.
    Challenge {
        /// The code_verifier (43 to 128 characters of [A-Za-z0-9-._~]), or `-` for standard input.
        #[arg(allow_hyphen_values = true)]
        verifier: String,
        /// The code_challenge_method: S256 or plain (case-sensitive).
        #[arg(long, default_value = "S256")]
        method: ChallengeMethod,
    },
    /// Check a code_challenge (first) against a code_verifier (second): exit 0 on a match, 1 otherwise.
    ///
    /// On no match, stderr gets a `hint:` line naming the likely client
    /// mistake (a hex digest, padding, standard base64, a trailing newline, ...).
    /// Arguments given the other way round (the verifier first) are
    /// recognised and refused as bad input (exit 2). Give `-` as the
    /// verifier to read it from standard input (one line).
    Verify {
        /// The code_challenge_method the challenge was sent with: S256 or plain.
        #[arg(long, default_value = "S256")]
        method: ChallengeMethod,
        /// The code_challenge from the authorization request.
        #[arg(allow_hyphen_values = true)]
        challenge: String,
        /// The code_verifier from the token request, or `-` for standard input.
        #[arg(allow_hyphen_values = true)]
        verifier: String,
    },
    /// Run one authorization code flow with PKCE and print the token response.
    ///
    /// Discovers the server (RFC 8414, then OpenID Connect Discovery),
    /// refuses one that does not list S256, listens for the redirect on
    /// 127.0.0.1 with a port the OS chooses (RFC 8252 §7.3), opens the
    /// browser, checks state and iss, redeems the code, and prints the token
    /// response as JSON on one line. Exit 1 if the flow is refused or fails a
    /// check, 2 on usage, network or discovery errors.
    ///
    /// With --resource URL (an MCP server, say), the authorization server
    /// is found from the resource (RFC 9728: the 401's WWW-Authenticate
    /// resource_metadata, else the well-known URL), the server must list
    /// code_challenge_methods_supported with S256 (the MCP rule), and
    /// `resource` (RFC 8707) goes in both requests.
    #[command(group(clap::ArgGroup::new("target").required(true).multiple(true)
        .args(["issuer", "resource"])))]
    Login {
        /// The issuer URL (https, or http on 127.0.0.1 / localhost); with
        /// --resource, which of the resource's authorization servers to use.
        issuer: Option<String>,
        /// The protected resource to get a token for (https, or http on loopback).
        #[arg(long, value_name = "URL")]
        resource: Option<String>,
        /// The client_id registered at the server.
        #[arg(long, value_name = "ID", required_unless_present = "register")]
        client_id: Option<String>,
        /// Register a public client first (RFC 7591 dynamic registration).
        #[arg(long, conflicts_with_all = ["client_id", "client_secret"])]
        register: bool,
        /// The client secret of a confidential client (client_secret_basic,
        /// or client_secret_post if the server lists only that).
        #[arg(long, value_name = "S")]
        client_secret: Option<String>,
        /// The scope to request.
        #[arg(long, value_name = "SCOPE")]
        scope: Option<String>,
        /// A fixed loopback redirect URI (default http://127.0.0.1:<free port>/callback).
        #[arg(long, value_name = "URI")]
        redirect_uri: Option<String>,
        /// Print the authorization URL on stderr instead of opening the browser.
        #[arg(long)]
        no_browser: bool,
        /// Seconds to wait for the redirect.
        #[arg(long, value_name = "SECS", default_value_t = 300)]
        timeout: u64,
    },
    Probe(probe::ProbeArgs),
}

/// Exit code for a `verify` that found no match.
const NO_MATCH: u8 = fail::REFUSED;
/// Exit code for bad input, as clap uses for usage errors.
const BAD_INPUT: u8 = fail::BAD_INPUT;

fn main() -> ExitCode {
    // Usage errors: clap prints its message (starting with "error:") and
    // exits 2; --help and --version exit 0.
    let cli = Cli::parse();
    match cli.command {
        Command::Generate { len, json } => generate(len, json),
        Command::Challenge { verifier, method } => match secret_input::read(verifier) {
            Ok(verifier) => challenge(&verifier, method),
            Err(e) => fail(&e),
        },
        Command::Verify {
            method,
            challenge,
            verifier,
        } => match secret_input::read(verifier) {
            Ok(verifier) => verify(method, &challenge, &verifier),
            Err(e) => fail(&e),
        },
        Command::Login {
            issuer,
            resource,
            client_id,
            register,
            client_secret,
            scope,
            redirect_uri,
            no_browser,
            timeout,
        } => login(&login::LoginArgs {
            issuer,
            resource,
            client_id,
            register,
            client_secret,
            scope,
            redirect_uri,
            no_browser,
            timeout,
        }),
        Command::Probe(args) => probe(&args),
    }
}

fn login(args: &login::LoginArgs) -> ExitCode {
    match login::run(args) {
        Ok(tokens) => print_line(&fail::printable(&tokens, false)),
        Err(failure) => {
            error_line(&failure);
            ExitCode::from(failure.code)
        }
    }
}

fn probe(args: &probe::ProbeArgs) -> ExitCode {
    let result = match args.profile {
        Some(probe::Profile::Mcp) => probe::mcp::run(args).map(|report| {
            (
                report.text(args.json, args.lenient),
                report.exit_code(args.fail_on, args.lenient),
            )
        }),
        None => probe::run(args).map(|report| {
            let text = if args.json {
                report.json()
            } else {
                report.table()
            };
            (text, report.exit_code(args.fail_on))
        }),
    };
    match result {
        Ok((text, code)) => {
            let printed = print_line(text.trim_end());
            if printed == ExitCode::SUCCESS {
                ExitCode::from(code)
            } else {
                printed
            }
        }
        Err(failure) => {
            error_line(&failure);
            // Whatever stopped the probe, no rule was judged: usage.
            ExitCode::from(BAD_INPUT)
        }
    }
}

fn generate(len: Option<usize>, json: bool) -> ExitCode {
    let mut rng = getrandom::SysRng;
    let verifier = match len {
        None => CodeVerifier::from_rng(&mut rng),
        Some(n) => CodeVerifier::from_rng_with_len(&mut rng, n),
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
    // The two values the other way round match: the arguments were swapped,
    // a usage error rather than a client's mistake. With plain both orders
    // match, so this only ever fires on a pair that failed as given.
    if result.is_err()
        && CodeChallenge::parse(verifier, method).is_ok_and(|c| c.verify(challenge).is_ok())
    {
        let _ = writeln!(
            io::stderr().lock(),
            "error: the arguments are swapped: `pkce verify` takes the CHALLENGE first, then the \
             VERIFIER (these two match the other way round)"
        );
        return ExitCode::from(BAD_INPUT);
    }
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

/// `error: <failure>` on stderr, on one line whatever the server sent.
fn error_line(failure: &fail::Failure) {
    let text = fail::printable(&failure.to_string(), false);
    let _ = writeln!(io::stderr().lock(), "error: {text}");
}

fn print_line(line: &str) -> ExitCode {
    // Server text may be in it (a table, a token response): no control
    // character reaches the terminal.
    let line = fail::printable(line, true);
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
