//! Real store servers for tests: Debian's `redis-server` and PostgreSQL,
//! started on 127.0.0.1 with a free port and a temporary data directory,
//! stopped (and the directory removed) on drop. `.ci/run` installs both;
//! where a binary is absent, [`Redis::start`] / [`Postgres::start`] return
//! `None` after printing `SKIPPED: <reason>` (or fail, under
//! `PROOFKEY_REQUIRE_FIXTURES=1`).
//!
//! PostgreSQL refuses to run as root: under root it runs as `nobody`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, Uid, User, chown};
use tempfile::TempDir;

const READY_WITHIN: Duration = Duration::from_secs(30);

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// A server the tests can stop and start again (on the same port).
pub trait Server {
    /// The URL a client connects to.
    fn url(&self) -> String;
    /// Stops it, as abruptly as the backend allows without leaking processes.
    fn stop(&mut self);
    /// Starts it again on the same port.
    fn restart(&mut self);
}

/// Prints the skip line the test output is searched for; with
/// `PROOFKEY_REQUIRE_FIXTURES=1` (as `.ci/run` sets it), fails instead: CI
/// must run every real server.
pub fn skip(reason: &str) {
    assert!(
        std::env::var_os("PROOFKEY_REQUIRE_FIXTURES").is_none_or(|v| v != "1"),
        "PROOFKEY_REQUIRE_FIXTURES=1 and {reason}"
    );
    println!("SKIPPED: {reason}");
    eprintln!("SKIPPED: {reason}");
}

