//! The decision log: one line per decision of the two endpoints, with a
//! stable prefix (`authorize client=ID: `, `token client=ID: `; `ID` is a
//! registered client id, or `-` when the request named none that is
//! registered). Lines carry client ids and fixed texts only: never a
//! code, verifier, challenge, state, client secret or token, nor any
//! other request input.

use std::fmt;
use std::io::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

/// A log that keeps its lines in memory instead of writing them to stderr,
/// for tests: give a clone to [`AuthServer::log_to`](crate::AuthServer::log_to)
/// and read [`lines`](Self::lines).
///
/// ```
/// let log = demo::LogCapture::new();
/// let app = demo::AuthServer::new(proofkey::Policy::production(), "http://127.0.0.1:8080")
///     .log_to(log.clone())
///     .router();
/// # drop(app);
/// assert!(log.lines().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<String>>>);

impl LogCapture {
    /// An empty capture.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The lines logged so far, oldest first.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Where the server's decision log goes.
#[derive(Debug, Clone, Default)]
pub(crate) enum Log {
    /// One line per decision on stderr (the binary).
    #[default]
    Stderr,
    /// In memory (tests).
    Capture(LogCapture),
}

impl Log {
    /// Logs one line. A closed or failing stderr loses the line rather than
    /// failing the request (`eprintln!` would panic).
    pub(crate) fn line(&self, line: fmt::Arguments<'_>) {
        match self {
            Self::Stderr => {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
            Self::Capture(capture) => capture
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line.to_string()),
        }
    }
}

/// The `client=` value of a log line.
pub(crate) fn client_label(id: Option<&'static str>) -> &'static str {
    id.unwrap_or("-")
}
