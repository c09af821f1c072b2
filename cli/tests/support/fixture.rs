//! Real third-party servers for the tests: their pinned packages installed
//! from the registry under the target directory (never into the source
//! tree), and the server process, read until it says where it listens and
//! killed on drop.
//!
//! An install is keyed by the content of the fixture's pin files, so a new
//! pin installs afresh next to the old one; it happens once per machine
//! (then reused) and is done in a scratch directory renamed into place, so
//! test binaries running at once never see half an install.
//!
//! The one allowed skip is a registry that cannot be reached: the install
//! then returns `Err(reason)` and the test prints `SKIPPED: reason`. With
//! `PROOFKEY_REQUIRE_FIXTURES=1` (set by `.ci/run`) even that fails.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// An install of a few dozen packages; generous for a slow registry.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// A server's start-up (database migrations, key generation) on a busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// What an install's output says when the registry could not be reached
/// (npm's error codes, pip's and urllib3's connection errors).
const UNREACHABLE: &[&str] = &[
    "ENOTFOUND",
    "EAI_AGAIN",
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "ENETUNREACH",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Connection refused",
    "Read timed out",
    "ProxyError",
];

/// `cli/tests/fixtures/<name>`, in the source tree (only read).
pub fn source(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The npm fixture `name`: its files copied to a directory under the
/// target directory, `npm ci` run there (package-lock.json pins every
/// version). Returns that directory, from which its server runs.
pub fn npm(name: &str) -> Result<PathBuf, String> {
    let files = fixture_files(name);
    let dir = installed_dir(name, &files);
    once(&dir, |scratch| {
        require_tool("npm")?;
        require_tool("node")?;
        for file in &files {
            fs::copy(file, scratch.join(file.file_name().unwrap())).unwrap();
        }
        let mut npm = Command::new("npm");
        // Fewer, shorter retries than npm's default (about 70 s to give up).
        npm.args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--fetch-retries=1",
            "--fetch-retry-maxtimeout=10000",
        ])
        .current_dir(scratch);
        run_install(npm, "npm ci")
    })
}

/// A virtual environment under the target directory with exactly the
/// packages of `tests/fixtures/python/requirements.txt` (every version,
/// transitive ones too, pinned with `==`; `--no-deps` so nothing else
/// comes in). Returns its `bin/python`.
pub fn python() -> Result<PathBuf, String> {
    let requirements = source("python").join("requirements.txt");
    let dir = installed_dir("python-venv", std::slice::from_ref(&requirements));
    let venv = once(&dir, |scratch| {
        require_tool("python3")?;
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(scratch)
            .stdin(Stdio::null())
            .status()
            .unwrap();
        // Debian's python3 without python3-venv: a setup fault, not a skip.
        assert!(status.success(), "python3 -m venv failed (python3-venv?)");
        let mut pip = Command::new(scratch.join("bin/python"));
        pip.args([
            "-m",
            "pip",
            "install",
            "--no-input",
            "--disable-pip-version-check",
            "--retries",
            "2",
            "--timeout",
            "30",
            "--no-deps",
            "-r",
        ])
        .arg(&requirements);
        run_install(pip, "pip install")
    })?;
    Ok(venv.join("bin/python"))
}

/// The files at the top of the fixture directory (not its notes).
fn fixture_files(name: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(source(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    files
}

/// `target/tmp/fixtures/<name>-<hash of the files' content>`.
fn installed_dir(name: &str, files: &[PathBuf]) -> PathBuf {
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.file_name().hash(&mut hasher);
        fs::read(file).unwrap().hash(&mut hasher);
    }
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fixtures")
        .join(format!("{name}-{:016x}", hasher.finish()))
}

/// Runs `install` in a scratch directory renamed to `dir` on success,
/// unless `dir` exists already. Once per test binary: the outcome, a skip
/// too, is kept for the binary's other tests.
fn once(dir: &Path, install: impl FnOnce(&Path) -> Result<(), String>) -> Result<PathBuf, String> {
    type Outcomes = Vec<(PathBuf, Result<PathBuf, String>)>;
    static DONE: Mutex<Outcomes> = Mutex::new(Vec::new());
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, outcome)) = done.iter().find(|(d, _)| d == dir) {
        return outcome.clone();
    }
    let outcome = if dir.is_dir() {
        Ok(dir.to_owned())
    } else {
        install_into(dir, install)
    };
    done.push((dir.to_owned(), outcome.clone()));
    outcome
}