fn stop(child: &mut Option<Child>, signal: Signal) {
    if let Some(mut c) = child.take() {
        if let Ok(pid) = i32::try_from(c.id()) {
            let _ = kill(Pid::from_raw(pid), signal);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if matches!(c.try_wait(), Ok(Some(_))) {
                return;
            }
            sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// Waits until `ready`, or until `child` exits (false: it could not start,
/// typically its port was taken). A child that answers but exits right
/// after was not the one answering: false too.
fn wait_until(child: &mut Child, mut ready: impl FnMut() -> bool, what: &str) -> bool {
    let exited = |c: &mut Child| !matches!(c.try_wait(), Ok(None));
    let deadline = Instant::now() + READY_WITHIN;
    while !ready() {
        if exited(child) {
            return false;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not start within 30 s"
        );
        sleep(Duration::from_millis(25));
    }
    sleep(Duration::from_millis(50));
    !exited(child)
}

/// Keeps a child that started; reaps one that did not (never signalled
/// later: its pid may be reused).
fn keep(slot: &mut Option<Child>, mut child: Child, up: bool) -> bool {
    if up {
        *slot = Some(child);
    } else {
        let _ = child.kill();
        let _ = child.wait();
    }
    up
}

/// Launches on fresh ports until one works.
fn start_on_a_free_port<S>(
    server: &mut S,
    port: impl Fn(&mut S) -> &mut u16,
    launch: impl Fn(&mut S) -> bool,
) {
    for _ in 0..5 {
        if launch(server) {
            return;
        }
        *port(server) = free_port();
    }
    panic!("could not start a server on any of 5 free ports");
}

/// A `redis-server`, no persistence, on 127.0.0.1.
pub struct Redis {
    child: Option<Child>,
    port: u16,
    dir: TempDir,
    binary: PathBuf,
}

impl Redis {
    /// Starts one, or prints `SKIPPED:` and returns `None` if
    /// `redis-server` is not installed.
    #[must_use]
    pub fn start() -> Option<Self> {
        let Some(binary) = which("redis-server") else {
            skip("redis-server is not installed (apt-get install redis-server; .ci/run does)");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("proofkey-redis-")
            .tempdir()
            .expect("a temporary directory");
        let mut redis = Self {
            child: None,
            port: free_port(),
            dir,
            binary,
        };
        start_on_a_free_port(&mut redis, |r| &mut r.port, Self::launch);
        Some(redis)
    }
}

impl Server for Redis {
    /// `redis://127.0.0.1:PORT`.
    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server (SIGKILL: as abrupt as a crash).
    fn stop(&mut self) {
        stop(&mut self.child, Signal::SIGKILL);
    }

    /// Starts it again on the same port (it starts empty: no persistence).
    fn restart(&mut self) {
        self.stop();
        assert!(
            self.launch(),
            "redis-server did not start again on its port"
        );
    }
}

impl Redis {
    fn launch(&mut self) -> bool {
        let mut child = Command::new(&self.binary)
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let up = wait_until(
            &mut child,
            || TcpStream::connect(addr).is_ok(),
            "redis-server",
        );
        keep(&mut self.child, child, up)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A PostgreSQL cluster with trust authentication for user `postgres`,
/// listening on 127.0.0.1 only, fsync off.
pub struct Postgres {
    child: Option<Child>,
    port: u16,
    dir: TempDir,
    bin: PathBuf,
    user: Option<User>,
}

/// The newest `/usr/lib/postgresql/<version>/bin` with `initdb`.
fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn command(bin: &Path, name: &str, user: Option<&User>) -> Command {
    let mut c = Command::new(bin.join(name));
    if let Some(user) = user {
        use std::os::unix::process::CommandExt as _;
        c.uid(user.uid.as_raw()).gid(user.gid.as_raw());
    }
    c
}

impl Postgres {
    /// Creates a cluster in a temporary directory and starts it, or prints
    /// `SKIPPED:` and returns `None` if PostgreSQL is not installed.
    #[must_use]
    pub fn start() -> Option<Self> {
        let Some(bin) = postgres_bin() else {
            skip("PostgreSQL is not installed (apt-get install postgresql; .ci/run does)");
            return None;
        };
        // PostgreSQL refuses root: run it as nobody, in a directory it owns.
        let user = if Uid::effective().is_root() {
            Some(
                User::from_name("nobody")
                    .ok()
                    .flatten()
                    .expect("user nobody"),
            )
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("proofkey-pg-")
            .tempdir()
            .expect("a temporary directory");
        if let Some(user) = &user {
            chown(dir.path(), Some(user.uid), Some(user.gid)).expect("chown the data directory");
        }
        let data = dir.path().join("data");
        let status = command(&bin, "initdb", user.as_ref())
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("initdb runs");
        assert!(status.success(), "initdb failed: {status}");
        let mut pg = Self {
            child: None,
            port: free_port(),
            dir,
            bin,
            user,
        };
        start_on_a_free_port(&mut pg, |p| &mut p.port, Self::launch);
        Some(pg)
    }
}

impl Server for Postgres {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (fast shutdown: SIGINT; SIGKILL would leave its
    /// children holding the port).
    fn stop(&mut self) {
        stop(&mut self.child, Signal::SIGINT);
    }

    /// Starts it again on the same port, with its data.
    fn restart(&mut self) {
        self.stop();
        assert!(self.launch(), "postgres did not start again on its port");
    }
}

impl Postgres {
    fn launch(&mut self) -> bool {
        let port = self.port.to_string();
        let mut child = command(&self.bin, "postgres", self.user.as_ref())
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-p", &port, "-c", "listen_addresses=127.0.0.1"])
            .arg("-c")
            .arg(format!(
                "unix_socket_directories={}",
                self.dir.path().display()
            ))
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=300"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("postgres starts");
        let (bin, user) = (self.bin.clone(), self.user.clone());
        let up = wait_until(
            &mut child,
            || {
                command(&bin, "pg_isready", user.as_ref())
                    .args(["-q", "-h", "127.0.0.1", "-p", &port, "-U", "postgres"])
                    .status()
                    .is_ok_and(|s| s.success())
            },
            "postgres",
        );
        keep(&mut self.child, child, up)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
