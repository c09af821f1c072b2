//! The `demo` binary, started with arguments; its base URL is read from
//! the first stdout line (each includes this with
//! `#[path = "support/binary.rs"] mod binary;`).
#![allow(dead_code)] // each test file uses a different part

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts `demo ARGS` with `env` set, and returns it with its base URL.
/// `stderr` is where the decision log goes (a pipe nobody reads would fill
/// up and block the server: use `Stdio::null()` for long runs).
pub(crate) fn spawn(args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("PORT")
        .env_remove("DEMO_POLICY")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("spawn demo");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("first line");
    let base = first
        .strip_prefix("listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("first line {first:?}"))
        .to_owned();
    (child, base)
}
