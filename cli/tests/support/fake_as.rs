//! A small fake authorization server on 127.0.0.1, for the verdicts the
//! demo cannot produce: metadata, an authorization endpoint that issues a
//! code for any well-formed S256 challenge (and refuses anything else with
//! invalid_request), and a token endpoint whose answer to a request
//! without `code_verifier` the test chooses. It records each request's
//! target and body, and stops after `STEP`.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use base64ct::{Base64UrlUnpadded, Encoding as _};
use sha2::{Digest as _, Sha256};
use url::Url;

use super::support::STEP;

/// The token endpoint's answer to a request without `code_verifier`:
/// (status, content type, body); the code is then left as it was.
pub type NoVerifier = (u16, &'static str, String);

pub struct FakeAs {
    pub issuer: String,
    /// Every request's target (and, after a blank line, its body).
    pub seen: Arc<Mutex<Vec<String>>>,
}

pub fn start(no_verifier: NoVerifier) -> FakeAs {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = Server {
        issuer: issuer.clone(),
        codes: HashMap::new(),
        next: 0,
        no_verifier,
        seen: Arc::clone(&seen),
    };
    thread::spawn(move || state.serve(&listener));
    FakeAs { issuer, seen }
}

struct Server {
    issuer: String,
    /// code → S256 challenge.
    codes: HashMap<String, String>,
    next: u64,
    no_verifier: NoVerifier,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn serve(mut self, listener: &TcpListener) {
        let deadline = Instant::now() + STEP;
        while Instant::now() < deadline {
            let Ok((stream, _)) = listener.accept() else {
                thread::sleep(Duration::from_millis(5));
                continue;
            };
            self.answer(stream);
        }
    }

    fn answer(&mut self, mut stream: TcpStream) {
        stream.set_nonblocking(false).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let (target, body) = read_request(&mut stream);
        self.seen
            .lock()
            .unwrap()
            .push(format!("{target}\n\n{body}"));
        let url = Url::parse(&format!("{}{target}", self.issuer)).unwrap();
        let (status, headers, body) = match url.path() {
            "/.well-known/oauth-authorization-server" => (200, json(), self.metadata()),
            "/authorize" => self.authorize(&url),
            "/token" => self.token(&body),
            _ => (404, json(), "{}".to_owned()),
        };
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    }

    fn metadata(&self) -> String {
        let i = &self.issuer;
        format!(
            r#"{{"issuer":"{i}","authorization_endpoint":"{i}/authorize","token_endpoint":"{i}/token","code_challenge_methods_supported":["S256"]}}"#
        )
    }

    fn authorize(&mut self, url: &Url) -> (u16, String, String) {
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        let mut to = Url::parse(&q["redirect_uri"]).unwrap();
        let challenge = q.get("code_challenge").filter(|c| c.len() == 43);
        match (
            challenge,
            q.get("code_challenge_method").map(String::as_str),
        ) {
            (Some(challenge), Some("S256")) => {
                self.next += 1;
                let code = format!("code-{}", self.next);
                self.codes.insert(code.clone(), challenge.clone());
                to.query_pairs_mut().append_pair("code", &code);
            }
            _ => {
                to.query_pairs_mut().append_pair("error", "invalid_request");
            }
        }
        if let Some(state) = q.get("state") {
            to.query_pairs_mut().append_pair("state", state);
        }
        (302, format!("Location: {to}\r\n"), String::new())
    }

    fn token(&mut self, body: &str) -> (u16, String, String) {
        let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        let code = form.get("code").cloned().unwrap_or_default();
        let Some(verifier) = form.get("code_verifier") else {
            let (status, content_type, body) = self.no_verifier.clone();
            return (status, format!("Content-Type: {content_type}\r\n"), body);
        };
        let bound = self.codes.remove(&code);
        let digest = Base64UrlUnpadded::encode_string(&Sha256::digest(verifier.as_bytes()));
        if bound.as_deref() == Some(digest.as_str()) && verifier.len() >= 43 {
            (
                200,
                json(),
                r#"{"access_token":"t","token_type":"Bearer"}"#.to_owned(),
            )
        } else {
            (400, json(), r#"{"error":"invalid_grant"}"#.to_owned())
        }
    }
}

fn json() -> String {
    "Content-Type: application/json\r\n".to_owned()
}

/// The request target and the body (by Content-Length).
fn read_request(stream: &mut TcpStream) -> (String, String) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return (String::new(), String::new()),
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0);
    while data.len() < head_end + length {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    let target = head.split(' ').nth(1).unwrap_or("").to_owned();
    let body = String::from_utf8_lossy(&data[head_end..]).to_string();
    (target, body)
}