fn install_into(
    dir: &Path,
    install: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<PathBuf, String> {
    let scratch = dir.with_extension(format!("partial-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch).unwrap();
    match install(&scratch) {
        // Another test binary may have finished first: its copy is as good.
        Ok(()) => {
            if fs::rename(&scratch, dir).is_err() {
                assert!(dir.is_dir(), "could not move the install to {dir:?}");
                let _ = fs::remove_dir_all(&scratch);
            }
            remove_older(dir);
            Ok(dir.to_owned())
        }
        Err(reason) => {
            let _ = fs::remove_dir_all(&scratch);
            Err(skip_or_fail(reason))
        }
    }
}

/// Removes the installs of older pins of the same fixture (`<name>-<hash>`
/// beside `dir`), which nothing uses any more.
fn remove_older(dir: &Path) {
    let name = dir.file_name().unwrap().to_str().unwrap();
    let Some((prefix, _)) = name.rsplit_once('-') else {
        return;
    };
    for entry in fs::read_dir(dir.parent().unwrap()).unwrap().flatten() {
        let other = entry.file_name();
        let other = other.to_string_lossy();
        let older = other
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
        if older && other != name {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// `reason`, unless `.ci/run` said every fixture must be installed.
fn skip_or_fail(reason: String) -> String {
    assert!(
        std::env::var_os("PROOFKEY_REQUIRE_FIXTURES").is_none(),
        "PROOFKEY_REQUIRE_FIXTURES is set, yet: {reason}"
    );
    reason
}

fn require_tool(tool: &str) -> Result<(), String> {
    match Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => Ok(()),
        Err(_) => Err(format!("{tool} is not installed")),
    }
}

/// Runs an installer to its end (bounded). `Err` only when its output
/// shows the registry could not be reached; any other failure panics.
fn run_install(mut command: Command, what: &str) -> Result<(), String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{what} could not start: {e}"))?;
    let output = Arc::new(Mutex::new(String::new()));
    let readers = [
        drain(child.stdout.take().unwrap(), &output),
        drain(child.stderr.take().unwrap(), &output),
    ];
    let deadline = Instant::now() + INSTALL_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "{what} took more than {} s (registry unreachable?)",
                INSTALL_TIMEOUT.as_secs()
            ));
        }
        thread::sleep(Duration::from_millis(100));
    };
    for reader in readers {
        reader.join().unwrap();
    }
    let output = output.lock().unwrap().clone();
    if status.success() {
        return Ok(());
    }
    match output
        .lines()
        .find(|l| UNREACHABLE.iter().any(|n| l.contains(n)))
    {
        Some(line) => Err(format!(
            "{what} could not reach the registry ({})",
            line.trim()
        )),
        None => panic!("{what} failed, not for lack of network:\n{output}"),
    }
}

fn drain(
    mut from: impl Read + Send + 'static,
    into: &Arc<Mutex<String>>,
) -> thread::JoinHandle<()> {
    let into = Arc::clone(into);
    thread::spawn(move || {
        let mut text = String::new();
        let _ = from.read_to_string(&mut text);
        into.lock().unwrap().push_str(&text);
    })
}

/// A fresh directory under the target directory for one server's data
/// (a database); `Server::remove_on_drop` removes it.
pub fn scratch_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A third-party server process, killed on drop. Its first stdout line
/// is `listening on http://127.0.0.1:PORT` (every fixture prints it once
/// bound to a free port); its stderr is kept for the failure message.
pub struct Server {
    child: Child,
    pub url: String,
    stderr: Arc<Mutex<String>>,
    scratch: Option<PathBuf>,
}

impl Server {
    pub fn start(mut command: Command) -> Self {
        let mut child = command
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
        let stderr = Arc::new(Mutex::new(String::new()));
        let err = child.stderr.take().unwrap();
        let kept = Arc::clone(&stderr);
        thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut kept = kept.lock().unwrap();
                // Bounded: a chatty server's log is not all needed.
                if kept.len() < 64 * 1024 {
                    kept.push_str(&line);
                    kept.push('\n');
                }
            }
        });
        let out = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut server = Self {
            child,
            url: String::new(),
            stderr,
            scratch: None,
        };
        let line = rx.recv_timeout(START_TIMEOUT).unwrap_or_else(|_| {
            panic!(
                "{command:?} did not say where it listens:\n{}",
                server.stderr()
            )
        });
        server.url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("not `listening on URL`: {line}"))
            .to_owned();
        assert!(server.url.starts_with("http://127.0.0.1:"), "{line}");
        server
    }

    /// Removes `dir` once the server is stopped.
    #[must_use]
    pub fn remove_on_drop(mut self, dir: PathBuf) -> Self {
        self.scratch = Some(dir);
        self
    }

    /// What the server wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self.scratch {
            let _ = fs::remove_dir_all(dir);
        }
    }
}
