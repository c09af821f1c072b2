//! `cargo run -p demo -- [PORT] [--weaken RULE] [--store URL] [--resource URL]...`:
//! the demo authorization server on `127.0.0.1` (port 8080, or `PORT` from the argument or the
//! environment; 0 lets the OS choose). The first line on stdout is always
//! `listening on http://127.0.0.1:PORT`, with the bound port.
//! `DEMO_POLICY=production|development|oauth21|fapi2` picks the PKCE policy.
//! `--store redis://...` or `postgres://...` shares codes, quotas and
//! challenges between instances (with the same `DEMO_REUSE_KEY`).

use std::process::ExitCode;

use demo::Weakness;
use proofkey::Policy;

const USAGE: &str = "\
usage: cargo run -p demo -- [PORT] [--weaken RULE] [--store URL] [--resource URL]...

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
                    missing-method     read a challenge without a method as plain
                                       (RFC 7636 §4.3); metadata lists S256 only
                    replay-without-verifier
                                       after success, the code stays redeemable
                                       with its binding dropped: no verifier
                    failed-attempt     a wrong verifier does not consume the code
                    short-verifier     accept verifiers of 1 to 42 characters
                    concurrent-redemption
                                       check the code, yield, then remove it:
                                       simultaneous redemptions all get tokens
                    no-methods-metadata
                                       omit code_challenge_methods_supported
                                       from the metadata (PKCE still enforced)
  --store URL     where codes, per-client quotas and challenge fingerprints
                  live: memory (default, this process only), redis://HOST:PORT
                  or postgres://USER@HOST:PORT/DB (shared by every instance
                  started with the same URL and DEMO_REUSE_KEY)
  --resource URL  issue codes only for this resource (RFC 8707; repeat for
                  more), invalid_target for any other; default: any absolute
                  URI. `--resource none` serves no resource at all
  -h, --help      this text

environment: DEMO_POLICY=production (default) | development | oauth21 | fapi2
             DEMO_REUSE_KEY=<64 hex digits>: the challenge fingerprint key,
               the same secret on every instance; required with a shared --store
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
    store: Option<String>,
    /// `--resource`: the resources served, `None` for any.
    resources: Option<Vec<String>>,
    help: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        port: None,
        weakness: None,
        store: None,
        resources: None,
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
            "--store" => {
                let url = args
                    .next()
                    .ok_or_else(|| "--store needs a URL".to_owned())?;
                set_store(&mut parsed, url)?;
                continue;
            }
            "--resource" => {
                let url = args
                    .next()
                    .ok_or_else(|| "--resource needs a URL (or none)".to_owned())?;
                let served = parsed.resources.get_or_insert_with(Vec::new);
                if url != "none" {
                    served.push(url);
                }
                continue;
            }
            _ if arg.starts_with("--store=") => {
                set_store(&mut parsed, arg["--store=".len()..].to_owned())?;
                continue;
            }
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

fn set_store(parsed: &mut Args, url: String) -> Result<(), String> {
    if parsed.store.replace(url).is_some() {
        return Err("--store can be given once".to_owned());
    }
    Ok(())
}

/// `DEMO_REUSE_KEY`: 64 hex digits, 32 octets.
fn reuse_key(hex: &str) -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (octet, pair) in key.iter_mut().zip(hex.as_bytes().chunks(2)) {
        *octet = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(key)
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
    let key = match std::env::var("DEMO_REUSE_KEY") {
        Ok(hex) => match reuse_key(&hex) {
            Some(key) => Some(key),
            None => {
                eprintln!("error: DEMO_REUSE_KEY must be 64 hex digits\n\n{USAGE}");
                return ExitCode::FAILURE;
            }
        },
        Err(_) => None,
    };
    let store = match demo::Store::connect(args.store.as_deref().unwrap_or("memory")).await {
        Ok(store) => store,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if store.is_shared() && key.is_none() {
        // Without one key on every instance, no instance would recognise
        // another's challenge fingerprints.
        eprintln!(
            "error: a shared --store needs DEMO_REUSE_KEY (64 hex digits, the same secret on every instance)"
        );
        return ExitCode::FAILURE;
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

    // Never the password: the URL's user info is left out.
    let shown = args.store.as_deref().map_or("memory".to_owned(), |url| {
        match (url.split_once("://"), url.rsplit_once('@')) {
            (Some((scheme, _)), Some((_, host))) => format!("{scheme}://{host}"),
            _ => url.to_owned(),
        }
    });
    say!("store: {shown}");
    // PostgreSQL keeps expired rows until deleted: purge them now and then.
    let purging = store.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            let _ = purging.purge_expired().await;
        }
    });
    if let Some(served) = &args.resources {
        say!("resources served (RFC 8707): {served:?}; any other is invalid_target");
    }
    let mut server = demo::AuthServer::new(policy, &issuer)
        .weaken(args.weakness)
        .resources(args.resources)
        .store(store);
    if let Some(key) = key {
        server = server.reuse_key(key);
    }
    let app = server.router();
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
