//! Shared by the network tests: the demo server in-process, a fake
//! metadata server, the `pkce` binary as a running process, and an HTTP
//! client that plays the browser. Everything listens on 127.0.0.1, every
//! wait is bounded, every process is killed on drop.
#![allow(dead_code)] // each test file uses a part

pub mod fixture;
pub mod probed;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use demo::{AuthServer, LogCapture, Weakness};
use proofkey::Policy;

/// How long any one step of a test may take before it fails.
pub const STEP: Duration = Duration::from_secs(60);

pub fn pkce_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_pkce"))
}

/// The demo authorization server on 127.0.0.1, on its own runtime;
/// dropped with it.
pub struct Demo {
    pub issuer: String,
    pub log: LogCapture,
    _runtime: tokio::runtime::Runtime,
}

impl Demo {
    /// The production policy, weakened by `weakness` if `Some`.
    pub fn start(weakness: Option<Weakness>) -> Self {
        Self::start_named(weakness, |port| format!("http://127.0.0.1:{port}"))
    }

    /// As `start`, with the issuer named by `issuer(port)` in its metadata.
    pub fn start_named(weakness: Option<Weakness>, issuer: impl Fn(u16) -> String) -> Self {
        Self::start_configured(weakness, issuer, |server| server)
    }

    /// As `start_named`, with the server's settings changed by `configure`.
    pub fn start_configured(
        weakness: Option<Weakness>,
        issuer: impl Fn(u16) -> String,
        configure: impl FnOnce(AuthServer) -> AuthServer,
    ) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = LogCapture::new();
        let app = configure(AuthServer::new(Policy::production(), &issuer(port)))
            .weaken(weakness)
            .log_to(log.clone())
            .router();
        runtime.spawn(async move { axum::serve(listener, app).await });
        Self {
            issuer: format!("http://127.0.0.1:{port}"),
            log,
            _runtime: runtime,
        }
    }
}

/// A server that answers every request with `status` and `body` (JSON),
/// on a thread; it stops after `STEP`.
pub fn fixed_server(routes: Vec<(&'static str, u16, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    thread::spawn(move || {
        let deadline = Instant::now() + STEP;
        while Instant::now() < deadline {
            let Ok((mut stream, _)) = listener.accept() else {
                thread::sleep(Duration::from_millis(10));
                continue;
            };
            stream.set_nonblocking(false).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&head);
            let path = head.split(' ').nth(1).unwrap_or("").to_owned();
            let (status, body) = routes
                .iter()
                .find(|(p, _, _)| *p == path)
                .map_or((404, "{}".to_owned()), |(_, s, b)| {
                    (*s, b.replace("{ISSUER}", &format!("http://{addr}")))
                });
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

/// The `pkce` binary, running, its stderr read line by line as it comes.
pub struct Running {
    child: Child,
    stderr: Receiver<String>,
    stdout: Option<JoinHandle<String>>,
    pub stderr_seen: Vec<String>,
}

pub struct Finished {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Running {
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(pkce_bin())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = channel();
        let err = child.stderr.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut out = child.stdout.take().unwrap();
        let stdout = thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        });
        Self {
            child,
            stderr: rx,
            stdout: Some(stdout),
            stderr_seen: Vec::new(),
        }
    }

    /// The next stderr line, `None` at its end (or after `STEP`).
    pub fn next_stderr_line(&mut self) -> Option<String> {
        let line = self.stderr.recv_timeout(STEP).ok()?;
        self.stderr_seen.push(line.clone());
        Some(line)
    }

    /// Waits (at most `STEP`) for the process to end.
    pub fn finish(mut self) -> Finished {
        let deadline = Instant::now() + STEP;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "pkce did not exit in time");
            thread::sleep(Duration::from_millis(20));
        };
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            self.stderr_seen.push(line);
        }
        let stdout = self.stdout.take().unwrap().join().unwrap();
        let stderr = self.stderr_seen.join("\n");
        assert!(!stderr.contains("panicked"), "{stderr}");
        Finished {
            code: status.code().expect("exited, not killed by a signal"),
            stdout,
            stderr,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `pkce args` to the end.
pub fn run(args: &[&str]) -> Finished {
    Running::start(args).finish()
}

/// The browser's HTTP client: no redirects followed, no proxy.
pub fn browser() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// GETs `url`; the response's `Location`, if any.
pub fn location(agent: &ureq::Agent, url: &str) -> Option<String> {
    let response = agent.get(url).call().unwrap();
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
}

/// GETs `url` (the loopback redirect); the status.
pub fn visit(agent: &ureq::Agent, url: &str) -> u16 {
    agent.get(url).call().unwrap().status().as_u16()
}

/// The server `start` gives, or returns from the test with `SKIPPED: reason`
/// (its registry could not be reached).
#[macro_export]
macro_rules! server_or_skip {
    ($start:expr) => {
        match $start {
            Ok(server) => server,
            Err(reason) => {
                println!("SKIPPED: {reason}");
                return;
            }
        }
    };
}
