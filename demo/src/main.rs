//! `cargo run -p demo -- [PORT] [--weaken RULE]`: the demo authorization
//! server on `127.0.0.1` (port 8080, or `PORT` from the argument or the
//! environment; 0 lets the OS choose). The first line on stdout is always
//! `listening on http://127.0.0.1:PORT`, with the bound port.
//! `DEMO_POLICY=production|development|oauth21|fapi2` picks the PKCE policy.

use std::process::ExitCode;

use demo::Weakness;
use proofkey::Policy;

const USAGE: &str = "\
usage: cargo run -p demo -- [PORT] [--weaken RULE]

  PORT            port on 127.0.0.1 (default 8080, or $PORT; 0 = chosen by the OS).
                  The first line on stdout is `listening on http://127.0.0.1:PORT`.
  --weaken RULE   start a DELIBERATELY BROKEN server, for testing PKCE probes
                  only; it prints a warning on stderr. RULE is one of:
                    downgrade          accept a code_verifier for a code issued
                                       without code_challenge (RFC 9700 §4.8.2)
                    missing-verifier   redeem a code bound to a challenge
                                       without code_verifier (CVE-2023-48228)
                    plain              accept code_challenge_method=plain
                    missing-challenge  issue codes to the public client without
                                       code_challenge, redeemed without verifier
                    replay             a code can be redeemed again after success
                    no-methods-metadata
                                       omit code_challenge_methods_supported
                                       from the metadata (PKCE still enforced)
  -h, --help      this text

environment: DEMO_POLICY=production (default) | development | oauth21 | fapi2
";

/// `println!` that ignores a closed stdout: a probe that reads the first
/// line and closes the pipe must not kill the server (`println!` panics on
/// `EPIPE`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn parse_policy(name: &str) -> Option<Policy> {
    match name {
        "production" => Some(Policy::production()),
        "development" => Some(Policy::development()),
        "oauth21" => Some(Policy::oauth21()),
        "fapi2" => Some(Policy::fapi2()),
        _ => None,
    }
}

/// What the command line asks for.
struct Args {
    port: Option<String>,
    weakness: Option<Weakness>,
    help: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        port: None,
        weakness: None,
        help: false,
    };
    while let Some(arg) = args.next() {
        let rule = match arg.as_str() {
            "-h" | "--help" => {
                parsed.help = true;
                continue;
            }
            "--weaken" => args
                .next()
                .ok_or_else(|| "--weaken needs a RULE".to_owned())?,
            _ => match arg.strip_prefix("--weaken=") {
                Some(rule) => rule.to_owned(),
                None if arg.starts_with('-') => return Err(format!("unknown option {arg:?}")),
                None if parsed.port.is_some() => {
                    return Err(format!("unexpected argument {arg:?}"));
                }
                None => {
                    parsed.port = Some(arg);
                    continue;
                }
            },
        };
        if parsed.weakness.is_some() {
            return Err("--weaken can be given once".to_owned());
        }
        parsed.weakness = Some(
            rule.parse()
                .map_err(|e| format!("--weaken {rule:?}: {e}"))?,
        );
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    if args.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let port = args.port.or_else(|| std::env::var("PORT").ok());
    let port: u16 = match port.as_deref().map(str::parse).unwrap_or(Ok(8080)) {
        Ok(port) => port,
        Err(_) => {
            eprintln!("error: PORT must be a number from 0 to 65535\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let policy_name = std::env::var("DEMO_POLICY").unwrap_or_else(|_| "production".to_owned());
    let Some(policy) = parse_policy(&policy_name) else {
        eprintln!(
            "DEMO_POLICY must be production, development, oauth21 or fapi2, not {policy_name:?}"
        );
        return ExitCode::FAILURE;
    };
    if let Some(weakness) = args.weakness {
        eprintln!("{}", weakness.warning());
    }

    // Loopback only: this demo has no TLS and approves every request.
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "cannot listen on 127.0.0.1:{port}: {e} (pass another port: cargo run -p demo -- 8081)"
            );
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map_or(port, |a| a.port());
    let issuer = format!("http://127.0.0.1:{port}");
    // The first line, always: tests and probes read the port from it.
    say!("listening on {issuer}  (loopback only; Ctrl-C to stop)");
    say!(
        "proofkey demo authorization server, policy {policy_name} (PKCE methods: {})",
        // what the metadata lists: plain too under --weaken plain
        match args.weakness {
            Some(Weakness::Plain) => policy.allow_plain(true),
            _ => policy,
        }
        .methods_supported()
        .join(", ")
    );
    if let Some(weakness) = args.weakness {
        say!("WEAKENED: --weaken {weakness}: {}", weakness.description());
    }
    say!(
        "  clients: {} (public, redirect_uri http://127.0.0.1:<any port>{})",
        demo::SPA_CLIENT_ID,
        demo::SPA_REDIRECT_PATH
    );
    say!(
        "           {} (confidential, redirect_uri {})",
        demo::BACKEND_CLIENT_ID,
        demo::BACKEND_REDIRECT_URI
    );
    say!(
        "  MCP-style resource: {issuer}/mcp (RFC 9728 metadata: {issuer}/.well-known/oauth-protected-resource/mcp)"
    );
    say!("try: curl -s {issuer}/.well-known/oauth-authorization-server");
    say!("walkthrough: demo/README.md");

    let app = demo::app_with(policy, &issuer, args.weakness);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("server error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
