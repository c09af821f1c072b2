//! `cargo run -p demo [PORT]`: the demo authorization server on
//! `127.0.0.1` (port 8080, or `PORT` from the argument or the environment).
//! `DEMO_POLICY=production|development|oauth21|fapi2` picks the PKCE policy.

use std::process::ExitCode;

use proofkey::Policy;

fn parse_policy(name: &str) -> Option<Policy> {
    match name {
        "production" => Some(Policy::production()),
        "development" => Some(Policy::development()),
        "oauth21" => Some(Policy::oauth21()),
        "fapi2" => Some(Policy::fapi2()),
        _ => None,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("PORT").ok());
    let port: u16 = match port.as_deref().map(str::parse).unwrap_or(Ok(8080)) {
        Ok(port) => port,
        Err(_) => {
            eprintln!(
                "usage: cargo run -p demo [PORT]   (or PORT=... in the environment; default 8080)"
            );
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
    println!(
        "proofkey demo authorization server, policy {policy_name} (PKCE methods: {})",
        policy.methods_supported().join(", ")
    );
    println!("listening on {issuer}  (loopback only; Ctrl-C to stop)");
    println!(
        "  clients: {} (public, redirect_uri http://127.0.0.1:<any port>{})",
        demo::SPA_CLIENT_ID,
        demo::SPA_REDIRECT_PATH
    );
    println!(
        "           {} (confidential, redirect_uri {})",
        demo::BACKEND_CLIENT_ID,
        demo::BACKEND_REDIRECT_URI
    );
    println!("try: curl -s {issuer}/.well-known/oauth-authorization-server");
    println!("walkthrough: demo/README.md");

    let app = demo::app(policy, &issuer);
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
