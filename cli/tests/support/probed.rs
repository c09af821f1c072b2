//! `pkce probe --json` against a third-party fixture server (see
//! fixture.rs), reduced to what the tests assert exactly: each rule's
//! outcome, in order, and the exit code.

use serde_json::Value;

use super::run;

/// The clients every fixture registers: `app` (public, loopback redirect
/// on any port) and `backend` (confidential).
pub const CLIENTS: &[&str] = &[
    "--auto",
    "--public-client",
    "app",
    "--confidential-client",
    "backend",
    "--client-secret",
    "backend-secret",
    "--confidential-redirect-uri",
    "https://backend.example.com/callback",
];

pub struct Probed {
    pub code: i32,
    pub json: Value,
    pub stderr: String,
}

/// Runs `pkce probe ISSUER` with the fixtures' clients, `extra` and
/// `--json`; prints each row (shown with `--nocapture`).
pub fn probe(issuer: &str, extra: &[&str]) -> Probed {
    let mut args = vec!["probe", issuer];
    args.extend_from_slice(CLIENTS);
    args.extend_from_slice(extra);
    args.push("--json");
    let out = run(&args);
    let json: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}), exit {}: {}", out.code, out.stderr));
    let probed = Probed {
        code: out.code,
        json,
        stderr: out.stderr,
    };
    println!("probe {issuer} {}: exit {}", extra.join(" "), probed.code);
    for row in probed.rows() {
        let id = row["id"].as_str().unwrap_or_default();
        println!("  {id:<22} {:<12} {}", outcome(row), row["observed"]);
    }
    probed
}

fn outcome(row: &Value) -> String {
    row["outcome"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_uppercase()
}

impl Probed {
    fn rows(&self) -> &[Value] {
        self.json["rules"].as_array().expect("rules")
    }

    /// `id OUTCOME` per rule, in the probe's order.
    pub fn table(&self) -> Vec<String> {
        self.rows()
            .iter()
            .map(|r| format!("{} {}", r["id"].as_str().unwrap(), outcome(r)))
            .collect()
    }

    /// What the server did, for rule `id`.
    pub fn observed(&self, id: &str) -> String {
        let row = self
            .rows()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no rule {id}"));
        row["observed"].as_str().unwrap().to_owned()
    }

    /// Asserts the whole table and the exit code; on a mismatch the
    /// message holds every row, with what the server did.
    pub fn assert(&self, table: &[&str], code: i32) {
        assert_eq!(self.table(), table, "{:#}", self.json["rules"]);
        assert_eq!(self.code, code, "{}", self.stderr);
        let text = self.json.to_string();
        assert!(!text.contains("backend-secret"), "the secret was printed");
    }
}
