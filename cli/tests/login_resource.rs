//! `pkce login --resource URL` against the demo as an MCP-style resource
//! and authorization server: RFC 9728 discovery from the resource's 401,
//! `resource` (RFC 8707) in both requests, a token whose audience is the
//! resource; refused, quoting the MCP sentence, when the server's metadata
//! lacks `code_challenge_methods_supported`.

mod support;

use serde_json::Value;
use support::{Demo, Running, browser, location, run, visit};
use url::Url;

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// GET `url` with a bearer token: the status.
fn get_with_token(url: &str, token: &str) -> u16 {
    browser()
        .get(url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn login_for_the_demos_mcp_resource_gets_a_token_for_it() {
    let demo = Demo::start(None);
    let resource = format!("{}/mcp", demo.issuer);
    let mut login = Running::start(&[
        "login",
        "--resource",
        &resource,
        "--client-id",
        "spa",
        "--no-browser",
        "--timeout",
        "60",
    ]);
    assert_eq!(
        login.next_stderr_line().unwrap(),
        format!(
            "the resource {resource} names the authorization server {} (metadata {}/.well-known/oauth-protected-resource/mcp)",
            demo.issuer, demo.issuer
        )
    );
    assert_eq!(
        login.next_stderr_line().as_deref(),
        Some("open this URL in a browser:")
    );
    let url = Url::parse(&login.next_stderr_line().unwrap()).unwrap();
    login.next_stderr_line().unwrap();
    assert_eq!(param(&url, "resource"), Some(resource.clone()));
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let agent = browser();
    let redirect = location(&agent, url.as_str()).unwrap();
    assert_eq!(visit(&agent, &redirect), 200);
    let out = login.finish();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let tokens: Value = serde_json::from_str(&out.stdout).unwrap();
    let token = tokens["access_token"].as_str().unwrap();
    // The token request named the resource too (the demo refuses a code
    // redeemed without it), and the token opens /mcp.
    assert_eq!(get_with_token(&resource, token), 200);
    let log = demo.log.lines();
    assert!(
        log.iter()
            .any(|l| l.starts_with("mcp: 401 (no bearer token)")),
        "discovery started from the resource's 401: {log:?}"
    );
    assert!(
        log.iter().any(|l| l.starts_with("mcp client=spa: 200")),
        "{log:?}"
    );
}

#[test]
fn a_server_without_methods_metadata_is_refused_naming_the_mcp_sentence() {
    let demo = Demo::start(Some(demo::Weakness::NoMethodsMetadata));
    let resource = format!("{}/mcp", demo.issuer);
    let out = run(&[
        "login",
        "--resource",
        &resource,
        "--client-id",
        "spa",
        "--no-browser",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    let last = out.stderr.lines().last().unwrap();
    assert!(
        last.starts_with("error: ")
            && last.contains("does not advertise code_challenge_methods_supported")
            && last.contains(
                "\"If code_challenge_methods_supported is absent, the authorization server does not support PKCE and MCP clients MUST refuse to proceed\""
            ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("open this URL"), "{}", out.stderr);
    // Nothing reached the authorization endpoint.
    let log = demo.log.lines();
    assert!(!log.iter().any(|l| l.starts_with("authorize")), "{log:?}");
}

#[test]
fn an_issuer_the_resource_does_not_name_is_refused() {
    let demo = Demo::start(None);
    let other = Demo::start(None);
    let resource = format!("{}/mcp", demo.issuer);
    let out = run(&[
        "login",
        &other.issuer,
        "--resource",
        &resource,
        "--client-id",
        "spa",
        "--no-browser",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "the resource names the authorization servers [\"{}\"], not {}",
            demo.issuer, other.issuer
        )),
        "{}",
        out.stderr
    );
    // The same issuer as the resource names is accepted (up to a slash).
    let mut login = Running::start(&[
        "login",
        &format!("{}/", demo.issuer),
        "--resource",
        &resource,
        "--client-id",
        "spa",
        "--no-browser",
        "--timeout",
        "1",
    ]);
    assert!(
        login
            .next_stderr_line()
            .unwrap()
            .starts_with("the resource ")
    );
    assert_eq!(
        login.next_stderr_line().as_deref(),
        Some("open this URL in a browser:")
    );
}

#[test]
fn register_needs_a_registration_endpoint_and_resource_metadata_must_exist() {
    let demo = Demo::start(None);
    let out = run(&[
        "login",
        "--resource",
        &format!("{}/mcp", demo.issuer),
        "--register",
        "--no-browser",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("offers no registration_endpoint (RFC 7591): pass --client-id"),
        "{}",
        out.stderr
    );
    // A path that is not a protected resource: no pointer, no metadata.
    let out = run(&[
        "login",
        "--resource",
        &format!("{}/elsewhere", demo.issuer),
        "--client-id",
        "spa",
        "--no-browser",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("no protected resource metadata (RFC 9728)")
            && out.stderr.contains(&format!(
                "{}/.well-known/oauth-protected-resource/elsewhere (HTTP 404)",
                demo.issuer
            )),
        "{}",
        out.stderr
    );
    // Neither an issuer nor a resource; neither a client id nor --register.
    assert_eq!(run(&["login", "--client-id", "spa"]).code, 2);
    assert_eq!(run(&["login", &demo.issuer]).code, 2);
}

/// A resource with no 401 pointer: its well-known metadata (path inserted)
/// names a server that has only OpenID discovery, without
/// `code_challenge_methods_supported`: refused with the MCP sentence.
#[test]
fn openid_metadata_without_methods_is_refused_after_well_known_discovery() {
    let base = support::fixed_server(vec![
        (
            "/.well-known/oauth-protected-resource/mcp",
            200,
            r#"{"resource":"{ISSUER}/mcp","authorization_servers":["{ISSUER}"]}"#.to_owned(),
        ),
        (
            "/.well-known/openid-configuration",
            200,
            r#"{"issuer":"{ISSUER}","authorization_endpoint":"{ISSUER}/authorize","token_endpoint":"{ISSUER}/token"}"#
                .to_owned(),
        ),
    ]);
    let out = run(&[
        "login",
        "--resource",
        &format!("{base}/mcp"),
        "--client-id",
        "app",
        "--no-browser",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(&format!(
            "the resource {base}/mcp names the authorization server {base} (metadata {base}/.well-known/oauth-protected-resource/mcp)"
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("MCP clients MUST refuse to proceed\""),
        "{}",
        out.stderr
    );
}

/// RFC 9728 §3.3: metadata for another resource is not used.
#[test]
fn metadata_for_another_resource_is_refused() {
    let base = support::fixed_server(vec![(
        "/.well-known/oauth-protected-resource/mcp",
        200,
        r#"{"resource":"{ISSUER}/other","authorization_servers":["{ISSUER}"]}"#.to_owned(),
    )]);
    let out = run(&[
        "login",
        "--resource",
        &format!("{base}/mcp"),
        "--client-id",
        "app",
        "--no-browser",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "is for \"{base}/other\", not \"{base}/mcp\" (RFC 9728 §3.3: they must be identical)"
        )),
        "{}",
        out.stderr
    );
}

/// A 401 whose `resource_metadata` points to another origin is refused
/// before anything is fetched there.
#[test]
fn a_metadata_pointer_to_another_origin_is_refused() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut head = [0u8; 2048];
        let _ = stream.read(&mut head);
        let body = "{}";
        write!(
            stream,
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer resource_metadata=\"http://127.0.0.1:9/.well-known/oauth-protected-resource\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
    });
    let out = run(&[
        "login",
        "--resource",
        &format!("{base}/mcp"),
        "--client-id",
        "app",
        "--no-browser",
    ]);
    server.join().unwrap();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "the resource's metadata pointer http://127.0.0.1:9/.well-known/oauth-protected-resource is not on the resource's origin"
        ),
        "{}",
        out.stderr
    );
}
