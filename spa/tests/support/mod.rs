//! The end-to-end harness: the demo server and chromedriver as child
//! processes on 127.0.0.1, every wait bounded, everything killed on drop.

pub(crate) mod browser;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// How long a process may take to start listening.
const STARTUP: Duration = Duration::from_secs(30);

/// A child process that is killed and reaped when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The demo authorization server (`cargo run -p demo -- 0`), its stdout
/// and stderr captured line by line: that is its whole log.
pub(crate) struct Demo {
    _process: Process,
    /// `http://127.0.0.1:<port>`: its issuer, and the app's origin.
    pub(crate) origin: String,
    log: Arc<Mutex<Vec<String>>>,
}

fn demo_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("PROOFKEY_DEMO_BIN") {
        return bin.into();
    }
    // target/<profile>/deps/e2e-<hash> -> target/<profile>/demo
    let exe = std::env::current_exe().expect("the test's own path");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    dir.join(format!("demo{}", std::env::consts::EXE_SUFFIX))
}

/// `spa/www`, with the app built into `pkg/` (`.ci/browser.sh` does it).
fn app_dir() -> PathBuf {
    let dir = std::env::var_os("PROOFKEY_SPA_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("www"),
        PathBuf::from,
    );
    let wasm = dir.join("pkg").join("spa_bg.wasm");
    assert!(
        wasm.is_file(),
        "{} is missing: build the app first (spa/README.md, or run .ci/browser.sh)",
        wasm.display()
    );
    dir
}

fn capture(
    stream: impl Read + Send + 'static,
    log: Arc<Mutex<Vec<String>>>,
    tx: mpsc::Sender<String>,
) {
    thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line.clone());
            log.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    });
}

impl Demo {
    /// Starts the demo on a free port of 127.0.0.1, serving the built app.
    pub(crate) fn start() -> Self {
        let bin = demo_binary();
        assert!(
            bin.is_file(),
            "{} is missing: cargo build -p demo (or set PROOFKEY_DEMO_BIN)",
            bin.display()
        );
        let mut child = Command::new(&bin)
            .arg("0")
            .env("PROOFKEY_SPA_DIR", app_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the demo");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        capture(
            child.stdout.take().expect("stdout"),
            log.clone(),
            tx.clone(),
        );
        capture(child.stderr.take().expect("stderr"), log.clone(), tx);
        let process = Process(child);
        let deadline = Instant::now() + STARTUP;
        let origin = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .expect("the demo prints where it listens");
            if let Some(at) = line.find("http://127.0.0.1:") {
                let rest = &line[at..];
                let end = rest[17..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(rest.len(), |i| i + 17);
                break rest[..end].to_owned();
            }
        };
        Self {
            _process: process,
            origin,
            log,
        }
    }

    /// Every line the server has written so far.
    pub(crate) fn log(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many log lines contain `needle`.
    pub(crate) fn count(&self, needle: &str) -> usize {
        self.log().iter().filter(|l| l.contains(needle)).count()
    }

    /// A form POST from outside the browser (the attacker's own client):
    /// the status and the body.
    pub(crate) fn post_form(&self, path: &str, body: &str) -> (u16, String) {
        let host = self.origin.trim_start_matches("http://");
        let mut stream = TcpStream::connect(host).expect("connect to the demo");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }
}

/// chromedriver on a free port of 127.0.0.1.
pub(crate) struct Driver {
    _process: Process,
    /// `http://127.0.0.1:<port>`.
    pub(crate) url: String,
}

impl Driver {
    pub(crate) fn start() -> Self {
        let bin =
            std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "/usr/bin/chromedriver".into());
        // A port the OS just handed out; chromedriver binds it right after.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", Path::new(&bin).display()));
        let process = Process(child);
        let deadline = Instant::now() + STARTUP;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            thread::sleep(Duration::from_millis(50));
        }
        Self {
            _process: process,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

/// A fresh, empty directory under the system's temp dir, removed on drop.
pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
