//! The `demo` binary as a probe target: `demo 0 [--weaken RULE]` binds an
//! OS-chosen port, prints `listening on http://127.0.0.1:PORT` as its first
//! stdout line, and warns on stderr when weakened.

use std::io::Read;
use std::process::{Child, Command, Stdio};

#[path = "support/binary.rs"]
mod binary;

/// The running binary, killed on drop.
struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary with `args` and returns it with its base URL, read
/// from the first line of stdout.
fn spawn(args: &[&str]) -> (Demo, String) {
    let (child, base) = binary::spawn(args, &[], Stdio::piped());
    (Demo(child), base)
}

fn metadata(base: &str) -> serde_json::Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = format!("{base}/.well-known/oauth-authorization-server");
        let body = oauth2::reqwest::get(url)
            .await
            .expect("GET metadata")
            .bytes()
            .await
            .expect("body");
        serde_json::from_slice(&body).expect("JSON")
    })
}

fn stderr_of(mut demo: Demo) -> String {
    let _ = demo.0.kill();
    let mut err = String::new();
    demo.0
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read stderr");
    err
}

#[test]
fn port_zero_prints_the_bound_address_first() {
    let (demo, base) = spawn(&["0"]);
    let port: u16 = base
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("base {base:?}"));
    assert_ne!(port, 0);
    let json = metadata(&base);
    assert_eq!(json["issuer"], base);
    assert_eq!(
        json["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert!(!stderr_of(demo).contains("WARNING"));
}

#[test]
fn weaken_prints_a_warning_and_breaks_the_rule() {
    let (demo, base) = spawn(&["0", "--weaken", "plain"]);
    let json = metadata(&base);
    assert_eq!(
        json["code_challenge_methods_supported"],
        serde_json::json!(["S256", "plain"])
    );
    let err = stderr_of(demo);
    assert!(
        err.starts_with(
            "WARNING: --weaken plain: this server is deliberately broken for testing; never use it for anything else"
        ),
        "{err}"
    );

    // --weaken=RULE, before the port
    let (demo, _) = spawn(&["--weaken=replay", "0"]);
    assert!(stderr_of(demo).starts_with("WARNING: --weaken replay: "));
}

#[test]
fn bad_arguments_fail_with_the_usage() {
    for args in [
        &["0", "--weaken", "nope"][..],
        &["0", "--weaken"],
        &["0", "--bogus"],
        &["0", "--resource"],
        &["not-a-port"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_demo"))
            .args(args)
            .output()
            .expect("run demo");
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("usage: cargo run -p demo -- [PORT] [--weaken RULE]"),
            "{args:?}: {err}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .arg("--help")
        .output()
        .expect("run demo --help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for rule in demo::Weakness::ALL {
        assert!(help.contains(rule.name()), "{rule} in --help");
    }
}

#[test]
fn a_store_that_cannot_be_used_stops_the_server_at_start() {
    for (args, env, message) in [
        (
            &["0", "--store", "mysql://x"][..],
            &[][..],
            "expected memory, redis://... or postgres://...",
        ),
        (
            &["0", "--store", "redis://127.0.0.1:1"],
            &[],
            "the store is unavailable",
        ),
        (&["0", "--store"], &[], "--store needs a URL"),
        (
            &["0", "--store=memory", "--store=memory"],
            &[],
            "--store can be given once",
        ),
        (
            &["0"],
            &[("DEMO_REUSE_KEY", "00")],
            "DEMO_REUSE_KEY must be 64 hex digits",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_demo"))
            .args(args)
            .envs(env.iter().copied())
            .output()
            .expect("run demo");
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
}
